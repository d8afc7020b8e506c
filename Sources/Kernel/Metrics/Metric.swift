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
  /// trec_eval's `map_cut_k` (ranx `map@k`): the precisions at the hits over
  /// all R relevant labels.
  case trecAveragePrecision = "map_trec"
  /// torchmetrics' `RetrievalMAP(top_k)`: the precisions at the hits over
  /// the hits (documents scored <= 0 are not hits).
  case torchAveragePrecision = "map_torch"
  /// Precision at k, pooled: TensorFlow's `precision_at_k`, trec_eval's `P_k`.
  case precision = "precision"
  /// torchmetrics' `RetrievalPrecision(top_k)`: precision, documents scored <= 0 not hits.
  case torchPrecision = "precision_torch"
  /// Recall at k, pooled over rows with TensorFlow's label count: `recall_at_k`.
  case recall = "recall"
  /// Recall at k averaged over rows: trec_eval's `recall_k`, ranx's `recall@k`.
  case macroRecall = "recall_macro"
  /// torchmetrics' `RetrievalRecall(top_k)`: `recall_macro`, documents scored <= 0 not hits.
  case torchRecall = "recall_torch"
  /// nDCG at k, binary relevance: trec_eval's `ndcg_cut_k`, ranx's `ndcg@k`.
  case ndcg = "ndcg"
  /// Reciprocal rank of the first hit within k: ranx's `mrr@k`.
  case reciprocalRank = "mrr"
  /// torchmetrics' `RetrievalMRR(top_k)`: `mrr`, documents scored <= 0 not hits.
  case torchReciprocalRank = "mrr_torch"
  /// 1 when a label is ranked within k: ranx's `hit_rate@k`, trec_eval's `success_k`.
  case hitRate = "hit"

  /// Calls `visitor` with this case's implementation type.
  @inline(__always)
  func accept<V: MetricVisitor>(_ visitor: V) -> V.Result {
    switch self {
    case .averagePrecision: return visitor.visit(AveragePrecision.self)
    case .trecAveragePrecision: return visitor.visit(TRECAveragePrecision.self)
    case .torchAveragePrecision: return visitor.visit(TorchAveragePrecision.self)
    case .precision: return visitor.visit(Precision.self)
    case .recall: return visitor.visit(Recall.self)
    case .macroRecall: return visitor.visit(MacroRecall.self)
    case .ndcg: return visitor.visit(NDCG.self)
    case .reciprocalRank: return visitor.visit(ReciprocalRank.self)
    case .hitRate: return visitor.visit(HitRate.self)
    case .torchPrecision: return visitor.visit(PositiveScoreHits<Precision>.self)
    case .torchRecall: return visitor.visit(PositiveScoreHits<MacroRecall>.self)
    case .torchReciprocalRank: return visitor.visit(PositiveScoreHits<ReciprocalRank>.self)
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
  /// The label counts its rows need beyond TensorFlow's AP count.
  var reads: RowCounts { implementation.reads }
  /// True when rows may be counted by hit pattern (``PatternCounts``).
  var countsByPattern: Bool { implementation.countsByPattern }
  /// True when the metric's denominator is the state's shared
  /// ``MAPState/weightSum`` (TensorFlow's AP@k, as before other metrics existed).
  public var sharesWeightSum: Bool { self == .averagePrecision }

  /// The metric named `name`, or nil.
  public init?(name: String) { self.init(rawValue: name) }
}
