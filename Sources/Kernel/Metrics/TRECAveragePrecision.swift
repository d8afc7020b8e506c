/// trec_eval's `map_cut_k` (also ranx `map@k`, ir_measures `AP@k`, metrax
/// `AveragePrecisionAtK`): a row's AP@k is `Σ_{hits at rank i <= k} P_i / R`,
/// R every relevant label, retrieved or not (not capped at k).
enum TRECAveragePrecision: RankingMetric {
  static var displayName: String { "MAP(trec)" }
  static var rowName: String { "AP(trec)" }
  static var aggregation: MetricAggregation { .weightedMean }

  /// The precisions summed in rank order (as trec_eval does), then one
  /// division by R per k.
  ///
  /// - Complexity: O(count + ksCount).
  @inline(__always)
  static func rowValues(_ row: RankedRow, ks: UnsafePointer<Int>, ksCount: Int, into values: UnsafeMutablePointer<Double>,
                        denominators: UnsafeMutablePointer<Double>) {
    let hits = row.hits, count = row.count
    let r = Double(row.relevant)
    var sum = 0.0
    var h = 0
    for j in 0..<ksCount {
      let k = ks[j]
      while h < count && Int(hits[h]) <= k {
        h += 1
        sum += Double(h) / Double(hits[h - 1])
      }
      values[j] = sum / r
    }
  }
}
