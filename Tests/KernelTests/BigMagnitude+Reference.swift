@testable import MAPKKernel

/// The exact rounding of sums and quotients as `BigMagnitude` did it before
/// its quotient became one 128-by-64-bit estimate and a correction, and
/// before a sum was rounded from its top 64 bits: binary long division, one
/// shifted copy of the divisor per quotient bit. Kept here, slow and simple,
/// as the reference `ExactQuotientTests` compares the library with; it uses
/// only the primitives that did not change (shift, compare, subtract, and
/// `roundToDouble` on the quotient's bits and sticky bit).
extension BigMagnitude {
  /// `a / b · 2^exponentOffset`, correctly rounded: the old loop, unchanged.
  static func referenceQuotient(_ a: BigMagnitude, _ b: BigMagnitude, exponentOffset: Int) -> Double {
    if a.isZero { return 0 }
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
    return roundToDouble(q, sticky: !remainder.isZero, exponent: exponentOffset - s)
  }

  /// The old `ExactSum.doubleValue` of a finite sum: its magnitude divided by 1.
  static func referenceValue(of s: ExactSum) -> Double {
    let (negative, magnitude) = s.signAndMagnitude()
    let value = referenceQuotient(magnitude, BigMagnitude(digits: [1]), exponentOffset: -ExactSum.bias)
    return negative ? -value : value
  }

  /// The old `ExactSum.quotient` of finite sums, `b ≠ 0`.
  static func referenceQuotient(_ a: ExactSum, _ b: ExactSum) -> Double {
    let (aNegative, aMagnitude) = a.signAndMagnitude()
    let (bNegative, bMagnitude) = b.signAndMagnitude()
    let value = referenceQuotient(aMagnitude, bMagnitude, exponentOffset: 0)
    return aNegative != bNegative ? -value : value
  }
}
