/// A non-negative big integer in base-2^32 digits, little-endian: just enough
/// arithmetic to round an exact quotient to a double.
@usableFromInline
struct BigMagnitude: Sendable {
  var digits: [UInt32]

  init(digits: [UInt32]) {
    self.digits = digits
    trim()
  }

  init(one: ()) { digits = [1] }

  mutating func trim() {
    while let last = digits.last, last == 0 { digits.removeLast() }
  }

  var isZero: Bool { digits.isEmpty }

  /// The number of significant bits (0 for zero).
  var bitWidth: Int {
    guard let top = digits.last else { return 0 }
    return (digits.count - 1) * 32 + (32 - top.leadingZeroBitCount)
  }

  func shiftedLeft(_ n: Int) -> BigMagnitude {
    if isZero || n == 0 { return self }
    let whole = n / 32, part = n % 32
    var out = [UInt32](repeating: 0, count: digits.count + whole + 1)
    for (i, d) in digits.enumerated() {
      let wide = UInt64(d) << UInt64(part)
      out[i + whole] |= UInt32(truncatingIfNeeded: wide)
      out[i + whole + 1] |= UInt32(truncatingIfNeeded: wide >> 32)
    }
    return BigMagnitude(digits: out)
  }

  static func compare(_ a: BigMagnitude, _ b: BigMagnitude) -> Int {
    if a.digits.count != b.digits.count { return a.digits.count < b.digits.count ? -1 : 1 }
    var i = a.digits.count - 1
    while i >= 0 {
      if a.digits[i] != b.digits[i] { return a.digits[i] < b.digits[i] ? -1 : 1 }
      i -= 1
    }
    return 0
  }

  /// self -= other; requires self >= other.
  mutating func subtract(_ other: BigMagnitude) {
    var borrow: Int64 = 0
    for i in 0..<digits.count {
      var v = Int64(digits[i]) - borrow - (i < other.digits.count ? Int64(other.digits[i]) : 0)
      borrow = 0
      if v < 0 { v += 1 << 32; borrow = 1 }
      digits[i] = UInt32(v)
    }
    trim()
  }

  /// `a / b · 2^exponentOffset`, correctly rounded to a double (nearest, ties to even).
  /// `b` must not be zero.
  static func roundedQuotient(_ a: BigMagnitude, _ b: BigMagnitude, exponentOffset: Int) -> Double {
    if a.isZero { return 0 }
    // Scale so that the integer quotient q = floor(a·2^s / b) has 55 or 56 bits.
    let s = 55 - (a.bitWidth - b.bitWidth)
    var remainder = s >= 0 ? a.shiftedLeft(s) : a
    let divisor = s < 0 ? b.shiftedLeft(-s) : b
    var q: UInt64 = 0
    for bit in stride(from: 57, through: 0, by: -1) {
      let shifted = divisor.shiftedLeft(bit)
      if compare(remainder, shifted) >= 0 {
        remainder.subtract(shifted)
        q |= 1 << UInt64(bit)
      }
    }
    // value = (q + fraction) · 2^(exponentOffset − s), fraction > 0 iff remainder ≠ 0.
    return roundToDouble(q, sticky: !remainder.isZero, exponent: exponentOffset - s)
  }

  /// Rounds `(q + f) · 2^exponent` to a double, where `0 <= f < 1` and `sticky`
  /// tells whether `f > 0`. Handles subnormal results and overflow to infinity.
  static func roundToDouble(_ q: UInt64, sticky: Bool, exponent: Int) -> Double {
    if q == 0 { return 0 }
    let width = 64 - q.leadingZeroBitCount
    let top = width - 1 + exponent  // the value is in [2^top, 2^(top+1))
    if top > 1023 { return .infinity }
    // The weight of the last bit the double can keep.
    let lsb = max(top - 52, -1074)
    let drop = lsb - exponent
    if drop <= 0 {
      return Double(sign: .plus, exponent: exponent, significand: Double(q))  // exact
    }
    var kept: UInt64
    let roundUp: Bool
    if drop >= 65 {
      kept = 0
      roundUp = false  // q < 2^64 <= half an ulp
    } else {
      kept = drop == 64 ? 0 : q >> UInt64(drop)
      let rest = drop == 64 ? q : q & ((1 << UInt64(drop)) - 1)
      let half: UInt64 = 1 << UInt64(drop - 1)
      if rest > half || (rest == half && sticky) {
        roundUp = true
      } else if rest == half {
        roundUp = kept & 1 == 1  // a tie: to even
      } else {
        roundUp = false
      }
    }
    if roundUp { kept += 1 }
    // kept · 2^lsb is representable (or rounds to infinity at the top), so this is exact.
    return Double(sign: .plus, exponent: lsb, significand: Double(kept))
  }
}
