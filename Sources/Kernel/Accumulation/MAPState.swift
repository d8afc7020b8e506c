/// The streaming state of the metrics: TensorFlow's `total` per requested
/// (metric, k) and its shared `max`, held exactly, plus counts.
///
/// Two states over disjoint rows merge into the state of their union, and
/// because the sums are exact (``ExactSum``) the merged value has the same
/// bits whatever the split, the order or the tree of merges.
public struct MAPState: Sendable, Equatable {
  /// The metrics, ks and policies this state was computed with.
  public let configuration: MAPConfiguration
  /// `Σ w · value` per requested (metric, k), metric-major: the sum of
  /// `configuration.metrics[i]` at `configuration.ks[j]` is at
  /// `i · ks.count + j` (``MAPConfiguration/index(metric:k:)``).
  public internal(set) var totals: [ExactSum]
  /// `Σ w` over the rows that count for TensorFlow's AP@k (TensorFlow's
  /// `max`), its denominator at every k.
  public internal(set) var weightSum: ExactSum
  /// The denominator per (metric, k), in ``totals`` order, of every metric
  /// but AP@k (whose slots stay 0: it divides by ``weightSum``): `Σ w` over
  /// the rows that count for a ``MetricAggregation/weightedMean`` metric,
  /// `Σ w · denominator` for a ``MetricAggregation/pooled`` one.
  public internal(set) var denominators: [ExactSum]
  /// Rows evaluated (skipped empty rows included).
  public internal(set) var rows: Int = 0
  /// Rows without any relevant label.
  public internal(set) var emptyRows: Int = 0
  /// NaN scores seen (0 unless the NaN policy ranks them).
  public internal(set) var nanScores: Int = 0

  /// An empty state: no rows yet, every value 0.
  public init(configuration: MAPConfiguration) {
    self.configuration = configuration
    totals = Array(repeating: ExactSum(), count: configuration.metrics.count * configuration.ks.count)
    denominators = totals
    weightSum = ExactSum()
  }

  /// Creates a state from its parts (for decoding a saved state).
  ///
  /// - Parameters:
  ///   - configuration: The metrics, ks and policies the sums were computed with.
  ///   - totals: One sum per (metric, k), in ``totals`` order.
  ///   - denominators: One per (metric, k), in ``totals`` order (AP@k's
  ///     slots ignored and stored as 0); nil: all 0 (AP@k alone needs none).
  ///   - weightSum: `Σ w` over the rows that count.
  ///   - rows: Rows evaluated (skipped empty rows included).
  ///   - emptyRows: Rows without any relevant label.
  ///   - nanScores: NaN scores seen.
  /// - Throws: ``MAPKError/incompatibleStates(_:)`` if `totals` or
  ///   `denominators` has the wrong count.
  public init(configuration: MAPConfiguration, totals: [ExactSum], denominators: [ExactSum]? = nil,
              weightSum: ExactSum, rows: Int, emptyRows: Int, nanScores: Int) throws {
    let expected = configuration.metrics.count * configuration.ks.count
    guard totals.count == expected else {
      throw MAPKError.incompatibleStates(
        "\(totals.count) totals for \(configuration.metrics.count) metrics × \(configuration.ks.count) ks")
    }
    var shared = Array(repeating: ExactSum(), count: expected)
    if let denominators {
      guard denominators.count == expected else {
        throw MAPKError.incompatibleStates(
          "\(denominators.count) denominators for \(configuration.metrics.count) metrics × \(configuration.ks.count) ks")
      }
      for (i, pair) in configuration.pairs.enumerated() where !pair.metric.sharesWeightSum {
        shared[i] = denominators[i]
      }
    }
    self.configuration = configuration
    self.totals = totals
    self.denominators = shared
    self.weightSum = weightSum
    self.rows = rows
    self.emptyRows = emptyRows
    self.nanScores = nanScores
  }

