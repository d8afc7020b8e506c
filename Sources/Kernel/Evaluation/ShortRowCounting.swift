internal import CMAPKSIMD

/// What the row loop of ``RowEvaluator`` needs to rank short rows (see
/// ``ShortRows``) straight into a hit pattern: the selector's key scratch and
/// table, held in locals so that a row is the key pass and one count per
/// label, with no call into the selector, no ranks stored and no dispatch
/// on the row's strategy.
struct ShortRowCounting<Bits: RowScanning> {
  let keys: UnsafeMutablePointer<Int32>
  let table: UnsafePointer<Int32>
  let classes: Int
  let chunks: Int
  let k: Int
  /// float32 rows on a C path: keys and counts in one C call per row
  /// (``ShortRows/float32HitMask(_:classes:table:ids:count:k:)``).
  let inC: Bool

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
    inC = Bits.self == UInt32.self && SIMDPath.usesC
  }

  /// The C call for float32 rows (``inC``): the pattern, or nil for a NaN.
  @inline(__always)
  func patternInC(_ row: UnsafePointer<Bits>, _ ids: UnsafePointer<Int32>, count m: Int) -> Int? {
    ShortRows.float32HitMask(UnsafeRawPointer(row).assumingMemoryBound(to: UInt32.self), classes: classes, table: table,
                             ids: ids, count: m, k: k)
  }

  /// The hit pattern of `row` for the distinct classes `ids[0..<m]` (bit
  /// `rank - 1` per hit); nil when the row holds a NaN, which the general
  /// path ranks under the NaN policy.
  ///
  /// - Complexity: O(classes · (1 + m) / 4) vector operations.
  @inline(__always)
  func pattern(_ row: UnsafePointer<Bits>, _ ids: UnsafePointer<Int32>, count m: Int) -> Int? {
    if inC { return patternInC(row, ids, count: m) }
    guard Bits.shortRowKeys(row, count: classes, into: keys) else { return nil }
    return ShortRows.hitMask(keys: keys, chunks: chunks, table: table, ids: ids, count: m, k: k)
  }

  /// The widest dense label rows ``countRows(_:from:to:labels:width:ids:into:)`` takes.
  static var maxWidth: Int { 16 }

  /// Counts rows `from..<to` into `patterns` while they are short rows with
  /// at least one label and no NaN; returns the first row it did not count
  /// (`to` when it counted them all), which the general path evaluates.
  ///
  /// Dense labels of `width` <= ``maxWidth`` slots per row, read here (no
  /// call per row): the classes seen so far as a 64-bit set, results kept
  /// by arithmetic. `ids` has room for `width` classes. (Ranking every slot,
  /// padding included, to make the loop over the labels the same on every
  /// row was measured 10% slower than this loop's mispredicted exit.)
  ///
  /// - Complexity: O((to - from) · classes · (1 + m) / 4) vector operations
  ///   for m labels per row.
  @inline(__always)
  func countRows<T: FixedWidthInteger>(_ base: UnsafePointer<Bits>, from: Int, to: Int, labels: UnsafePointer<T>,
                                       width: Int, ids: UnsafeMutablePointer<Int32>, into patterns: inout PatternCounts)
    -> Int
  {
    if inC { return countRowsInC(base, from: from, to: to, labels: labels, width: width, ids: ids, into: &patterns) }
    let c = UInt64(classes)
    var r = from
    while r < to {
      // The keys first on the Swift path (a NaN row ends the run before its labels are read).
      guard inC || Bits.shortRowKeys(base + r &* classes, count: classes, into: keys) else { return r }
      // Dense counting: n counts every in-range slot (repeats too); a class
      // is ranked once (in range, not in an earlier slot).
      var n = 0, m = 0
      var seen: UInt64 = 0
      let slots = labels + r &* width
      for i in 0..<width {
        let v = Int64(slots[i])
        let valid = UInt64(bitPattern: v) < c
        // &<< shifts by v mod 64; the bit of an invalid label is dropped.
        let bit = (1 as UInt64) &<< UInt64(truncatingIfNeeded: v) & (valid ? ~0 : 0)
        n &+= valid ? 1 : 0
        // Written always, kept (m advanced) only for a new in-range class.
        ids[m] = Int32(truncatingIfNeeded: v)
        m &+= bit & ~seen != 0 ? 1 : 0
        seen |= bit
      }
      if n == 0 { return r }
      let mask: Int
      if inC {
        guard let found = patternInC(base + r &* classes, ids, count: m) else { return r }  // a NaN
        mask = found
      } else {
        mask = ShortRows.hitMask(keys: keys, chunks: chunks, table: table, ids: ids, count: m, k: k)
      }
      patterns.count(mask: mask, relevant: n)
      r &+= 1
    }
    return to
  }

  /// The rows of one C call of `countRowsInC(_:from:to:labels:width:ids:into:)`.
  static var rowsPerCall: Int { 256 }

  /// `countRows(_:from:to:labels:width:ids:into:)` on a C path (float32,
  /// `inC`): one C call per `rowsPerCall` rows reads the label slots the
  /// same way (dense counting, a class ranked once) and makes each row's
  /// pattern as `patternInC(_:_:count:)` does; here the rows are only counted.
  ///
  /// - Complexity: as `countRows(_:from:to:labels:width:ids:into:)`.
  @inline(__always)
  func countRowsInC<T: FixedWidthInteger>(_ base: UnsafePointer<Bits>, from: Int, to: Int, labels: UnsafePointer<T>,
                                          width: Int, ids: UnsafeMutablePointer<Int32>,
                                          into patterns: inout PatternCounts) -> Int
  {
    // Label values are int32 or int64 (`LabelRows.Values`).
    precondition(T.isSigned && (T.bitWidth == 32 || T.bitWidth == 64))
    let block = Self.rowsPerCall
    return withUnsafeTemporaryAllocation(of: Int64.self, capacity: block) { masks in
      withUnsafeTemporaryAllocation(of: Int32.self, capacity: block) { relevant in
        var r = from
        while r < to {
          let end = Swift.min(to, r &+ block)
          let next = Int(mapk_f32_short_rows(
            UnsafeRawPointer(base).assumingMemoryBound(to: Float.self), Int64(classes), Int64(r), Int64(end),
            UnsafeRawPointer(labels), Int64(T.bitWidth / 8), Int64(width), Int64(k), table,
            Int64(ShortRows.chunks(classes: classes) &* 8), ids, masks.baseAddress!, relevant.baseAddress!))
          for i in 0..<(next &- r) { patterns.count(mask: Int(masks[i]), relevant: Int(relevant[i])) }
          // A row with a NaN or without a label: the general path's.
          if next < end { return next }
          r = end
        }
        return to
      }
    }
  }
}
