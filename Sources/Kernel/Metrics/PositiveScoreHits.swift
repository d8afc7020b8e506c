/// torchmetrics 1.9's rule for hits, on top of another metric: a document
/// scored <= 0 is never a hit in its `RetrievalPrecision`,
/// `RetrievalRecall` and `RetrievalMRR` (nor in `RetrievalMAP`, see
/// ``TorchAveragePrecision``), though it is in `RetrievalNormalizedDCG` and
/// `RetrievalHitRate` (measured with torchmetrics 1.9.0: docs/semantics.md).
///
/// The ranking is descending, so the hits scored above 0 are exactly those
/// at ranks `positiveFrom...positiveThrough`: a run of the ascending hit ranks.
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
    var first = 0
    while first < row.count && Int(row.hits[first]) < row.positiveFrom { first += 1 }
    var end = first
    while end < row.count && Int(row.hits[end]) <= row.positiveThrough { end += 1 }
    let positive = RankedRow(hits: row.hits + first, count: end - first, n: row.n, relevant: row.relevant,
                             distinct: row.distinct, positiveFrom: row.positiveFrom, positiveThrough: row.positiveThrough)
    Base.rowValues(positive, ks: ks, ksCount: ksCount, into: values, denominators: denominators)
  }
}
