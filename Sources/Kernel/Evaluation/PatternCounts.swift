/// Rows counted by hit pattern. With every k at most 8, a row's value for
/// each metric and k depends only on which of ranks 1...maxK hold a hit and
/// on min(n, maxK) (a requirement of ``RankingMetric``; true of AP@k): at
/// most 2^8 · 8 patterns. Counting a row is one increment, where adding its
/// values would be a division per hit and an exact addition per (metric, k);
/// the sums are the same, exactly (count · value is added in two exact parts).
struct PatternCounts {
  static let maxK = 8
  let maxK: Int
  /// Rows per pattern (`mask · maxK + min(n, maxK) - 1`).
  var counts: UnsafeMutablePointer<Int32>
  /// The patterns with a nonzero count.
  var used: [Int] = []

  init(maxK: Int) {
    self.maxK = maxK
    let size = (1 << Self.maxK) * Self.maxK
    counts = .allocate(capacity: size)
    counts.initialize(repeating: 0, count: size)
    used.reserveCapacity(size)
  }

  /// Counts a row whose hits are at the `hits` ranks (each <= maxK, any order).
  @inline(__always)
  mutating func count(hits: UnsafePointer<Int32>, hitCount: Int, relevant n: Int) {
    var mask = 0
    for i in 0..<hitCount { mask |= 1 << (Int(hits[i]) - 1) }
    count(mask: mask, relevant: n)
  }

  /// Counts a row whose hits are the set bits of `mask` (bit `rank - 1`, ranks <= maxK).
  @inline(__always)
  mutating func count(mask: Int, relevant n: Int) {
    let p = mask * Self.maxK + Swift.min(n, maxK) - 1
    if counts[p] == 0 { used.append(p) }
    counts[p] += 1
  }

  /// The hit mask and n of pattern `p`.
  static func decode(_ p: Int) -> (mask: Int, n: Int) { (p / maxK, p % maxK + 1) }

  /// `x` as high + low, each with at most 27 significant bits (the high part
  /// keeps the top 26 of 53, the low part is the exact rest).
  static func split(_ x: Double) -> (Double, Double) {
    let high = Double(bitPattern: x.bitPattern & ~((1 << 27) - 1))
    return (high, x - high)
  }
}
