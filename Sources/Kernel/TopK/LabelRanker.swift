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
