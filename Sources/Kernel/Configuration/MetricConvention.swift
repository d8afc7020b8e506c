/// What a user of another library means by its metrics (`--like`): that
/// library's variant of each metric and its rule for rows without labels,
/// so that mapk prints that library's numbers (docs/semantics.md).
public enum MetricConvention: String, Sendable, CaseIterable {
  /// TensorFlow's `average_precision_at_k`, `precision_at_k`, `recall_at_k`:
  /// a row without labels makes AP NaN, counts in precision with 0 hits,
  /// and adds nothing to recall (its dense padding aside).
  case tensorflow
  /// trec_eval (pytrec_eval) `map_cut`, `P`, `recall`, `ndcg_cut`,
  /// `recip_rank`, `success`: a query without relevant documents is left out.
  case trecEval = "trec_eval"
  /// ranx `map`, `precision`, `recall`, `ndcg`, `mrr`, `hit_rate`: a query
  /// without relevant documents scores 0 and counts.
  case ranx
  /// torchmetrics `RetrievalMAP`, `RetrievalPrecision`, `RetrievalRecall`,
  /// `RetrievalNormalizedDCG`, `RetrievalMRR`, `RetrievalHitRate` with
  /// `top_k` and the default `empty_target_action="neg"`: a query without
  /// relevant documents scores 0 and counts; documents scored <= 0 are not
  /// hits in AP, precision, recall and MRR.
  case torchmetrics

  /// The name on the command line and in JSON (`"trec_eval"`).
  public var name: String { rawValue }

  /// The library's metrics, in `Metric.allCases` order.
  public var metrics: [Metric] {
    switch self {
    case .tensorflow: return [.averagePrecision, .precision, .recall]
    case .trecEval, .ranx: return [.trecAveragePrecision, .precision, .macroRecall, .ndcg, .reciprocalRank, .hitRate]
    case .torchmetrics: return [.torchAveragePrecision, .torchPrecision, .torchRecall, .ndcg, .torchReciprocalRank, .hitRate]
    }
  }

  /// The library's rule for rows without labels, as the policy that gives it.
  public var emptyRows: EmptyRowPolicy {
    switch self {
    case .tensorflow: return .nan
    case .trecEval: return .skip
    case .ranx, .torchmetrics: return .zero
    }
  }

  /// The library's own name of `metric` at `k`, as its users write it
  /// (`"map_cut_10"`, `"ndcg@10"`), or nil when the library has none.
  public func libraryName(_ metric: Metric, k: Int) -> String? {
    switch (self, metric) {
    case (.tensorflow, .averagePrecision): return "average_precision_at_k(k=\(k))"
    case (.tensorflow, .precision): return "precision_at_k(k=\(k))"
    case (.tensorflow, .recall): return "recall_at_k(k=\(k))"
    case (.trecEval, .trecAveragePrecision): return "map_cut_\(k)"
    case (.trecEval, .precision): return "P_\(k)"
    case (.trecEval, .macroRecall): return "recall_\(k)"
    case (.trecEval, .ndcg): return "ndcg_cut_\(k)"
    case (.trecEval, .reciprocalRank): return "recip_rank (run cut at \(k))"
    case (.trecEval, .hitRate): return "success_\(k)"
    case (.ranx, .trecAveragePrecision): return "map@\(k)"
    case (.ranx, .precision): return "precision@\(k)"
    case (.ranx, .macroRecall): return "recall@\(k)"
    case (.ranx, .ndcg): return "ndcg@\(k)"
    case (.ranx, .reciprocalRank): return "mrr@\(k)"
    case (.ranx, .hitRate): return "hit_rate@\(k)"
    case (.torchmetrics, .torchAveragePrecision): return "RetrievalMAP(top_k=\(k))"
    case (.torchmetrics, .torchPrecision): return "RetrievalPrecision(top_k=\(k))"
    case (.torchmetrics, .torchRecall): return "RetrievalRecall(top_k=\(k))"
    case (.torchmetrics, .ndcg): return "RetrievalNormalizedDCG(top_k=\(k))"
    case (.torchmetrics, .torchReciprocalRank): return "RetrievalMRR(top_k=\(k))"
    case (.torchmetrics, .hitRate): return "RetrievalHitRate(top_k=\(k))"
    default: return nil
    }
  }

  /// One line on the library's rules, printed with its numbers.
  public var summary: String {
    switch self {
    case .tensorflow:
      return "TensorFlow 2.21 tf.compat.v1.metrics: rows without labels make AP NaN, count in precision, "
        + "add nothing to recall"
    case .trecEval: return "trec_eval (pytrec_eval): queries without relevant labels are left out"
    case .ranx: return "ranx 0.3: queries without relevant labels score 0 and count"
    case .torchmetrics:
      return "torchmetrics 1.9: queries without relevant labels score 0 and count (empty_target_action=\"neg\"); "
        + "documents scored <= 0 are not hits in AP, P, R, MRR"
    }
  }
}
