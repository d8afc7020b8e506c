/// A ranking metric: what one row's hit ranks are worth, for every requested
/// k at once, and how rows aggregate into the metric's value.
///
/// The ranking is metric-agnostic: for each row it yields the ranks (1-based,
/// at most the largest k) at which the row's distinct relevant classes were
/// found, and `n`, the row's relevant-label count under its label semantics.
/// A metric turns those into one value per k. Register an implementation by
/// adding a case to ``Metric`` (its raw value is the metric's name in files,
/// JSON and on the command line) and its arm to ``Metric/accept(_:)``; every
/// other use goes through that one switch, so the compiler names what a new
/// case must handle.
///
/// Requirements on an implementation, which the kernel relies on:
/// - ``rowValues(hits:count:relevant:ks:ksCount:into:)`` is a pure function
///   of its arguments, computed with the same arithmetic every time: the
///   pattern-counting path (``PatternCounts``) calls it once per distinct
///   pattern and multiplies by the pattern's row count, so a row's value must
///   not depend on anything else.
/// - It depends on `n` only through `min(n, maxK)`, the part of `n` that a
///   pattern keeps (true of TensorFlow's AP@k, whose divisor is `min(n, k)`).
///   A metric that needs `n` itself (recall's `hits / n`) must widen the
///   pattern or take rows off the counting path first.
/// - Rows without a relevant label never reach it: ``EmptyRowPolicy`` gives
///   their value (NaN or 0) for every metric.
protocol RankingMetric {
  /// The metric's name in reports, printed before `@k` (`"MAP"`).
  static var displayName: String { get }
  /// The name of one row's value, printed before `@k` (`"AP"`).
  static var rowName: String { get }
  /// How row values aggregate into the metric.
  static var aggregation: MetricAggregation { get }

  /// One row's value for every requested k.
  ///
  /// - Parameters:
  ///   - hits: The ranks (1-based) of the row's hits, ascending, each at most
  ///     the largest k.
  ///   - count: The number of hits.
  ///   - n: The row's relevant labels (at least 1).
  ///   - ks: The requested ks, ascending.
  ///   - ksCount: The number of ks.
  ///   - values: Where the value for `ks[j]` goes, at `values[j]`.
  /// - Complexity: O(count + ksCount).
  static func rowValues(hits: UnsafePointer<Int32>, count: Int, relevant n: Int, ks: UnsafePointer<Int>,
                        ksCount: Int, into values: UnsafeMutablePointer<Double>)
}

/// How a metric's row values become the metric's value.
///
/// The state holds exact sums (``ExactSum``), so any aggregation below is a
/// quotient of two exact sums rounded once, the same bits for any split.
public enum MetricAggregation: Sendable, Hashable {
  /// `Σ w · value / Σ w` over the rows that count, with the denominator
  /// shared by every metric and k (``MAPState/weightSum``, TensorFlow's
  /// `max`); 0 when that is 0 (`div_no_nan`). TensorFlow's AP@k.
  ///
  /// A pooled metric such as TensorFlow's `recall_at_k` (`Σ w · hits / Σ w · n`)
  /// needs a denominator per (metric, k) instead: it will be a second case
  /// whose rows also add `w ·` their denominator to a per-(metric, k) exact
  /// sum beside ``MAPState/totals``, stored in the state file next to the
  /// metric's totals (see `StateFile+Coding.swift`, version 2).
  case weightedMean
}

/// Opens a ``Metric`` as its implementation type: ``Metric/accept(_:)``
/// calls ``visit(_:)`` with the case's ``RankingMetric`` type, statically,
/// so a visitor used in a row loop is specialized and inlined (no dynamic
/// dispatch per row).
protocol MetricVisitor {
  /// What the visit returns.
  associatedtype Result
  /// Called with the metric's implementation.
  func visit<M: RankingMetric>(_ metric: M.Type) -> Result
}
