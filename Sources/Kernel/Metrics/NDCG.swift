#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Normalized discounted cumulative gain at k, binary relevance: a row's
/// value is `Σ_{hits} 1 / log2(rank + 1)` over the ideal
/// `Σ_{i <= min(R, k)} 1 / log2(i + 1)`, R the row's distinct labels `>= 0`
/// (those `>= C` included, so an unretrievable label lowers the value, as in
/// trec_eval's `ndcg_cut_k` and ranx's `ndcg@k`).
///
/// The C library's `log2` (the kernel's one use of it): trec_eval and ranx
/// each round their logarithms their own way, which agree with it to about
/// 1e-15; the discounts are computed once per evaluator up to its largest k
/// (``RankedRow/discounts``), so a row is additions and one division per k.
enum NDCG: RankingMetric {
  static var displayName: String { "nDCG" }
  static var rowName: String { "nDCG" }
  static var aggregation: MetricAggregation { .weightedMean }
  static var reads: RowCounts { [.relevant, .discounts] }

  /// `1 / log2(i + 1)` for `i` in `1...k`.
  static func discount(_ i: Int) -> Double { 1 / log2(Double(i + 1)) }

  /// The gains summed in rank order, the ideal in rank order, one division per k.
  ///
  /// - Complexity: O(count + ksCount + min(R, largest k)).
  @inline(__always)
  static func rowValues(_ row: RankedRow, ks: UnsafePointer<Int>, ksCount: Int, into values: UnsafeMutablePointer<Double>,
                        denominators: UnsafeMutablePointer<Double>) {
    let hits = row.hits, count = row.count
    let discount = row.discounts!
    var dcg = 0.0, ideal = 0.0
    var h = 0, i = 0
    for j in 0..<ksCount {
      let k = ks[j]
      while h < count && Int(hits[h]) <= k {
        dcg += discount[Int(hits[h])]
        h += 1
      }
      let top = Swift.min(row.relevant, k)
      while i < top {
        i += 1
        ideal += discount[i]
      }
      values[j] = dcg / ideal
    }
  }
}
