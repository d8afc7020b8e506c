/// TensorFlow's `average_precision_at_k`: a row's AP@k is
/// `Σ_{hits at rank i <= k} P_i / min(n, k)` with `P_i` the precision at the
/// i-th rank (hits so far / i); MAP@k is `Σ w · AP@k / Σ w`.
enum AveragePrecision: RankingMetric {
  static var displayName: String { "MAP" }
  static var rowName: String { "AP" }
  static var aggregation: MetricAggregation { .weightedMean }
  static var reads: RowCounts { [] }
  static var countsByPattern: Bool { true }

  /// TensorFlow's rule: `min(n, k) = 0`, so the row's AP is 0/0.
  @inline(__always)
  static func isEmpty(_ row: RankedRow) -> Bool { row.n == 0 }

  /// AP@k for every k from the one ranking, summed in rank order as
  /// TensorFlow does (the same additions in the same order, so the same bits).
  ///
  /// - Complexity: O(count + ksCount).
  @inline(__always)
  static func rowValues(_ row: RankedRow, ks: UnsafePointer<Int>, ksCount: Int, into values: UnsafeMutablePointer<Double>,
                        denominators: UnsafeMutablePointer<Double>) {
    let hits = row.hits, count = row.count, n = row.n
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
