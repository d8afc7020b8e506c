/// The registry of ranking metrics: one case per implementation, its raw
/// value the metric's name in files, JSON and on the command line.
///
/// Every use of a metric goes through `accept(_:)`, the one switch over the
/// cases (internal: it opens the case as its implementation type, statically,
/// for the row loop), so adding a metric is its implementation file plus its
/// case here and its arm in `accept(_:)`; the compiler then names every
/// other switch that must learn it.
public enum Metric: String, CaseIterable, Sendable, Codable {
  /// TensorFlow's `average_precision_at_k`: a row's AP@k is the sum of the
  /// precisions at its hits in the top k over `min(n, k)`; MAP@k their
  /// weighted mean.
  case averagePrecision = "map"

  /// Calls `visitor` with this case's implementation type.
  @inline(__always)
  func accept<V: MetricVisitor>(_ visitor: V) -> V.Result {
    switch self {
    case .averagePrecision: return visitor.visit(AveragePrecision.self)
    }
  }

  /// The implementation, for what is read once (names, aggregation), not per row.
  private struct Implementation: MetricVisitor {
    func visit<M: RankingMetric>(_ metric: M.Type) -> any RankingMetric.Type { metric }
  }

  private var implementation: any RankingMetric.Type { accept(Implementation()) }

  /// The name in state files, JSON and on the command line (`"map"`).
  public var name: String { rawValue }
  /// The name in reports, printed before `@k` (`"MAP"`).
  public var displayName: String { implementation.displayName }
  /// The name of one row's value, printed before `@k` (`"AP"`).
  public var rowName: String { implementation.rowName }
  /// How rows aggregate.
  public var aggregation: MetricAggregation { implementation.aggregation }

  /// The metric named `name`, or nil.
  public init?(name: String) { self.init(rawValue: name) }
}
