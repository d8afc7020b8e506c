/// Recall at k averaged over rows: `hits / R`, R the row's distinct labels
/// `>= 0` (those `>= C` included, never retrieved): trec_eval's `recall_k`,
/// ranx's `recall@k`, torchmetrics' `RetrievalRecall(top_k=k)`.
enum MacroRecall: RankingMetric {
  static var displayName: String { "R(macro)" }
  static var rowName: String { "R(macro)" }
  static var familyName: String { "R" }
  static var aggregation: MetricAggregation { .weightedMean }

  /// The hits within each k, over R.
  ///
  /// - Complexity: O(count + ksCount).
  @inline(__always)
  static func rowValues(_ row: RankedRow, ks: UnsafePointer<Int>, ksCount: Int, into values: UnsafeMutablePointer<Double>,
                        denominators: UnsafeMutablePointer<Double>) {
    let hits = row.hits, count = row.count
    let r = Double(row.relevant)
    var h = 0
    for j in 0..<ksCount {
      let k = ks[j]
      while h < count && Int(hits[h]) <= k { h += 1 }
      values[j] = Double(h) / r
    }
  }
}
