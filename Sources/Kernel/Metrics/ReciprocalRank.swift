/// Mean reciprocal rank at k: a row's value is `1 / rank` of its first hit
/// within k, 0 without one: ranx's `mrr@k`, trec_eval's `recip_rank` on
/// rankings cut at k.
enum ReciprocalRank: RankingMetric {
  static var displayName: String { "MRR" }
  static var rowName: String { "RR" }
  static var aggregation: MetricAggregation { .weightedMean }

  /// `1 / hits[0]` for every k at or above the first hit, else 0.
  ///
  /// - Complexity: O(ksCount).
  @inline(__always)
  static func rowValues(_ row: RankedRow, ks: UnsafePointer<Int>, ksCount: Int, into values: UnsafeMutablePointer<Double>,
                        denominators: UnsafeMutablePointer<Double>) {
    let first = row.count > 0 ? Int(row.hits[0]) : Int.max
    let rr = row.count > 0 ? 1 / Double(first) : 0
    for j in 0..<ksCount { values[j] = first <= ks[j] ? rr : 0 }
  }
}
