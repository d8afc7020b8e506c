/// torchmetrics 1.9's rule for hits, on top of another metric: a document
/// scored <= 0 is never a hit in its `RetrievalPrecision`,
/// `RetrievalRecall` and `RetrievalMRR` (nor in `RetrievalMAP`, see
/// ``TorchAveragePrecision``), though it is in `RetrievalNormalizedDCG` and
/// `RetrievalHitRate` (measured with torchmetrics 1.9.0: docs/semantics.md).
///
/// The hits scored above 0 are a run of the ascending hit ranks
/// (``RankedRow/positiveHits``).
enum PositiveScoreHits<Base: RankingMetric>: RankingMetric {
  static var displayName: String { "\(Base.familyName)(torch)" }
  static var rowName: String { "\(Base.familyName == Base.displayName ? Base.rowName : Base.familyName)(torch)" }
  static var aggregation: MetricAggregation { Base.aggregation }
  static var reads: RowCounts { Base.reads.union([.relevant, .positives]) }

  /// The base metric's values over the hits at ranks up to `positives`.
  ///
  /// - Complexity: O(count + ksCount), plus the base metric's.
  @inline(__always)
  static func rowValues(_ row: RankedRow, ks: UnsafePointer<Int>, ksCount: Int, into values: UnsafeMutablePointer<Double>,
                        denominators: UnsafeMutablePointer<Double>) {
    let run = row.positiveHits
    let positive = RankedRow(hits: row.hits + run.lowerBound, count: run.count, n: row.n, relevant: row.relevant,
                             distinct: row.distinct, positiveHits: 0..<run.count, discounts: row.discounts)
    Base.rowValues(positive, ks: ks, ksCount: ksCount, into: values, denominators: denominators)
  }
}
