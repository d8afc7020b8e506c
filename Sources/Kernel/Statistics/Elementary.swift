/// The few elementary functions the statistics need (`log`, `log1p`, `exp`,
/// `lgamma`), in plain Swift.
///
/// The kernel imports neither Foundation nor the C library, so these are
/// written here from the stdlib's exact operations (`significand`,
/// `exponent`, `Double(sign:exponent:significand:)`, `fma` through
/// `addingProduct`). They are accurate to a few ulps, which is all the
/// incomplete beta function needs (its result is good to about 1e-14
/// relative). Being plain Swift on IEEE operations, they give the same bits on
/// every platform and every run, unlike a libm that may change between
/// systems: a p-value printed on one machine is the p-value on any other.
enum Elementary {
  /// ln 2 split so that `k · ln2High` is exact for |k| < 2^11.
  static let ln2High = 0.6931471803691238  // 0x1.62e42feep-1: 32 significant bits
  static let ln2Low = 1.9082149292705877e-10  // ln 2 − ln2High
  /// ln 2 to double precision.
  static let ln2 = 0.6931471805599453
  /// ½ ln(2π).
  static let halfLog2Pi = 0.9189385332046728

  /// The natural logarithm: NaN below 0, −inf at 0, +inf at +inf.
  ///
  /// x = m · 2^e with m in [√½, √2); ln m = 2 atanh(s), s = (m − 1)/(m + 1),
  /// |s| ≤ 0.172, summed as the odd series (13 terms reach 1e-19).
  static func log(_ x: Double) -> Double {
    if x.isNaN || x < 0 { return .nan }
    if x == 0 { return -.infinity }
    if x == .infinity { return .infinity }
    var m = x.significand  // in [1, 2), exact (subnormals are normalized)
    var e = Double(x.exponent)
    if m > 1.4142135623730951 { m *= 0.5; e += 1 }
    let s = (m - 1) / (m + 1)
    let s2 = s * s
    var series = 1.0 / 27
    var k = 25.0
    while k >= 3 { series = series * s2 + 1 / k; k -= 2 }
    series = series * s2 + 1  // 1 + s²/3 + s⁴/5 + …
    // ln x = e·ln2 + 2s·series; the high part of e·ln2 is exact.
    return e * ln2High + (2 * s * series + e * ln2Low)
  }

  /// ln(1 + x), accurate for small x (Goldberg's trick: the rounding error of
  /// u = 1 + x is undone by the factor x / (u − 1), exact by Sterbenz).
  static func log1p(_ x: Double) -> Double {
    if x.isNaN || x < -1 { return .nan }
    if x == -1 { return -.infinity }
    if x == .infinity { return .infinity }
    let u = 1 + x
    if u == 1 { return x }
    return log(u) * (x / (u - 1))
  }

  /// e^x: 0 below −745.2, +inf above 709.8.
  ///
  /// x = k ln2 + r with |r| ≤ ½ ln2 (k ln2High exact), e^r by its Taylor
  /// series to r¹⁷/17!, scaled by 2^k in two steps so a subnormal result is
  /// rounded once at most.
  static func exp(_ x: Double) -> Double {
    if x.isNaN { return .nan }
    if x > 709.8 { return .infinity }
    if x < -745.2 { return 0 }
    let k = (x / ln2).rounded()
    let r = (x - k * ln2High) - k * ln2Low
    var p = 1.0
    var n = 17.0
    while n >= 1 { p = 1 + p * r / n; n -= 1 }
    let ki = Int(k)
    if ki < -1000 {
      return Double(sign: .plus, exponent: ki + 600, significand: p) * 0x1p-600
    }
    return Double(sign: .plus, exponent: ki, significand: p)
  }

  /// δ(x) = ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π], Stirling's correction,
  /// for x ≥ 10 (its asymptotic series, terms to x⁻¹⁵, error < 1e-20 there).
  static func stirlingCorrection(_ x: Double) -> Double {
    let z = 1 / (x * x)
    // Bernoulli terms B_2k / (2k(2k − 1) x^(2k−1)).
    let c: [Double] = [
      1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188, -691.0 / 360360, 1.0 / 156, -3617.0 / 122400,
    ]
    var s = c[7]
    for i in stride(from: 6, through: 0, by: -1) { s = s * z + c[i] }
    return s / x
  }

  /// ln Γ(x) for x > 0.
  ///
  /// Below 10 the recurrence Γ(x) = Γ(x + n) / (x (x+1) … (x+n−1)) moves the
  /// argument to [10, 11), where Stirling's series with ``stirlingCorrection``
  /// holds; the absolute error is a few 1e-15.
  static func logGamma(_ x: Double) -> Double {
    if x.isNaN || x <= 0 { return .nan }
    if x == .infinity { return .infinity }
    var y = x
    var product = 1.0
    var logShift = 0.0
    while y < 10 {
      product *= y
      y += 1
      if product > 1e280 { logShift += log(product); product = 1 }
    }
    return (y - 0.5) * log(y) - y + halfLog2Pi + stirlingCorrection(y) - (log(product) + logShift)
  }

  /// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), without the cancellation of
  /// the three large terms when a is large: with a ≥ b and a ≥ 10,
  /// ln Γ(a) − ln Γ(a+b) = −(a − ½) ln(1 + b/a) − b ln(a + b) + b + δ(a) − δ(a+b),
  /// every term of moderate size (ν = 10⁷ would otherwise lose 8 digits).
  static func logBeta(_ a: Double, _ b: Double) -> Double {
    let big = max(a, b), small = min(a, b)
    if big < 10 { return logGamma(a) + logGamma(b) - logGamma(a + b) }
    let sum = big + small
    let difference = -(big - 0.5) * log1p(small / big) - small * log(sum) + small
      + stirlingCorrection(big) - stirlingCorrection(sum)
    if small >= 10 {
      // Both large: ln Γ(small) by Stirling too, keeping its ln(small) term.
      return (small - 0.5) * log(small) - small + halfLog2Pi + stirlingCorrection(small) + difference
    }
    return logGamma(small) + difference
  }
}
