/// Fisher's randomization test for paired differences (the sign-flip test):
/// under the null hypothesis that the two systems are exchangeable on each
/// row, every difference d_i is as likely to have had the other sign.
///
/// The statistic is |Σ sᵢ·dᵢ| over sign vectors s ∈ {±1}ⁿ; the observed one
/// is |Σ dᵢ| (s = all +1).
/// - **Exact** (2ⁿ ≤ B): all 2ⁿ sign vectors, the identity included,
///   p = #{s : |Σ sᵢdᵢ| ≥ |Σ dᵢ|} / 2ⁿ (``exactPValue(differences:)``).
/// - **Sampled** (2ⁿ > B): B sign vectors from the counter-based generator,
///   p = (1 + #{b : |S_b| ≥ |S_obs|}) / (1 + B), the estimate that is a valid
///   p-value (Phipson & Smyth 2010) (``RandomizationSums``).
///
/// Every comparison |S_b| ≥ |S_obs| is decided exactly, never with a
/// tolerance that could flip a tie (ties are common: AP values take few
/// distinct values, and sums of them collide). The sums are formed in
/// doubles with a rigorous error bound, and the rare replicate within the
/// bound of the observed value is summed again exactly (``ExactSum``); see
/// ``RandomizationSums/pValue(resolve:)``. So the count is the count
/// of the exact arithmetic, whatever the summation order: any split of rows
/// or replicates over threads or shards gives the same p.
public enum RandomizationTest {
  /// The largest n enumerated exactly (2ⁿ sign vectors).
  public static let maximumExactRows = 30

  /// The p-value of `differences` with B = `permutations`: exact enumeration
  /// when 2ⁿ ≤ B (and n ≤ ``maximumExactRows``), else B seeded sign vectors,
  /// row i (of `firstRow + i` globally) keyed by its global index.
  ///
  /// NaN if a difference is not finite.
  ///
  /// - Complexity: O(n·B) (2ⁿ·n when exact).
  public static func pValue(differences: [Double], permutations: Int, seed: UInt64, firstRow: Int = 0) -> Double {
    let n = differences.count
    if n <= maximumExactRows && (1 << n) <= permutations { return exactPValue(differences: differences) }
    var sums = RandomizationSums(replicates: permutations, seed: seed)
    differences.withUnsafeBufferPointer { sums.add(differences: $0, firstRow: firstRow) }
    return sums.pValue { replicate in
      exactReplicateSum(differences: differences, firstRow: firstRow, replicate: replicate, seed: seed)
    }
  }

  /// The exact p-value over all 2ⁿ sign vectors, the identity included:
  /// #{s ∈ {±1}ⁿ : |Σ sᵢdᵢ| ≥ |Σ dᵢ|} / 2ⁿ. Sign vector b flips row i when
  /// bit i of b is set. Zero differences do not change it (each pairs two
  /// equal sums).
  ///
  /// - Precondition: n ≤ ``maximumExactRows``.
  /// - Complexity: O(2ⁿ·n).
  public static func exactPValue(differences d: [Double]) -> Double {
    let n = d.count
    precondition(n <= maximumExactRows, "exact enumeration needs n <= \(maximumExactRows)")
    if d.contains(where: { !$0.isFinite }) { return .nan }
    var observed = ExactSum()
    for x in d { observed.add(x) }
    let bound = ErrorBound(d, observed: observed)
    let total = 1 << n
    var count = 0
    for b in 0..<total {
      var s = 0.0
      for i in 0..<n { s += (b >> i) & 1 == 0 ? d[i] : -d[i] }
      switch bound.decide(s) {
      case .atLeast: count += 1
      case .below: break
      case .unsure:
        var exact = ExactSum()
        for i in 0..<n { exact.add((b >> i) & 1 == 0 ? d[i] : -d[i]) }
        if atLeast(exact, observed) { count += 1 }
      }
    }
    return Double(count) / Double(total)
  }

  /// Row range `firstRow ..< firstRow + differences.count`'s part of replicate
  /// `replicate`'s sum Σ sᵢdᵢ, exactly: the resolver of an unsure replicate
  /// for a caller whose rows are in several pieces (merge the pieces' sums).
  ///
  /// - Complexity: O(n).
  public static func exactReplicateSum(differences: [Double], firstRow: Int, replicate: Int, seed: UInt64)
    -> ExactSum
  {
    var s = ExactSum()
    let block = replicate >> 6, lane = UInt64(replicate & 63)
    for (i, d) in differences.enumerated() {
      let h = CounterHash.draw(CounterHash.rowStart(seed: seed, domain: CounterHash.signDomain, row: firstRow + i), block)
      s.add(Double(bitPattern: d.bitPattern ^ ((h >> lane) << 63)))
    }
    return s
  }

