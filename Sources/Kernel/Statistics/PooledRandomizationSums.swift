/// Fisher's randomization test of a pooled ratio (TensorFlow's precision and
/// recall, Σ hits / Σ n), paired: under the null hypothesis the two systems
/// are exchangeable on each row, so each row's (hits, n) is as likely to have
/// been the other system's. A permutation swaps the chosen rows' pairs; its
/// statistic is |Σ hits_A / Σ n_A − Σ hits_B / Σ n_B| over the swapped sums,
/// the observed one that of no swap.
///
/// With dh = hits_A − hits_B, dn = n_A − n_B per row, H = Σ (hits_A + hits_B)
/// and N = Σ (n_A + n_B) (a swap changes neither), a permutation s ∈ {±1}ⁿ
/// (−1: swapped) gives Σ hits_A = (H + Σ sᵢ·dhᵢ)/2 and Σ n_A = (N + Σ sᵢ·dnᵢ)/2:
/// two sign-flip sums, drawn exactly as ``RandomizationSums`` draws them (row
/// r swapped in permutation b when bit b mod 64 of the hash of (seed, ⌊b/64⌋,
/// r) is set), so the permutations are the mean metrics' sign flips.
///
/// **Exact.** Hits and n are integers (counts of labels, or k), so every
/// partial sum of ±dh or ±dn is an integer and, while Σ|dh| and Σ|dn| stay
/// below 2⁵³, every float addition is exact: the sums are the same in any
/// order, on any split of rows, and the statistic is compared as a fraction
/// of 128-bit integers, X·N − H·Y over Y·(N − Y) (X = Σ hits_A, Y = Σ n_A; a
/// zero denominator makes its ratio 0, TensorFlow's `div_no_nan`), never
/// with a tolerance. Counts that are not integers, negative or beyond 2⁵²
/// make the p-value NaN rather than an inexact one.
///
/// Rows may be added in any pieces, on any threads, then merged
/// (``merge(_:)``): the p-value is a function of the rows and the seed only.
public struct PooledRandomizationSums: Sendable {
  /// Per replicate, Σ sᵢ·dhᵢ (exact integers held in doubles).
  public internal(set) var hits: RandomizationSums
  /// Per replicate, Σ sᵢ·dnᵢ (exact integers held in doubles).
  public internal(set) var counts: RandomizationSums
  /// H = Σ (hits_A + hits_B), exact while below 2⁵³.
  public internal(set) var totalHits = 0.0
  /// N = Σ (n_A + n_B), exact while below 2⁵³.
  public internal(set) var totalCounts = 0.0
  /// Σ hits_A (the observed X).
  public internal(set) var observedHits = 0.0
  /// Σ n_A (the observed Y).
  public internal(set) var observedCounts = 0.0
  /// Rows whose hits or n are not integers in 0 … 2⁵² (the p-value is then NaN).
  public internal(set) var invalid = 0

  /// The largest total kept exact: sums of integers below it are exact in doubles.
  static let limit = 0x1p52

  /// Creates the state of no rows.
  ///
  /// - Precondition: `replicates` ≥ 1.
  public init(replicates: Int, seed: UInt64) {
    hits = RandomizationSums(replicates: replicates, seed: seed)
    counts = RandomizationSums(replicates: replicates, seed: seed)
  }

  /// B.
  public var replicates: Int { hits.replicates }

  /// Adds rows `firstRow ..< firstRow + hitsA.count` (global indices, which
  /// key the swaps): each row's hits and n under system A and system B. A row
  /// out of the tests is given as zeros (it changes no sum).
  ///
  /// - Precondition: the four buffers have one entry per row.
  /// - Complexity: O(n·B) (twice that when the n differ between the systems).
  public mutating func add(hitsA: UnsafeBufferPointer<Double>, countsA: UnsafeBufferPointer<Double>,
                           hitsB: UnsafeBufferPointer<Double>, countsB: UnsafeBufferPointer<Double>, firstRow: Int) {
    let n = hitsA.count
    precondition(countsA.count == n && hitsB.count == n && countsB.count == n, "one entry per row")
    var dh = [Double](repeating: 0, count: n), dn = [Double](repeating: 0, count: n)
    var anyCount = false, anyHit = false
    for i in 0..<n {
      let (ha, na, hb, nb) = (hitsA[i], countsA[i], hitsB[i], countsB[i])
      guard Self.isCount(ha), Self.isCount(na), Self.isCount(hb), Self.isCount(nb) else {
        invalid += 1
        continue
      }
      // Integers below 2⁵², so each difference and sum below is exact.
      dh[i] = ha - hb
      dn[i] = na - nb
      anyHit = anyHit || dh[i] != 0
      anyCount = anyCount || dn[i] != 0
      totalHits += ha + hb
      totalCounts += na + nb
      observedHits += ha
      observedCounts += na
    }
    // A piece of zero differences adds 0 to every replicate sum: skipped
    // (precision's n is k in both systems), the sums are the same.
    if anyHit { dh.withUnsafeBufferPointer { hits.add(differences: $0, firstRow: firstRow) } }
    if anyCount { dn.withUnsafeBufferPointer { counts.add(differences: $0, firstRow: firstRow) } }
  }

