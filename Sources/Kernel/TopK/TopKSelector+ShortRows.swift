extension TopKSelector {
  /// Ranks the labels of a short row through its 32-bit keys (see
  /// ``ShortRows``) into ``hitRanks`` and returns how many are hits; nil
  /// when the row holds a NaN (the general path then applies the NaN policy).
  ///
  /// - Complexity: O(classes · (1 + m) / 4) vector operations for m labels.
  @inline(__always)
  func rankShortRow(_ row: UnsafePointer<Bits>, _ ids: UnsafePointer<Int32>, count m: Int, keys: UnsafeMutablePointer<Int32>,
                    table: UnsafePointer<Int32>) -> Int? {
    guard Bits.shortRowKeys(row, count: classes, into: keys) else { return nil }
    return ShortRows.rank(keys: keys, chunks: ShortRows.chunks(classes: classes), table: table, ids: ids, count: m,
                          k: k, into: hitRanks)
  }
}
