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
