/// Hit rate at k: a row's value is 1 when any of its labels is ranked
/// within k, else 0: ranx's `hit_rate@k`, trec_eval's `success_k`.
enum HitRate: RankingMetric {
  static var displayName: String { "Hit" }
  static var rowName: String { "Hit" }
  static var aggregation: MetricAggregation { .weightedMean }

  /// 1 for every k at or above the first hit, else 0.
  ///
  /// - Complexity: O(ksCount).
  @inline(__always)
  static func rowValues(_ row: RankedRow, ks: UnsafePointer<Int>, ksCount: Int, into values: UnsafeMutablePointer<Double>,
                        denominators: UnsafeMutablePointer<Double>) {
    let first = row.count > 0 ? Int(row.hits[0]) : Int.max
    for j in 0..<ksCount { values[j] = first <= ks[j] ? 1 : 0 }
  }
}
