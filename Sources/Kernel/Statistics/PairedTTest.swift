/// The exact sums behind a paired Student t-test: n, Σd and Σd² over the
/// per-row differences d = a − b of two systems' metric values.
///
/// Σd is an ``ExactSum``. d² is not a double in general, so each row adds the
/// two doubles of its error-free product, `d·d` rounded and `fma(d, d, −d·d)`
/// (their sum is d² exactly whenever d² ≥ 2⁻⁹⁶⁹, that is |d| ≥ 2⁻⁴⁸⁴; below
/// that the error term can lose bits of size 2⁻¹⁰⁷⁴, a deterministic loss,
/// never a split-dependent one). Both sums are therefore exact, and adding
/// rows in any order, on any threads, in any shards, then merging, gives the
/// same state bit for bit: the t and p computed from it cannot depend on the
/// split.
///
/// Weights are the caller's business: rows of weight 0 are not added (see
/// `docs/statistics.md`).
public struct PairedTTestSums: Sendable, Equatable {
  /// The number of differences added.
  public internal(set) var count: Int = 0
  /// Σd, exact.
  public internal(set) var sum = ExactSum()
  /// Σd², exact (each d² as the exact sum of its two-product).
  public internal(set) var sumOfSquares = ExactSum()

  /// Creates the sums of no rows.
  public init() {}

  /// Adds one row's difference.
  ///
  /// - Complexity: O(1).
  public mutating func add(_ difference: Double) {
    count += 1
    sum.add(difference)
    let square = difference * difference
    sumOfSquares.add(square)
    // The rounding error of the square, exactly (an FMA rounds once, and the
    // error of a product is a double unless it underflows).
    sumOfSquares.add((-square).addingProduct(difference, difference))
  }

  /// Adds every difference of a sequence.
  ///
  /// - Complexity: O(n).
  public mutating func add<S: Sequence>(contentsOf differences: S) where S.Element == Double {
    for d in differences { add(d) }
  }

  /// Adds another partial state (another shard's or thread's rows).
  ///
  /// - Complexity: O(1) (a fixed number of limbs).
  public mutating func merge(_ other: PairedTTestSums) {
    count += other.count
    sum.merge(other.sum)
    sumOfSquares.merge(other.sumOfSquares)
  }

  /// The paired t-test of these rows: what `scipy.stats.ttest_rel(a, b)` gives.
  ///
  /// t = mean(d) / (s/√n) with s² = Σ(d − mean)²/(n − 1), which is
  /// t² = (n − 1)·(Σd)² / (n·Σd² − (Σd)²). The numerator and the denominator
  /// are formed exactly in big integers from the exact sums, and t² is their
  /// correctly rounded quotient, so t is within 1 ulp of the true t of these
  /// doubles (scipy's two-pass float formula is within ~1e-14 of it for data
  /// that is not nearly constant). The p-value comes from t² directly
  /// (``StudentT/twoSidedPValue(tSquared:degreesOfFreedom:)``).
  ///
  /// Degenerate cases, as scipy gives them: n < 2 → t = p = NaN; all d zero
  /// (0/0) → NaN; all d equal and not zero (zero variance) → t = ±inf, p = 0;
  /// any NaN or infinite d → NaN. Where scipy's float rounding makes an
  /// almost-constant sample's variance slightly wrong, this is the exact one.
  ///
  /// - Complexity: O(limbs²) big-integer work, then the t distribution.
  public var result: PairedTTestResult {
    let n = count
    let nan = PairedTTestResult(count: n, meanDifference: .nan, t: .nan, pValue: .nan)
    guard n >= 2 else {
      return PairedTTestResult(count: n, meanDifference: n == 1 ? sum.doubleValue : .nan, t: .nan, pValue: .nan)
    }
    if sum.specialValue != nil || sumOfSquares.specialValue != nil { return nan }
    let mean = ExactSum.quotient(sum, Self.exactSum(Double(n)))
    let (negative, s) = sum.signAndMagnitude()  // units of 2^-bias
    let (_, q) = sumOfSquares.signAndMagnitude()  // ≥ 0, units of 2^-bias
    let sSquared = BigMagnitude.product(s, s)  // units of 2^-2·bias
    let nq = BigMagnitude.product(q, BigMagnitude(n)).shiftedLeft(ExactSum.bias)
    if BigMagnitude.compare(nq, sSquared) <= 0 {
      // Zero variance (Cauchy–Schwarz: n·Σd² ≥ (Σd)², equal iff all d are equal).
      if s.isZero { return PairedTTestResult(count: n, meanDifference: mean, t: .nan, pValue: .nan) }
      return PairedTTestResult(count: n, meanDifference: mean, t: negative ? -.infinity : .infinity, pValue: 0)
    }
    var spread = nq
    spread.subtract(sSquared)
    let tSquared = BigMagnitude.roundedQuotient(
      BigMagnitude.product(sSquared, BigMagnitude(n - 1)), spread, exponentOffset: 0)
    let t = tSquared.squareRoot()
    let p = StudentT.twoSidedPValue(tSquared: tSquared, degreesOfFreedom: Double(n - 1))
    return PairedTTestResult(count: n, meanDifference: mean, t: negative ? -t : t, pValue: p)
  }

  static func exactSum(_ x: Double) -> ExactSum {
    var s = ExactSum()
    s.add(x)
    return s
  }
}

/// The outcome of a paired t-test.
public struct PairedTTestResult: Sendable, Equatable {
  /// The number of paired rows, n.
  public let count: Int
  /// mean(d) = Σd / n, correctly rounded (NaN when n = 0).
  public let meanDifference: Double
  /// The t statistic (positive when the first system is higher).
  public let t: Double
  /// The two-sided p-value, with n − 1 degrees of freedom.
  public let pValue: Double
  /// The degrees of freedom, n − 1.
  public var degreesOfFreedom: Int { count - 1 }

  /// Creates a result (for tests and for callers that carry one).
  public init(count: Int, meanDifference: Double, t: Double, pValue: Double) {
    self.count = count
    self.meanDifference = meanDifference
    self.t = t
    self.pValue = pValue
  }

  /// Exact equality, with NaN equal to NaN (results are compared for identity).
  public static func == (a: PairedTTestResult, b: PairedTTestResult) -> Bool {
    func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
    return a.count == b.count && same(a.meanDifference, b.meanDifference) && same(a.t, b.t) && same(a.pValue, b.pValue)
  }
}
