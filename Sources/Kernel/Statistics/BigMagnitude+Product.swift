extension BigMagnitude {
  /// The zero magnitude.
  static var zero: BigMagnitude { BigMagnitude(digits: []) }

  /// The magnitude of a non-negative `Int`.
  init(_ n: Int) {
    precondition(n >= 0)
    self.init(digits: [UInt32(truncatingIfNeeded: n), UInt32(truncatingIfNeeded: n >> 32)])
  }

  /// a · b, exactly (schoolbook; the operands here have at most ~140 digits).
  ///
  /// Each step's `aᵢ·bⱼ + outᵢ₊ⱼ + carry` is at most (2³² − 1)² + 2(2³² − 1) = 2⁶⁴ − 1,
  /// so it cannot overflow a `UInt64`.
  static func product(_ a: BigMagnitude, _ b: BigMagnitude) -> BigMagnitude {
    if a.isZero || b.isZero { return .zero }
    var out = [UInt32](repeating: 0, count: a.digits.count + b.digits.count)
    for i in a.digits.indices {
      let ai = UInt64(a.digits[i])
      var carry: UInt64 = 0
      for j in b.digits.indices {
        let v = ai * UInt64(b.digits[j]) + UInt64(out[i + j]) + carry
        out[i + j] = UInt32(truncatingIfNeeded: v)
        carry = v >> 32
      }
      out[i + b.digits.count] = UInt32(truncatingIfNeeded: carry)
    }
    return BigMagnitude(digits: out)
  }
}
