/// A tiny seeded generator (SplitMix64): every randomized test is
/// reproducible from its seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// A generator starting from `seed`.
  public init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Runs `body` once per seed; a failure inside names the seed (pass it to
/// the assertion messages through the argument).
public func withEvery<S: Sequence>(seed seeds: S, _ body: (UInt64, inout SplitMix64) throws -> Void) rethrows
where S.Element == UInt64 {
  for seed in seeds {
    var rng = SplitMix64(seed: seed)
    try body(seed, &rng)
  }
}
