/// TensorFlow's `average_precision_at_k`: a row's AP@k is
/// `Σ_{hits at rank i <= k} P_i / min(n, k)` with `P_i` the precision at the
/// i-th rank (hits so far / i); MAP@k is `Σ w · AP@k / Σ w`.
enum AveragePrecision: RankingMetric {
  static var displayName: String { "MAP" }
  static var rowName: String { "AP" }
  static var aggregation: MetricAggregation { .weightedMean }

  /// AP@k for every k from the one ranking, summed in rank order as
  /// TensorFlow does (the same additions in the same order, so the same bits).
  ///
  /// - Complexity: O(count + ksCount).
  @inline(__always)
  static func rowValues(hits: UnsafePointer<Int32>, count: Int, relevant n: Int, ks: UnsafePointer<Int>,
                        ksCount: Int, into values: UnsafeMutablePointer<Double>) {
    var sum = 0.0
    var h = 0
    for j in 0..<ksCount {
      let k = ks[j]
      while h < count && Int(hits[h]) <= k {
        h += 1
        sum += Double(h) / Double(hits[h - 1])
      }
      values[j] = sum / Double(Swift.min(n, k))
    }
  }
}