  /// Adds the rows of `other` (rows disjoint from this state's).
  ///
  /// - Throws: ``MAPKError/incompatibleStates(_:)`` if the metrics, ks or
  ///   policies differ, or a count would overflow `Int`.
  /// - Complexity: O(metrics · ks · limbs).
  public mutating func merge(_ other: MAPState) throws {
    guard configuration == other.configuration else {
      func describe(_ c: MAPConfiguration) -> String {
        // The metrics are named only when they differ from AP alone, so
        // the message of an AP-only mismatch stays as it was.
        let metrics = c.metrics == [.averagePrecision] ? "" : "\(c.metrics.map(\.name))/"
        return "\(metrics)\(c.ks)/\(c.emptyRows)/\(c.nanScores)"
      }
      let label = configuration.metrics == other.configuration.metrics ? "ks/policies" : "metrics/ks/policies"
      throw MAPKError.incompatibleStates("\(label) \(describe(configuration)) vs \(describe(other.configuration))")
    }
    // Counts are added with overflow checks: only forged saved states get
    // near 2^63, and they are refused here, never trapped on. (Checked
    // before anything changes, so a refused merge leaves the state as it was.)
    let (r, o1) = rows.addingReportingOverflow(other.rows)
    let (e, o2) = emptyRows.addingReportingOverflow(other.emptyRows)
    let (n, o3) = nanScores.addingReportingOverflow(other.nanScores)
    var merged = self
    var fits = !(o1 || o2 || o3) && merged.weightSum.mergeReportingOverflow(other.weightSum)
    for i in totals.indices where fits {
      fits = merged.totals[i].mergeReportingOverflow(other.totals[i])
        && merged.denominators[i].mergeReportingOverflow(other.denominators[i])
    }
    guard fits else { throw MAPKError.incompatibleStates("a count overflows (beyond \(Int.max))") }
    merged.rows = r
    merged.emptyRows = e
    merged.nanScores = n
    self = merged
  }

  /// The value of `metric` at `k`: the correctly rounded quotient of its
  /// exact sums (``MetricAggregation``), or nil unless both were requested.
  ///
  /// For AP@k: `total / max`, or 0 when `max` is 0 (TensorFlow's `div_no_nan`);
  /// every other metric: its total over its own denominator, 0 when that is 0.
  public func value(metric: Metric, k: Int) -> Double? {
    configuration.index(metric: metric, k: k).map(value(at:))
  }

  /// MAP@k (TensorFlow's AP@k), or nil unless AP and `k` were requested.
  public func value(k: Int) -> Double? { value(metric: .averagePrecision, k: k) }

  /// The value at position `index` of ``totals``.
  func value(at index: Int) -> Double {
    let denominator = denominator(at: index)
    // A pooled metric over no label at all is 0/0 = NaN, as TensorFlow's
    // `recall_at_k` gives it (it divides without `div_no_nan`).
    if configuration.metrics[index / configuration.ks.count].aggregation == .pooled, denominator.isFiniteZero {
      return .nan
    }
    return ExactSum.quotient(totals[index], denominator)
  }

  /// The denominator of the sums at position `index` of ``totals``.
  func denominator(at index: Int) -> ExactSum {
    configuration.metrics[index / configuration.ks.count].sharesWeightSum ? weightSum : denominators[index]
  }

  /// Every requested value, in ``totals`` order (metric-major; for AP alone,
  /// MAP@k in `configuration.ks` order).
  public var values: [Double] { totals.indices.map(value(at:)) }

  /// One line of the result per (metric, k), in ``totals`` order.
  public var results: [MAPResult] {
    configuration.pairs.enumerated().map { i, pair in
      MAPResult(metric: pair.metric, k: pair.k, value: value(at: i), total: totals[i].doubleValue,
                max: denominator(at: i).doubleValue)
    }
  }
}

/// One metric at one k: its value and the rounded sums behind it.
public struct MAPResult: Sendable, Equatable {
  /// The metric.
  public let metric: Metric
  /// The k.
  public let k: Int
  /// The metric's value at k: `total / max` correctly rounded from the
  /// exact sums (NaN as TensorFlow gives it).
  public let value: Double
  /// `Σ w · value` (a ``MetricAggregation/pooled`` metric: `Σ w · numerator`), rounded once.
  public let total: Double
  /// The denominator (`Σ w` for a ``MetricAggregation/weightedMean`` metric,
  /// `Σ w · denominator` for a pooled one), rounded once.
  public let max: Double

  /// Creates a result.
  public init(metric: Metric, k: Int, value: Double, total: Double, max: Double) {
    self.metric = metric
    self.k = k
    self.value = value
    self.total = total
    self.max = max
  }

  /// MAP@k, for results of ``Metric/averagePrecision``.
  @available(*, deprecated, renamed: "value")
  public var map: Double { value }
}
