/// A non-negative big integer in base-2^32 digits, little-endian: just enough
/// arithmetic to round an exact quotient to a double.
@usableFromInline
struct BigMagnitude: Sendable {
  var digits: [UInt32]

  init(digits: [UInt32]) {
    self.digits = digits
    trim()
  }

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
  ///
  /// - Complexity: O(digits), a few allocations: one exact division of a
  ///   quotient of 55 or 56 bits (`quotientAndInexact(_:_:)`), not a loop
  ///   over its bits.
  static func roundedQuotient(_ a: BigMagnitude, _ b: BigMagnitude, exponentOffset: Int) -> Double {
    if a.isZero { return 0 }
    // Scale so that the integer quotient q = floor(a·2^s / b) has 55 or 56 bits:
    // a·2^s and b differ by 55 bits in width, so their ratio is in [2^54, 2^56).
    let s = 55 - (a.bitWidth - b.bitWidth)
    let q: (quotient: UInt64, inexact: Bool)
    if s >= 0 {
      q = quotientAndInexact(a.shiftedLeft(s), b)
    } else {
      // floor(a / (b·2^-s)) = floor(floor(a / 2^-s) / b), and a = a₁·2^-s + a₀
      // leaves the remainder (a₁ mod b)·2^-s + a₀: zero iff both parts are.
      // So the dropped bits join the sticky bit, and b need not be shifted.
      let (a1, dropped) = a.shiftedRight(-s)
      let q1 = quotientAndInexact(a1, b)
      q = (q1.quotient, q1.inexact || dropped)
    }
    // value = (q + fraction) · 2^(exponentOffset − s), fraction > 0 iff inexact.
    return roundToDouble(q.quotient, sticky: q.inexact, exponent: exponentOffset - s)
  }

  /// `a · 2^exponentOffset`, correctly rounded to a double (nearest, ties to even).
  ///
  /// The top 64 bits of `a` and whether any bit below them is set decide
  /// the rounding: a double keeps at most 53 of them, so the 11 or more bits
  /// under its last one and the sticky bit say whether `a` is below, at or
  /// above the halfway point.
  ///
  /// - Complexity: O(digits), no allocation.
  static func rounded(_ a: BigMagnitude, exponentOffset: Int) -> Double {
    let width = a.bitWidth
    if width == 0 { return 0 }
    let t = Swift.max(0, width - 64)
    // a = (q + f)·2^t with q = floor(a / 2^t) < 2^64 and f > 0 iff a bit below t is set.
    return roundToDouble(a.word(at: t), sticky: a.hasBits(below: t), exponent: exponentOffset + t)
  }

  /// `(floor(a / b), a mod b ≠ 0)`, for `a / b < 2^56` (as `roundedQuotient(_:_:exponentOffset:)` scales it).
  ///
  /// With `t` the bits of `b` below its top 64, `b = b₁·2^t + b₀` and
  /// `a = a₁·2^t + a₀`: `b₁ < 2^64`, and `a₁ < 2^56·(b₁ + 1)` fits in 128
  /// bits, so one 128-by-64-bit division gives `e = floor(a₁ / b₁)`. For
  /// `t = 0` that is the quotient itself. Otherwise `b₁ ≥ 2^63` and
  /// `a / b` lies between `a₁ / (b₁ + 1)` and `(a₁ + 1) / b₁`, which differ
  /// from `a₁ / b₁` by less than 1, so `e` is the quotient or one off; the
  /// exact remainder `a − e·b` then corrects it (the loops check, they do
  /// not trust that bound).
  ///
  /// - Complexity: O(digits).
  static func quotientAndInexact(_ a: BigMagnitude, _ b: BigMagnitude) -> (quotient: UInt64, inexact: Bool) {
    let t = Swift.max(0, b.bitWidth - 64)
    let b1 = b.word(at: t)
    // a₁ / b₁ < 2^57 (see above), so the high word is below b₁ and the division cannot overflow.
    let (estimate, r) = b1.dividingFullWidth((high: a.word(at: t + 64), low: a.word(at: t)))
    if t == 0 { return (estimate, r != 0) }  // a and b were read whole: exact
    var q = estimate
    var product = b.multiplied(by: q)
    while compare(product, a) > 0 {
      q -= 1  // q > 0 here: product 0 is never above a
      product.subtract(b)
    }
    var remainder = a
    remainder.subtract(product)
    while compare(remainder, b) >= 0 {
      q += 1
      remainder.subtract(b)
    }
    return (q, !remainder.isZero)
  }

  /// The 64 bits of `self` from bit `bit` up: `floor(self / 2^bit) mod 2^64`.
  func word(at bit: Int) -> UInt64 {
    let index = bit >> 5, shift = UInt64(bit & 31)
    func digit(_ i: Int) -> UInt64 { i < digits.count ? UInt64(digits[i]) : 0 }
    let low = digit(index) | digit(index + 1) << 32
    return shift == 0 ? low : low >> shift | digit(index + 2) << (64 - shift)
  }

  /// Whether any bit below bit `bit` is set.
  func hasBits(below bit: Int) -> Bool {
    let whole = Swift.min(bit >> 5, digits.count)
    for i in 0..<whole where digits[i] != 0 { return true }
    let part = UInt32(bit & 31)
    return whole < digits.count && part > 0 && digits[whole] & ((1 << part) - 1) != 0
  }

  /// `floor(self / 2^n)`, and whether a set bit was dropped.
  func shiftedRight(_ n: Int) -> (BigMagnitude, dropped: Bool) {
    let whole = n >> 5, part = UInt64(n & 31)
    guard whole < digits.count else { return (BigMagnitude(digits: []), !isZero) }
    var out = [UInt32](repeating: 0, count: digits.count - whole)
    for i in out.indices {
      let wide = UInt64(digits[i + whole]) | (i + whole + 1 < digits.count ? UInt64(digits[i + whole + 1]) << 32 : 0)
      out[i] = UInt32(truncatingIfNeeded: wide >> part)
    }
    return (BigMagnitude(digits: out), hasBits(below: n))
  }

  /// `self · m`, exactly.
  ///
  /// Each step's `dᵢ·mⱼ + outᵢ₊ⱼ + carry` is at most (2³² − 1)² + 2(2³² − 1) = 2⁶⁴ − 1.
  func multiplied(by m: UInt64) -> BigMagnitude {
    var out = [UInt32](repeating: 0, count: digits.count + 2)
    for (j, half) in [m & 0xFFFF_FFFF, m >> 32].enumerated() where half != 0 {
      var carry: UInt64 = 0
      for (i, d) in digits.enumerated() {
        let v = UInt64(d) * half + UInt64(out[i + j]) + carry
        out[i + j] = UInt32(truncatingIfNeeded: v)
        carry = v >> 32
      }
      out[digits.count + j] = UInt32(truncatingIfNeeded: carry)
    }
    return BigMagnitude(digits: out)
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
