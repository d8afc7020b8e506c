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
