/// An error-free sum of doubles: a fixed-point superaccumulator spanning the
/// whole float64 exponent range.
///
/// Every finite double is an integer multiple of 2^-1074 below 2^1024, so the
/// sum of any number of them is an integer in units of 2^-1074. `ExactSum`
/// keeps that integer in 32-bit digits held in `Int64` limbs, which leaves 31
/// bits of headroom per limb for carries that are propagated lazily. Because
/// nothing is ever rounded, addition and ``merge(_:)`` are associative and
/// commutative in fact: any order, any split and any merge tree give the same
/// state, and ``doubleValue`` is the correctly rounded sum.
///
/// NaN and infinities are counted aside, as IEEE addition would combine them.
public struct ExactSum: Sendable {
  /// Limb `i` weighs 2^(32·i − bias). `bias` is a multiple of 32 above 1074.
  static let bias = 1088
  /// Sums below 2^1024 · 2^64 (room for 2^64 additions), in units of 2^-bias,
  /// need 1024 + 64 + 1088 = 2176 bits: 68 limbs; 70 leave headroom.
  static let limbCount = 70
  /// Additions allowed before the limbs must be normalized (each adds < 2^32).
  static let normalizeEvery: Int32 = 1 << 30

  var limbs: [Int64]
  var pendingAdds: Int32 = 0
  /// The number of NaN terms added.
  public internal(set) var nanCount: Int = 0
  /// The number of `+inf` terms added.
  public internal(set) var positiveInfinityCount: Int = 0
  /// The number of `-inf` terms added.
  public internal(set) var negativeInfinityCount: Int = 0

  /// Creates a sum of zero terms.
  public init() {
    limbs = Array(repeating: 0, count: Self.limbCount)
  }

  /// Adds one double exactly.
  ///
  /// - Complexity: O(1); every 2^30 additions, O(limbs) to propagate carries.
  public mutating func add(_ x: Double) {
    guard x.isFinite else {
      if x.isNaN { nanCount += 1 } else if x > 0 { positiveInfinityCount += 1 } else { negativeInfinityCount += 1 }
      return
    }
    if x == 0 { return }
    let bits = x.bitPattern
    let exponentBits = Int((bits >> 52) & 0x7FF)
    var mantissa = bits & ((1 << 52) - 1)
    let exponent: Int
    if exponentBits == 0 {
      exponent = -1074
    } else {
      mantissa |= 1 << 52
      exponent = exponentBits - 1075
    }
    // x = mantissa · 2^exponent; place it at bit `exponent + bias` of the integer.
    let position = exponent + Self.bias
    let index = position >> 5
    let shift = UInt64(position & 31)
    let low = Int64(bitPattern: (mantissa << shift) & 0xFFFF_FFFF)
    let upper = mantissa >> (32 - shift)  // bits 32.. of mantissa << shift (< 2^53)
    let middle = Int64(bitPattern: upper & 0xFFFF_FFFF)
    let high = Int64(bitPattern: upper >> 32)
    limbs.withUnsafeMutableBufferPointer { l in
      if x < 0 {
        l[index] &-= low; l[index + 1] &-= middle; l[index + 2] &-= high
      } else {
        l[index] &+= low; l[index + 1] &+= middle; l[index + 2] &+= high
      }
    }
    pendingAdds &+= 1
    if pendingAdds >= Self.normalizeEvery { normalize() }
  }

  /// Adds another exact sum: the merge of two partial sums.
  ///
  /// - Complexity: O(limbs).
  public mutating func merge(_ other: ExactSum) {
    normalize()
    var other = other
    other.normalize()
    for i in 0..<Self.limbCount { limbs[i] &+= other.limbs[i] }
    nanCount += other.nanCount
    positiveInfinityCount += other.positiveInfinityCount
    negativeInfinityCount += other.negativeInfinityCount
    normalize()
  }

  /// Propagates carries: afterwards every limb but the last is in `0..<2^32`
  /// and the last carries the sign. This is the canonical form of the value.
  mutating func normalize() {
    limbs.withUnsafeMutableBufferPointer { l in
      var carry: Int64 = 0
      for i in 0..<(Self.limbCount - 1) {
        let v = l[i] &+ carry
        l[i] = v & 0xFFFF_FFFF
        carry = v >> 32  // arithmetic shift: floor division by 2^32
      }
      l[Self.limbCount - 1] &+= carry
    }
    pendingAdds = 0
  }

  /// True when the finite part is exactly zero (special values aside).
  public var isFiniteZero: Bool {
    var copy = self
    copy.normalize()
    return copy.limbs.allSatisfy { $0 == 0 }
  }

  /// The sum correctly rounded to a double (round to nearest, ties to even).
  ///
  /// NaN if a NaN was added or both infinities were; `±inf` if an infinity was
  /// added or the exact sum is beyond the double range.
  public var doubleValue: Double {
    if let special = specialValue { return special }
    let (negative, magnitude) = signAndMagnitude()
    let value = BigMagnitude.rounded(magnitude, exponentOffset: -Self.bias)
    return negative ? -value : value
  }

  /// The IEEE result of the special terms, or nil when there are none.
  var specialValue: Double? {
    if nanCount > 0 || (positiveInfinityCount > 0 && negativeInfinityCount > 0) { return .nan }
    if positiveInfinityCount > 0 { return .infinity }
    if negativeInfinityCount > 0 { return -.infinity }
    return nil
  }

  /// The sign and the magnitude of the finite part, in units of 2^-bias.
  func signAndMagnitude() -> (negative: Bool, magnitude: BigMagnitude) {
    var copy = self
    copy.normalize()
    var digits = copy.limbs
    let negative = digits[Self.limbCount - 1] < 0
    if negative {
      // Two's complement negation over base-2^32 digits.
      var carry: Int64 = 1
      for i in 0..<Self.limbCount {
        let v = (~digits[i] & 0xFFFF_FFFF) &+ carry
        digits[i] = v & 0xFFFF_FFFF
        carry = v >> 32
      }
    }
    return (negative, BigMagnitude(digits: digits.map { UInt32(truncatingIfNeeded: $0) }))
  }

  /// `numerator / denominator` correctly rounded, with `div_no_nan` semantics:
  /// 0 when the denominator is exactly 0 (even if the numerator is NaN).
  ///
  /// Both sums are exact, so this is the one rounding of the whole computation.
  public static func quotient(_ numerator: ExactSum, _ denominator: ExactSum) -> Double {
    if denominator.specialValue == nil && denominator.isFiniteZero { return 0 }
    if let n = numerator.specialValue {
      if n.isNaN { return .nan }
      if denominator.specialValue != nil { return .nan }  // inf/inf or NaN
      let negative = denominator.signAndMagnitude().negative
      return negative ? -n : n
    }
    if let d = denominator.specialValue { return d.isNaN ? .nan : 0 }
    let (nNeg, nMag) = numerator.signAndMagnitude()
    let (dNeg, dMag) = denominator.signAndMagnitude()
    let value = BigMagnitude.roundedQuotient(nMag, dMag, exponentOffset: 0)
    return nNeg != dNeg ? -value : value
  }
}

extension ExactSum: Equatable {
  /// Exact equality of the represented sums (and of the special-value counts).
  public static func == (a: ExactSum, b: ExactSum) -> Bool {
    var x = a, y = b
    x.normalize(); y.normalize()
    return x.limbs == y.limbs && x.nanCount == y.nanCount
      && x.positiveInfinityCount == y.positiveInfinityCount
      && x.negativeInfinityCount == y.negativeInfinityCount
  }
}
