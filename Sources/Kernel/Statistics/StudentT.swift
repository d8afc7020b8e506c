/// The regularised incomplete beta function and the Student t distribution,
/// implemented in the project (no package, no libm).
public enum StudentT {
  /// The two-sided p-value of a Student t statistic: P(|T| ≥ |t|) for T with
  /// `degreesOfFreedom` degrees of freedom, what `2 · scipy.stats.t.sf(|t|, ν)` gives.
  ///
  /// P(|T| ≥ |t|) = I_x(ν/2, ½) with x = ν/(ν + t²) (the regularised incomplete
  /// beta function). x and 1 − x = t²/(ν + t²) are both formed from t² and ν,
  /// never one from the other, so neither loses digits when the other is
  /// near 1: a huge |t| gives the correctly small p (down to the subnormal
  /// range, 0 only when the double cannot hold it), a tiny |t| a p near 1.
  ///
  /// - Returns: NaN if t or ν is NaN or ν ≤ 0; 0 for infinite t; 1 for t = 0.
  /// - Complexity: O(√ν) continued-fraction steps at worst (thousands at ν = 10⁷).
  public static func twoSidedPValue(t: Double, degreesOfFreedom: Double) -> Double {
    twoSidedPValue(tSquared: t * t, degreesOfFreedom: degreesOfFreedom)
  }

  /// ``twoSidedPValue(t:degreesOfFreedom:)`` from t², for callers that have t²
  /// correctly rounded (the paired t-test does) rather than t.
  public static func twoSidedPValue(tSquared: Double, degreesOfFreedom nu: Double) -> Double {
    if tSquared.isNaN || nu.isNaN || !(nu > 0) { return .nan }
    if tSquared == .infinity { return 0 }
    if tSquared == 0 { return 1 }
    let denominator = nu + tSquared
    let x: Double, y: Double
    if denominator.isInfinite {
      // ν + t² overflows only when one of them is huge: scale both first.
      let s = nu * 0x1p-64 + tSquared * 0x1p-64
      x = (nu * 0x1p-64) / s; y = (tSquared * 0x1p-64) / s
    } else {
      x = nu / denominator; y = tSquared / denominator
    }
    return regularizedIncompleteBeta(a: nu / 2, b: 0.5, x: x, y: y)
  }

  /// The regularised incomplete beta function I_x(a, b) =
  /// ∫₀ˣ t^(a−1) (1−t)^(b−1) dt / B(a, b), given x and y = 1 − x separately.
  ///
  /// Lentz's algorithm on the continued fraction (Numerical Recipes §6.4,
  /// DLMF 8.17.22), used directly when x < (a + 1)/(a + b + 2), where it
  /// converges fast, and through I_x(a, b) = 1 − I_y(b, a) otherwise. The
  /// prefix x^a y^b / B(a, b) is taken as the exponential of a ln x + b ln y −
  /// ln B(a, b), with ln x as ln(1 − y) when x is near 1 and ln B free of the
  /// cancellation of three huge log-gamma terms (`Elementary.logBeta(_:_:)`),
  /// so the result keeps about 1e-14 relative accuracy even when it is tiny.
  ///
  /// - Parameters:
  ///   - a: The first shape parameter (> 0).
  ///   - b: The second shape parameter (> 0).
  ///   - x: The point, in [0, 1].
  ///   - y: 1 − x, as accurately as the caller knows it.
  /// - Complexity: O(√max(a, b)) iterations at worst.
  public static func regularizedIncompleteBeta(a: Double, b: Double, x: Double, y: Double) -> Double {
    if a.isNaN || b.isNaN || x.isNaN || y.isNaN || !(a > 0) || !(b > 0) || x < 0 || y < 0 { return .nan }
    if x == 0 { return 0 }
    if y == 0 { return 1 }
    let direct = x * (a + b + 2) < a + 1
    let lnX = x > 0.5 ? Elementary.log1p(-y) : Elementary.log(x)
    let lnY = y > 0.5 ? Elementary.log1p(-x) : Elementary.log(y)
    let logPrefix = a * lnX + b * lnY - Elementary.logBeta(a, b)
    if direct && a >= 1000 && b < 1 && a * y < 20 {
      // x is near 1 and a large (the t distribution at large ν): the
      // continued fraction's value is then about a times its terms, formed
      // by cancellation (its first partial denominator is 1 − x·(…) ≈ 0),
      // which costs ~log10(a) digits. The complement's hypergeometric series
      // I_y(b, a) = prefix/b · ₂F₁(a + b, 1; b + 1; y) has positive terms only
      // (about a·y + 40 of them) and no such loss; 1 − it is accurate in
      // absolute terms, and relatively so while the result is not small.
      let complement = 1 - Elementary.exp(logPrefix) * hypergeometricSeries(a + b, b + 1, y) / b
      if complement >= 0.01 { return complement }
      // A small result: the continued fraction's ~1e-10 relative error is
      // below 1e-12 absolute here, and it keeps the tail's relative accuracy.
    }
    if direct {
      return Elementary.exp(logPrefix) * continuedFraction(a, b, x) / a
    }
    return 1 - Elementary.exp(logPrefix) * continuedFraction(b, a, y) / b
  }

  /// ₂F₁(c, 1; d; z) = Σₙ (c)ₙ/(d)ₙ zⁿ for 0 ≤ z < 1, summed until a term
  /// no longer changes the sum (all terms positive).
  static func hypergeometricSeries(_ c: Double, _ d: Double, _ z: Double) -> Double {
    var term = 1.0, sum = 1.0, n = 0.0
    while n < 100_000 {
      term *= (c + n) * z / (d + n)
      let next = sum + term
      if next == sum { break }
      sum = next
      n += 1
    }
    return sum
  }

  /// The continued fraction of I_x(a, b) · a / (x^a y^b / B(a, b)), by the
  /// modified Lentz method (tiny denominators replaced by 1e-300).
  static func continuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
    let tiny = 1e-300
    let epsilon = 1e-16
    let qab = a + b, qap = a + 1, qam = a - 1
    var c = 1.0
    var d = 1 - qab * x / qap
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    var m = 1.0
    while m < 10_000_000 {
      let m2 = 2 * m
      var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      h *= d * c
      aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) <= epsilon { break }
      m += 1
    }
    return h
  }
}
