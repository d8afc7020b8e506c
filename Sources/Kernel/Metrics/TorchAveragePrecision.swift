/// torchmetrics' `RetrievalMAP(top_k=k)`: a row's AP@k is the mean of the
/// precisions at its hits within the top k, `Σ P_i / hits`, 0 without a
/// hit. As in torchmetrics 1.9, a document scored <= 0 is never a hit.
enum TorchAveragePrecision: RankingMetric {
  static var displayName: String { "MAP(torch)" }
  static var rowName: String { "AP(torch)" }
  static var aggregation: MetricAggregation { .weightedMean }
  static var reads: RowCounts { [.relevant, .positives] }

  /// The precisions summed in rank order over the hits scored above 0
  /// (``RankedRow/positiveHits``, a run of the ascending ranks), then one
  /// division by their count.
  ///
  /// - Complexity: O(count + ksCount).
  @inline(__always)
  static func rowValues(_ row: RankedRow, ks: UnsafePointer<Int>, ksCount: Int, into values: UnsafeMutablePointer<Double>,
                        denominators: UnsafeMutablePointer<Double>) {
    let hits = row.hits, count = row.count
    var sum = 0.0
    var h = row.positiveHits.lowerBound, found = 0
    let end = Swift.min(count, row.positiveHits.upperBound)
    for j in 0..<ksCount {
      let k = ks[j]
      while h < end && Int(hits[h]) <= k {
        h += 1
        found += 1
        sum += Double(found) / Double(hits[h - 1])
      }
      values[j] = found == 0 ? 0 : sum / Double(found)
    }
  }
}