  /// |a| ≥ |b|, exactly.
  static func atLeast(_ a: ExactSum, _ b: ExactSum) -> Bool {
    BigMagnitude.compare(a.signAndMagnitude().magnitude, b.signAndMagnitude().magnitude) >= 0
  }

  /// A rigorous bound on the error of any floating-point summation of ±dᵢ.
  ///
  /// Any order or tree of n − 1 float additions of terms xᵢ errs by at most
  /// γₙ₋₁·Σ|xᵢ| with γₖ = k·u/(1 − k·u), u = 2⁻⁵³ (Higham, Accuracy and
  /// Stability, §4.2). Σ|dᵢ| itself is only known in floats (to within a
  /// factor 1 + γₙ), so the bound used is n·2⁻⁵²·Σ̂|dᵢ| (twice the first-order
  /// term covers both factors for n < 2⁴⁰), plus the half ulp of the observed
  /// sum rounded to a double, all doubled again for the rounding of the
  /// comparison itself. A replicate is decided in floats only outside this
  /// margin; inside, it is summed exactly.
  struct ErrorBound {
    /// |observed| rounded to a double.
    let observed: Double
    /// The margin around it within which a float sum decides nothing.
    let margin: Double

    init(_ d: [Double], observed: ExactSum) {
      var absolute = 0.0
      for x in d { absolute += abs(x) }
      self.init(count: d.count, absoluteSum: absolute, observed: observed)
    }

    init(count: Int, absoluteSum: Double, observed exact: ExactSum) {
      let error = Double(count) * 0x1p-52 * absoluteSum
      observed = abs(exact.doubleValue)
      margin = 2 * (error + observed * 0x1p-52) + .leastNormalMagnitude
    }

    enum Decision { case atLeast, below, unsure }

    /// Decides |S| ≥ |observed| from a float sum S of the replicate.
    @inline(__always)
    func decide(_ s: Double) -> Decision {
      let a = abs(s)
      if a > observed + margin { return .atLeast }
      if a < observed - margin { return .below }
      return .unsure
    }
  }
}

/// The mergeable state of a sampled randomization test: per replicate the
/// float sum Σ sᵢdᵢ of the rows added so far, and the exact observed sum.
///
/// Replicate b's sign for the row of global index r is bit b mod 64 of the
/// hash (seed, ⌊b/64⌋, r) (`CounterHash`): one 64-bit hash gives a row's
/// signs for 64 replicates, and the inner loop over those 64 lanes is a
/// branch-free xor of the sign bit and an add, which vectorizes. Rows may be
/// added in any pieces, on any threads, then merged: the float sums differ
/// in their last bits between splits, but the decisions do not (see
/// ``RandomizationTest``), so the p-value is the same.
public struct RandomizationSums: Sendable {
  /// B, the number of sampled sign vectors.
  public let replicates: Int
  /// The seed of the sign vectors.
  public let seed: UInt64
  /// The rows added.
  public internal(set) var count = 0
  /// Σ dᵢ over the rows added, exact (the observed statistic).
  public internal(set) var observed = ExactSum()
  /// Σ |dᵢ| in floats (for the error bound).
  public internal(set) var absoluteSum = 0.0
  /// The number of non-finite differences added (the p-value is then NaN).
  public internal(set) var nonFinite = 0
  /// Per replicate, Σ sᵢdᵢ in floats; 64 per block, the last block padded.
  public internal(set) var replicateSums: [Double]

  /// Creates the state of no rows.
  ///
  /// - Precondition: `replicates` ≥ 1.
  public init(replicates: Int, seed: UInt64) {
    precondition(replicates >= 1)
    self.replicates = replicates
    self.seed = seed
    replicateSums = Array(repeating: 0, count: (replicates + 63) / 64 * 64)
  }

