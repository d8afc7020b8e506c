/// A ranking metric: what one row's hit ranks are worth, for every requested
/// k at once, and how rows aggregate into the metric's value.
///
/// The ranking is metric-agnostic: for each row it yields the ranks (1-based,
/// at most the largest k) at which the row's distinct relevant classes were
/// found, and the row's label counts under each library's rules
/// (``RankedRow``). A metric turns those into one value per k (and, for a
/// pooled metric, one denominator per k). Register an implementation by
/// adding a case to ``Metric`` (its raw value is the metric's name in files,
/// JSON and on the command line) and its arm to ``Metric/accept(_:)``; every
/// other use goes through that one switch, so the compiler names what a new
/// case must handle.
///
/// Requirements on an implementation, which the kernel relies on:
/// - ``rowValues(_:ks:ksCount:into:denominators:)`` is a pure function of its
///   arguments, computed with the same arithmetic every time.
/// - ``reads`` names every count of ``RankedRow`` it uses beyond the hits and
///   `n`; the kernel computes only what some requested metric reads.
/// - The pattern-counting path (``PatternCounts``) keys a row on its hit
///   ranks and `min(n, maxK)` only: it runs only when every requested metric
///   has ``countsByPattern`` (true of TensorFlow's AP@k, whose divisor is
///   `min(n, k)` and whose empty rows are those with `n == 0`).
/// - ``isEmpty(_:)`` rows (no relevant label under the metric's rules) get
///   the ``EmptyRowPolicy``'s value; `rowValues` may still be called on them
///   for a ``MetricAggregation/pooled`` metric, whose sums take them as
///   they come (TensorFlow's precision and recall do).
protocol RankingMetric {
  /// The metric's name in reports, printed before `@k` (`"MAP"`).
  static var displayName: String { get }
  /// The name of one row's value, printed before `@k` (`"AP"`).
  static var rowName: String { get }
  /// The name without a variant's mark (`"R"` for `"R(macro)"`), which a
  /// variant of the metric marks its own way (``PositiveScoreHits``).
  static var familyName: String { get }
  /// How row values aggregate into the metric.
  static var aggregation: MetricAggregation { get }
  /// The counts of ``RankedRow`` read beyond `hits` and `n`.
  static var reads: RowCounts { get }
  /// True when the value depends on the row only through its hit ranks and
  /// `min(n, maxK)`, and its empty rows are those with `n == 0`.
  static var countsByPattern: Bool { get }

  /// True when the row has no relevant label under this metric's rules.
  static func isEmpty(_ row: RankedRow) -> Bool

  /// One row's value for every requested k.
  ///
  /// - Parameters:
  ///   - row: The row's hit ranks and label counts.
  ///   - ks: The requested ks, ascending.
  ///   - ksCount: The number of ks.
  ///   - values: Where the value (a pooled metric: the numerator) for `ks[j]`
  ///     goes, at `values[j]`.
  ///   - denominators: A pooled metric's denominator for `ks[j]`, at
  ///     `denominators[j]`; untouched by a weighted mean.
  /// - Complexity: O(count + ksCount).
  static func rowValues(_ row: RankedRow, ks: UnsafePointer<Int>, ksCount: Int, into values: UnsafeMutablePointer<Double>,
                        denominators: UnsafeMutablePointer<Double>)
}

extension RankingMetric {
  static var familyName: String { displayName }
  static var reads: RowCounts { [.relevant] }
  static var countsByPattern: Bool { false }
  /// The information-retrieval rule (trec_eval, ranx, torchmetrics): a row
  /// without any label `>= 0` (a query without relevant documents) is empty.
  static func isEmpty(_ row: RankedRow) -> Bool { row.relevant == 0 }
}

/// What the ranking knows about one row: where its hits are and how many
/// labels it has under each library's rules.
///
/// The counts differ on purpose (docs/semantics.md): TensorFlow's AP counts
/// dense duplicates and sparse negatives; its recall counts every distinct
/// value, padding and labels `>= C` included, as labels never retrieved;
/// trec_eval, ranx and torchmetrics count distinct labels `>= 0`, those
/// `>= C` included (relevant, never retrieved).
struct RankedRow {
  /// The ranks (1-based) of the row's hits, ascending, each at most the largest k.
  let hits: UnsafePointer<Int32>
  /// The number of hits.
  let count: Int
  /// TensorFlow's AP count (``LabelSemantics``): dense, the entries in
  /// `0..<C`, duplicates included; sparse, the distinct values, negatives
  /// included, every label `>= C` one value.
  let n: Int
  /// The distinct labels `>= 0` (those `>= C` included): trec_eval's R.
  /// Computed when a metric reads ``RowCounts/relevant``.
  let relevant: Int
  /// The distinct label values, negatives and padding included: TensorFlow
  /// `recall_at_k`'s label count. Computed when a metric reads ``RowCounts/distinct``.
  let distinct: Int
  /// The hits whose class is scored above 0, as positions in `hits`:
  /// torchmetrics' hits. They are a run of the ascending ranks (the ranking
  /// is descending; ranked NaNs come first under the `largest` policy, last
  /// under `lowest`). Computed when a metric reads ``RowCounts/positives``.
  let positiveHits: Range<Int>
  /// `discounts[i] = 1 / log2(i + 1)` for `i` in `1...` the largest k
  /// (``NDCG``'s), computed once per evaluator; nil unless a metric reads
  /// ``RowCounts/discounts``.
  let discounts: UnsafePointer<Double>?
}

/// The counts of a ``RankedRow`` a metric reads beyond its hits and `n`.
struct RowCounts: OptionSet {
  let rawValue: Int
  /// ``RankedRow/relevant``.
  static let relevant = RowCounts(rawValue: 1)
  /// ``RankedRow/distinct``.
  static let distinct = RowCounts(rawValue: 2)
  /// ``RankedRow/positiveHits``.
  static let positives = RowCounts(rawValue: 4)
  /// ``RankedRow/discounts``.
  static let discounts = RowCounts(rawValue: 8)
}

/// How a metric's row values become the metric's value.
///
/// The state holds exact sums (``ExactSum``), so any aggregation below is a
/// quotient of two exact sums rounded once, the same bits for any split.
public enum MetricAggregation: Sendable, Hashable {
  /// `Σ w · value / Σ w` over the rows that count; 0 when `Σ w` is 0
  /// (`div_no_nan`). For TensorFlow's AP@k the denominator is the shared
  /// ``MAPState/weightSum`` (TensorFlow's `max`); every other metric keeps
  /// its own (``MAPState/denominators``), since which rows count depends on
  /// the metric's rule for rows without labels.
  case weightedMean
  /// `Σ w · numerator / Σ w · denominator`, each summed exactly per (metric,
  /// k) (``MAPState/totals`` and ``MAPState/denominators``): TensorFlow's
  /// `precision_at_k` (`hits / k`) and `recall_at_k` (`hits / labels`),
  /// which pool true positives over rows rather than average ratios; 0 when
  /// the denominator is 0.
  case pooled
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
