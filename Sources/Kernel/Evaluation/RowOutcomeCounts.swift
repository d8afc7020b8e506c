/// Rows counted by everything their values depend on, for any set of
/// metrics with every k at most 16: the hit ranks (a 16-bit mask),
/// `min(n, maxK)`, the relevant and distinct label counts and the run of hits
/// scored above 0 (``RankedRow``). Two rows with the same key have the same
/// value for every metric and k (``RankingMetric``'s rows are pure functions
/// of their ``RankedRow``; TensorFlow's AP reads `n` only through
/// `min(n, k)`). Counting a row is one hash-table increment where adding its
/// values would be a call per metric and an exact addition per (metric, k);
/// the sums are the same, exactly (count · value is added in two exact
/// parts, as ``PatternCounts`` does).
///
/// Only rows that are not empty under any metric's rule are counted (so no
/// value is NaN and no policy applies); the others take the direct path.
struct RowOutcomeCounts {
  static let maxK = 16
  /// Slots of the open-addressing table (a power of 2); it is flushed when half full.
  static let capacity = 4096
  /// The key of each slot, -1 when free.
  let keys: UnsafeMutablePointer<Int64>
  /// Rows per slot.
  let counts: UnsafeMutablePointer<Int32>
  /// The slots in use.
  var used: [Int] = []

  init() {
    keys = .allocate(capacity: Self.capacity)
    keys.initialize(repeating: -1, count: Self.capacity)
    counts = .allocate(capacity: Self.capacity)
    counts.initialize(repeating: 0, count: Self.capacity)
    used.reserveCapacity(Self.capacity / 2)
  }

  func deallocate() {
    keys.deallocate()
    counts.deallocate()
  }

  /// True when the table should be flushed before more rows.
  var isHalfFull: Bool { used.count >= Self.capacity / 2 }

  /// The key of a row, or nil when a count is too large for its field.
  @inline(__always)
  static func key(_ row: RankedRow, maxK: Int) -> Int64? {
    guard row.relevant < 256, row.distinct < 256 else { return nil }
    var mask: Int64 = 0
    for i in 0..<row.count { mask |= 1 << Int64(row.hits[i] - 1) }
    let n = Int64(Swift.min(row.n, maxK))
    return mask | n << 16 | Int64(row.relevant) << 21 | Int64(row.distinct) << 29
      | Int64(row.positiveHits.lowerBound) << 37 | Int64(row.positiveHits.upperBound) << 42
  }

  /// Counts one row of `key`.
  @inline(__always)
  mutating func count(_ key: Int64) {
    // Fibonacci hashing of the key, then linear probing.
    var slot = Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> 52)
    while true {
      let k = keys[slot]
      if k == key {
        counts[slot] &+= 1
        return
      }
      if k == -1 {
        keys[slot] = key
        counts[slot] = 1
        used.append(slot)
        return
      }
      slot = (slot &+ 1) & (Self.capacity - 1)
    }
  }

  /// Calls `body` with each counted key's row (hits written to `hits`, room
  /// for ``maxK``) and its count, then forgets them.
  mutating func drain(hits: UnsafeMutablePointer<Int32>, discounts: UnsafePointer<Double>?,
                      _ body: (RankedRow, Int32) -> Void) {
    for slot in used {
      let key = keys[slot], count = counts[slot]
      keys[slot] = -1
      counts[slot] = 0
      var h = 0
      for rank in 0..<Self.maxK where key & (1 << Int64(rank)) != 0 {
        hits[h] = Int32(rank + 1)
        h += 1
      }
      let low = Int(key >> 37 & 31), high = Int(key >> 42 & 31)
      body(RankedRow(hits: hits, count: h, n: Int(key >> 16 & 31), relevant: Int(key >> 21 & 255),
                     distinct: Int(key >> 29 & 255), positiveHits: low..<high, discounts: discounts), count)
    }
    used.removeAll(keepingCapacity: true)
  }
}
