/// Rows counted by everything their values depend on, for any set of
/// metrics with every k at most 16: the hit ranks (a 16-bit mask),
/// `min(n, maxK)`, the relevant and distinct label counts and the run of hits
/// scored above 0 (`RankedRow`). Two rows with the same key have the same
/// value for every metric and k (``RankingMetric``'s rows are pure functions
/// of their `RankedRow`; TensorFlow's AP reads `n` only through
/// `min(n, k)`). Counting a row is one hash-table increment where adding its
/// values would be a call per metric and an exact addition per (metric, k);
/// the sums are the same, exactly (count · value is added in two exact
/// parts, as ``PatternCounts`` does).
///
/// Only rows that are not empty under any metric's rule are counted (so no
/// value is NaN and no policy applies); the others take the direct path.
struct RowOutcomeCounts {
  static let maxK = 16
  /// Slots of the open-addressing table (a power of 2); it is flushed when
  /// half full. A worker keeps its table across chunks, so it holds the
  /// distinct outcomes of many rows: 2^14 slots (192 KiB) hold the few
  /// thousand outcomes of typical data without a flush before the end.
  static let capacity = 1 << 14
  /// Rows held at most between flushes: every count stays below 2^26, so a
  /// count times a 27-bit part of a value is exact (`PatternCounts/split(_:)`).
  static let maxRows = (1 << 26) - 1
  /// The number of slots (0: counting is off).
  let slots: Int
  /// The key of each slot, -1 when free.
  let keys: UnsafeMutablePointer<Int64>
  /// Rows per slot.
  let counts: UnsafeMutablePointer<Int32>
  /// The slots in use, the first `usedCount`.
  let used: UnsafeMutablePointer<Int32>
  var usedCount = 0
  /// The rows counted since the last drain.
  var rows = 0

  /// A table of `slots` slots (a power of 2, or 0 for none).
  init(slots: Int) {
    self.slots = slots
    keys = .allocate(capacity: Swift.max(slots, 1))
    keys.initialize(repeating: -1, count: Swift.max(slots, 1))
    counts = .allocate(capacity: Swift.max(slots, 1))
    counts.initialize(repeating: 0, count: Swift.max(slots, 1))
    used = .allocate(capacity: Swift.max(slots / 2, 1))
  }

  func deallocate() {
    keys.deallocate()
    counts.deallocate()
    used.deallocate()
  }

  /// True when the table must be drained before another row: half its slots
  /// used (probes stay short), or `maxRows` rows held.
  var isFull: Bool { usedCount >= slots / 2 || rows >= Self.maxRows }

  /// True when no row is held.
  var isEmpty: Bool { usedCount == 0 }

  /// The key of a row, or nil when a count is too large for its field.
  @inline(__always)
  static func key(_ row: RankedRow, maxK: Int) -> Int64? {
    guard row.relevant < 256, row.distinct < 256 else { return nil }
    var mask: Int64 = 0
    // Every hit rank is in 1...maxK (at most 16): a plain shift.
    for i in 0..<row.count { mask |= 1 &<< Int64(truncatingIfNeeded: row.hits[i] &- 1) }
    let n = Int64(Swift.min(row.n, maxK))
    return mask | n << 16 | Int64(row.relevant) << 21 | Int64(row.distinct) << 29
      | Int64(row.positiveHits.lowerBound) << 37 | Int64(row.positiveHits.upperBound) << 42
  }

  /// Counts one row of `key`.
  @inline(__always)
  mutating func count(_ key: Int64) {
    rows &+= 1
    // Fibonacci hashing of the key (its top 14 bits), then linear probing.
    var slot = Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> 50) & (slots - 1)
    while true {
      let k = keys[slot]
      if k == key {
        counts[slot] &+= 1
        return
      }
      if k == -1 {
        keys[slot] = key
        counts[slot] = 1
        used[usedCount] = Int32(truncatingIfNeeded: slot)
        usedCount &+= 1
        return
      }
      slot = (slot &+ 1) & (slots - 1)
    }
  }

  /// Calls `body` with each counted key's row (hits written to `hits`, room
  /// for ``maxK``) and its count, then forgets them.
  mutating func drain(hits: UnsafeMutablePointer<Int32>, discounts: UnsafePointer<Double>?,
                      _ body: (RankedRow, Int32) -> Void) {
    for u in 0..<usedCount {
      let slot = Int(used[u])
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
    usedCount = 0
    rows = 0
  }
}
