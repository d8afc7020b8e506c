/// The registry of ranking metrics: one case per implementation, its raw
/// value the metric's name in files, JSON and on the command line.
///
/// Every use of a metric goes through ``accept(_:)``, the one switch over
/// the cases, so adding a metric is its implementation file plus its case
/// here and its arm in ``accept(_:)`` (see docs/extending.md).
public enum Metric: String, CaseIterable, Sendable, Codable {
  /// TensorFlow's `average_precision_at_k` (``AveragePrecision``): MAP@k.
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
