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
