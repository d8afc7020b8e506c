/// TensorFlow's `recall_at_k`: `Σ w · hits / Σ w · labels`, pooled over
/// rows, with TensorFlow's own label count for recall (not its AP's): every
/// distinct label value, retrieved or not. So dense `-1` padding counts as
/// one label never hit, each distinct label `>= C` or negative is a miss,
/// and a label listed twice counts once (docs/semantics.md).
///
/// A row without labels adds nothing to either sum (TensorFlow ignores it),
/// except its padding, under the `nan` and `zero` policies; `skip` leaves out
/// rows without a label `>= 0`.
enum Recall: RankingMetric {
  static var displayName: String { "R" }
  static var rowName: String { "R" }
  static var aggregation: MetricAggregation { .pooled }
  static var reads: RowCounts { [.relevant, .distinct] }

  /// The hits within each k, over the row's distinct label values.
  ///
  /// - Complexity: O(count + ksCount).
  @inline(__always)
  static func rowValues(_ row: RankedRow, ks: UnsafePointer<Int>, ksCount: Int, into values: UnsafeMutablePointer<Double>,
                        denominators: UnsafeMutablePointer<Double>) {
    let hits = row.hits, count = row.count
    let d = Double(row.distinct)
    var h = 0
    for j in 0..<ksCount {
      let k = ks[j]
      while h < count && Int(hits[h]) <= k { h += 1 }
      values[j] = Double(h)
      denominators[j] = d
    }
  }
}
