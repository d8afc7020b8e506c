/// What a threshold scan (`RowScanning.scan`) calls for the scores it cannot
/// rule out: every score whose key is at least ``threshold`` and every NaN,
/// in increasing index order. The scan may visit more than that (a block is
/// compared with the threshold it had when the block began), so a visitor
/// re-checks what it needs. The threshold may only rise during a scan.
protocol CandidateVisitor {
  associatedtype Bits: ScoreBits
  /// The smallest key that still matters.
  var threshold: Bits.Key { get }
  /// Takes the score at `index`; false stops the scan (a NaN under `.error`).
  mutating func visit(_ index: Int, _ bits: Bits) -> Bool
}

/// The NaN scores a scan met, and the key they rank with.
struct NaNTally<Key: FixedWidthInteger & SignedInteger> {
  let policy: NaNScorePolicy
  let key: Key
  var count = 0
  var first = -1

  init(policy: NaNScorePolicy, key: Key) {
    self.policy = policy
    self.key = key
  }

  /// The key the score `bits` at `index` ranks with: its own, or the
  /// policy's for a NaN, which is recorded; nil when the scan must stop (a
  /// NaN under `.error`).
  @inline(__always)
  mutating func rankKey<Bits: ScoreBits>(_ bits: Bits, at index: Int) -> Key? where Bits.Key == Key {
    guard Bits.isNaN(bits) else { return Bits.key(bits) }
    if count == 0 { first = index }
    count += 1
    return policy == .error ? nil : key
  }
}

/// Counts, for each label still in contention, the scores that rank before
/// it; a label beaten k times is out of the top k, and the threshold rises to
/// the next one. Labels are kept in rank order (larger key, then lower index),
/// so a score that beats a label beats every label ranked after it.
struct LabelRanker<Bits: ScoreBits>: CandidateVisitor {
  typealias Key = Bits.Key
  let keys: UnsafeMutablePointer<Key>
  let classes: UnsafeMutablePointer<Int32>
  let beaten: UnsafeMutablePointer<Int>
  /// Labels `0..<alive` are still possibly in the top k.
  var alive: Int
  let k: Int
  var nan: NaNTally<Key>
  /// The lowest live label's key (plus one once the scan is past its index);
  /// `Key.max` (only NaN matters) when none is left.
  var threshold: Key

  init(keys: UnsafeMutablePointer<Key>, classes: UnsafeMutablePointer<Int32>, beaten: UnsafeMutablePointer<Int>,
       alive: Int, k: Int, nan: NaNTally<Key>) {
    self.keys = keys
    self.classes = classes
    self.beaten = beaten
    self.alive = alive
    self.k = k
    self.nan = nan
    threshold = alive > 0 ? keys[alive - 1] : Key.max
  }

  @inline(__always)
  mutating func visit(_ index: Int, _ bits: Bits) -> Bool {
    guard let key = nan.rankKey(bits, at: index) else { return false }
    // From the lowest label up, while this score ranks before it. A label's
    // own score does not beat it (same key, same index) and stops the walk.
    let c = Int32(truncatingIfNeeded: index)
    var i = alive - 1
    while i >= 0 && (key > keys[i] || (key == keys[i] && c < classes[i])) {
      beaten[i] += 1
      i -= 1
    }
    if i < alive - 1 {
      while alive > 0 && beaten[alive - 1] >= k { alive -= 1 }
    }
    guard alive > 0 else {
      threshold = Key.max
      return true
    }
    // Past the lowest label's index, a score equal to it no longer ranks
    // before it (nor before an equal label, which has a lower index): only
    // larger keys matter from here. Ties are common in quantized scores.
    let lowest = keys[alive - 1]
    threshold = c >= classes[alive - 1] && lowest < Key.max ? lowest + 1 : lowest
    return true
  }
}

/// Collects every score with a key at least a fixed bound, and every NaN, as
/// (key, index) entries in index order.
struct Collector<Bits: ScoreBits>: CandidateVisitor {
  typealias Key = Bits.Key
  let entries: UnsafeMutablePointer<RankEntry<Key>>
  let threshold: Key
  var nan: NaNTally<Key>
  var count = 0

  init(entries: UnsafeMutablePointer<RankEntry<Key>>, threshold: Key, nan: NaNTally<Key>) {
    self.entries = entries
    self.threshold = threshold
    self.nan = nan
  }

  @inline(__always)
  mutating func visit(_ index: Int, _ bits: Bits) -> Bool {
    guard let key = nan.rankKey(bits, at: index) else { return false }
    // Every NaN is kept (its key may be below the bound under `.lowest`).
    guard key >= threshold || Bits.isNaN(bits) else { return true }
    entries[count] = RankEntry(key: key, index: Int32(truncatingIfNeeded: index))
    count += 1
    return true
  }
}

/// The running maximum: a score replaces it only if strictly larger, so among
/// equal maxima the lowest index stays (TensorFlow's tie rule).
struct ArgMax<Bits: ScoreBits>: CandidateVisitor {
  typealias Key = Bits.Key
  var nan: NaNTally<Key>
  var best: Key = Key.min
  var index = -1
  /// Above the best key (only NaN matters once the best is `Key.max`).
  var threshold: Key = Key.min

  init(nan: NaNTally<Key>) { self.nan = nan }

  @inline(__always)
  mutating func visit(_ i: Int, _ bits: Bits) -> Bool {
    guard let key = nan.rankKey(bits, at: i) else { return false }
    if key > best || index < 0 {
      best = key
      index = i
      threshold = key == Key.max ? Key.max : key + 1
    }
    return true
  }
}
