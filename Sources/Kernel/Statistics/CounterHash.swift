/// Counter-based random bits for the randomization test and the bootstrap:
/// a pure function of (seed, stream, row, index), so a row's draws do not
/// depend on which thread or shard evaluates it, nor on what else was drawn.
///
/// Row r's stream is a SplitMix64 sequence whose start is itself a SplitMix64
/// hash of (seed, domain, r): draw i of the row is the finalizer of
/// `start + (i + 1)·γ`, exactly the (i + 1)-th output of `SplitMix64(seed: start)`.
/// SplitMix64 passes BigCrush (Steele, Lea & Flood 2014); it is not a
/// cryptographic generator, and need not be.
@usableFromInline
enum CounterHash {
  /// SplitMix64's increment, the odd integer nearest 2⁶⁴/φ.
  @usableFromInline static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

  /// SplitMix64's output function (Stafford's Mix13 variant).
  @inlinable @inline(__always)
  static func mix(_ z0: UInt64) -> UInt64 {
    var z = z0
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// The start of row `row`'s stream under `seed`, for one use (`domain`
  /// keeps the randomization test's bits independent of the bootstrap's).
  @inlinable @inline(__always)
  static func rowStart(seed: UInt64, domain: UInt64, row: Int) -> UInt64 {
    mix(mix(seed &+ domain &* gamma) &+ UInt64(bitPattern: Int64(row)) &* 0xD1B5_4A32_D192_ED03)
  }

  /// Draw `index` of the stream starting at `start`.
  @inlinable @inline(__always)
  static func draw(_ start: UInt64, _ index: Int) -> UInt64 {
    mix(start &+ (UInt64(bitPattern: Int64(index)) &+ 1) &* gamma)
  }

  /// The domain of the randomization test's sign bits.
  @usableFromInline static let signDomain: UInt64 = 1
  /// The domain of the bootstrap's Poisson counts.
  @usableFromInline static let poissonDomain: UInt64 = 2
}