  /// True when `x` is an integer in 0 … 2⁵².
  static func isCount(_ x: Double) -> Bool { x >= 0 && x <= limit && x == x.rounded(.towardZero) }

  /// Adds another partial state of the same test (other rows).
  ///
  /// - Precondition: the same replicates and seed.
  public mutating func merge(_ other: PooledRandomizationSums) {
    hits.merge(other.hits)
    counts.merge(other.counts)
    totalHits += other.totalHits
    totalCounts += other.totalCounts
    observedHits += other.observedHits
    observedCounts += other.observedCounts
    invalid += other.invalid
  }

  /// True when every sum is exact (the totals and the replicates' sums stay below 2⁵²).
  var isExact: Bool {
    invalid == 0 && totalHits <= Self.limit && totalCounts <= Self.limit
      && hits.absoluteSum <= Self.limit && counts.absoluteSum <= Self.limit
  }

  /// p = (1 + #{b : T_b ≥ T_obs}) / (1 + B), each comparison exact; NaN
  /// when a count was not an integer in 0 … 2⁵² or a total exceeds 2⁵².
  ///
  /// - Complexity: O(B).
  public var pValue: Double {
    guard isExact else { return .nan }
    let h = Int64(totalHits), n = Int64(totalCounts)
    let observed = PooledStatistic(x: Int64(observedHits), y: Int64(observedCounts), h: h, n: n)
    var extreme = 0
    for b in 0..<replicates {
      // H + Σ s·dh = 2·Σ hits_A of the permutation: even, exact.
      let x = (h + Int64(hits.replicateSums[b])) / 2, y = (n + Int64(counts.replicateSums[b])) / 2
      if PooledStatistic(x: x, y: y, h: h, n: n).isAtLeast(observed) { extreme += 1 }
    }
    return Double(1 + extreme) / Double(1 + replicates)
  }

  /// The exact p-value over all 2ⁿ swap vectors, no swap included:
  /// #{s : T_s ≥ T_obs} / 2ⁿ. Vector b swaps row i when bit i of b is set.
  /// NaN when a count is not an integer in 0 … 2⁵² or a total exceeds 2⁵².
  ///
  /// - Precondition: n ≤ ``RandomizationTest/maximumExactRows``, four arrays of n.
  /// - Complexity: O(2ⁿ·n).
  public static func exactPValue(hitsA: [Double], countsA: [Double], hitsB: [Double], countsB: [Double]) -> Double {
    let n = hitsA.count
    precondition(n <= RandomizationTest.maximumExactRows, "exact enumeration needs n <= \(RandomizationTest.maximumExactRows)")
    precondition(countsA.count == n && hitsB.count == n && countsB.count == n, "one entry per row")
    var h = 0.0, c = 0.0
    for i in 0..<n {
      guard isCount(hitsA[i]), isCount(countsA[i]), isCount(hitsB[i]), isCount(countsB[i]) else { return .nan }
      h += hitsA[i] + hitsB[i]
      c += countsA[i] + countsB[i]
    }
    guard h <= limit, c <= limit else { return .nan }
    let ha = hitsA.map { Int64($0) }, na = countsA.map { Int64($0) }
    let hb = hitsB.map { Int64($0) }, nb = countsB.map { Int64($0) }
    let total = PooledStatistic(x: 0, y: 0, h: Int64(h), n: Int64(c))
    let observed = PooledStatistic(x: ha.reduce(0, +), y: na.reduce(0, +), h: total.h, n: total.n)
    var count = 0
    for b in 0..<(1 << n) {
      var x: Int64 = 0, y: Int64 = 0
      for i in 0..<n {
        let swapped = (b >> i) & 1 == 1
        x += swapped ? hb[i] : ha[i]
        y += swapped ? nb[i] : na[i]
      }
      if PooledStatistic(x: x, y: y, h: total.h, n: total.n).isAtLeast(observed) { count += 1 }
    }
    return Double(count) / Double(1 << n)
  }
}
