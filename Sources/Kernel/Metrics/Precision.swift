/// Precision at k: TensorFlow's `precision_at_k`, `Σ w · hits / Σ w · k`
/// pooled over rows (with equal weights, the mean of `hits / k`: trec_eval's
/// `P_k`, ranx's `precision@k`).
///
/// A row without labels is counted with 0 hits, as TensorFlow counts it,
/// under the `nan` and `zero` policies; `skip` (trec_eval) leaves it out.
enum Precision: RankingMetric {
  static var displayName: String { "P" }
  static var rowName: String { "P" }
  static var aggregation: MetricAggregation { .pooled }

  /// The hits within each k, over k.
  ///
  /// - Complexity: O(count + ksCount).
  @inline(__always)
  static func rowValues(_ row: RankedRow, ks: UnsafePointer<Int>, ksCount: Int, into values: UnsafeMutablePointer<Double>,
                        denominators: UnsafeMutablePointer<Double>) {
    let hits = row.hits, count = row.count
    var h = 0
    for j in 0..<ksCount {
      let k = ks[j]
      while h < count && Int(hits[h]) <= k { h += 1 }
      values[j] = Double(h)
      denominators[j] = Double(k)
    }
  }
}