  /// Adds rows `firstRow ..< firstRow + differences.count` (global row indices,
  /// which key the signs).
  ///
  /// - Complexity: O(n·B), with 64 replicates per row hash.
  public mutating func add(differences: UnsafeBufferPointer<Double>, firstRow: Int) {
    count += differences.count
    for d in differences {
      if !d.isFinite { nonFinite += 1; continue }
      observed.add(d)
      absoluteSum += abs(d)
    }
    let seed = self.seed
    let blocks = replicateSums.count / 64
    let chunk = 256
    // A chunk's row hashes and differences, computed once per block; then
    // each byte of the hashes drives eight lanes held in one SIMD8 register
    // group over the chunk's rows.
    let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: chunk)
    let bits = UnsafeMutablePointer<UInt64>.allocate(capacity: chunk)
    defer { hashes.deallocate(); bits.deallocate() }
    Self.signMasks.withUnsafeBufferPointer { table in
      let masks = table.baseAddress!
      replicateSums.withUnsafeMutableBufferPointer { sums in
        for block in 0..<blocks {
          let lanes = sums.baseAddress! + block * 64
          var start = 0
          while start < differences.count {
            let end = min(start + chunk, differences.count)
            var m = 0
            for i in start..<end {
              let d = differences[i]
              guard d.isFinite else { continue }
              hashes[m] = CounterHash.draw(
                CounterHash.rowStart(seed: seed, domain: CounterHash.signDomain, row: firstRow + i), block)
              bits[m] = d.bitPattern
              m += 1
            }
            // Lane j adds d with bit j of the row's hash as its sign: byte q
            // picks the sign masks of lanes 8q … 8q + 7 from the table, an xor
            // and an add for eight lanes at once. Each lane still adds the
            // rows in row order, so its float sum is the lane-by-lane one.
            for q in 0..<8 {
              var acc = SIMD8<Double>(UnsafeBufferPointer(start: lanes + 8 * q, count: 8))
              let shift = UInt64(8 * q)
              for r in 0..<m {
                let mask = UnsafeRawPointer(masks + Int(truncatingIfNeeded: (hashes[r] &>> shift) & 0xFF) &* 8)
                  .loadUnaligned(as: SIMD8<UInt64>.self)
                acc += unsafeBitCast(SIMD8<UInt64>(repeating: bits[r]) ^ mask, to: SIMD8<Double>.self)
              }
              for j in 0..<8 { lanes[8 * q + j] = acc[j] }
            }
            start = end
          }
        }
      }
    }
  }

  /// Adds another partial state of the same test (other rows).
  ///
  /// - Precondition: the same replicates and seed.
  /// - Complexity: O(B).
  public mutating func merge(_ other: RandomizationSums) {
    precondition(replicates == other.replicates && seed == other.seed, "merging different randomization tests")
    count += other.count
    observed.merge(other.observed)
    absoluteSum += other.absoluteSum
    nonFinite += other.nonFinite
    for i in replicateSums.indices { replicateSums[i] += other.replicateSums[i] }
  }

  /// `signMasks[8·byte + j]`: bit j of `byte` moved to the sign bit (the
  /// sign masks of eight lanes from one byte of a row's hash).
  static let signMasks: [UInt64] = (0..<256).flatMap { byte in
    (0..<8).map { j in UInt64((byte >> j) & 1) << 63 }
  }

  /// The replicates whose comparison with the observed statistic the float
  /// sums cannot decide (within the error bound): ``pValue(resolve:)``
  /// will ask for their exact sums.
  public var unsureReplicates: [Int] {
    let bound = RandomizationTest.ErrorBound(count: count, absoluteSum: absoluteSum, observed: observed)
    return (0..<replicates).filter { bound.decide(replicateSums[$0]) == .unsure }
  }

  /// p = (1 + #{b : |S_b| ≥ |S_obs|}) / (1 + B), every comparison exact.
  ///
  /// - Parameter resolve: The exact sum Σ sᵢdᵢ of a replicate the float sums
  ///   cannot decide (rare: a tie or a near tie), e.g. from
  ///   ``RandomizationTest/exactReplicateSum(differences:firstRow:replicate:seed:)``
  ///   over all rows, or the merge of it over the pieces of rows.
  /// - Returns: NaN if a difference was not finite.
  /// - Complexity: O(B), plus the resolver's work for unsure replicates.
  public func pValue(resolve: (Int) throws -> ExactSum) rethrows -> Double {
    if nonFinite > 0 { return .nan }
    let bound = RandomizationTest.ErrorBound(count: count, absoluteSum: absoluteSum, observed: observed)
    var extreme = 0
    for b in 0..<replicates {
      switch bound.decide(replicateSums[b]) {
      case .atLeast: extreme += 1
      case .below: break
      case .unsure: if RandomizationTest.atLeast(try resolve(b), observed) { extreme += 1 }
      }
    }
    return Double(1 + extreme) / Double(1 + replicates)
  }
}
