/// What the row loop of ``RowEvaluator`` needs to rank short rows (see
/// ``ShortRows``) straight into an AP pattern: the selector's key scratch and
/// table, held in locals so that a row is the key pass and one count per
/// label, with no call into the selector, no ranks stored and no dispatch
/// on the row's strategy.
struct ShortRowCounting<Bits: RowScanning> {
  let keys: UnsafeMutablePointer<Int32>
  let table: UnsafePointer<Int32>
  let classes: Int
  let chunks: Int
  let k: Int

  /// The short-row state of `selector`; nil when its rows are not short or
  /// its k is above the patterns' ``PatternCounts/maxK``.
  init?(_ selector: TopKSelector<Bits>) {
    guard let keys = selector.shortKeys, let table = selector.shortTable, selector.k <= PatternCounts.maxK else {
      return nil
    }
    self.keys = keys
    self.table = UnsafePointer(table)
    classes = selector.classes
    chunks = ShortRows.chunks(classes: classes)
    k = selector.k
  }

  /// The AP pattern of `row` for the distinct classes `ids[0..<m]` (bit
  /// `rank - 1` per hit); nil when the row holds a NaN, which the general
  /// path ranks under the NaN policy.
  ///
  /// - Complexity: O(classes · (1 + m) / 4) vector operations.
  @inline(__always)
  func pattern(_ row: UnsafePointer<Bits>, _ ids: UnsafePointer<Int32>, count m: Int) -> Int? {
    guard Bits.shortRowKeys(row, count: classes, into: keys) else { return nil }
    return ShortRows.hitMask(keys: keys, chunks: chunks, table: table, ids: ids, count: m, k: k)
  }
}
