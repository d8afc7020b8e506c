/// The sampled randomization test from exact per-replicate sums: the form a
/// compare state carries across shards (`mapk compare --shard I/N --state S`).
///
/// Within one process ``RandomizationSums`` keeps float sums and resolves the
/// rare replicate within its error bound by summing it again exactly over
/// all rows. A shard cannot: the bound depends on the observed sum of all
/// rows, which no shard knows, and the merge has no rows. So a shard keeps,
/// per replicate b, the exact sum Σ sᵢdᵢ of its rows (signs drawn exactly as
/// ``RandomizationSums`` draws them, keyed by the global row index); the
/// shards' exact sums add to the exact sums of all rows, and every
/// comparison |S_b| ≥ |S_obs| is then decided exactly. The single run decides
/// the same comparisons exactly too, so both count the same replicates and
/// give the same p, bit for bit.
extension RandomizationTest {
  /// Per replicate in `replicates`, the exact sum Σ sᵢdᵢ over rows
  /// `firstRow ..< firstRow + differences.count` (global indices, which key
  /// the signs as in ``RandomizationSums``). A zero difference adds nothing
  /// and is skipped.
  ///
  /// - Complexity: O(n·|replicates|), one hash per row and block of 64 replicates.
  public static func exactReplicateSums(differences: UnsafeBufferPointer<Double>, firstRow: Int,
                                        replicates: Range<Int>, seed: UInt64) -> [ExactSum] {
    var sums = [ExactSum](repeating: ExactSum(), count: replicates.count)
    guard !replicates.isEmpty else { return sums }
    let rows = differences.indices.filter { differences[$0] != 0 }
    sums.withUnsafeMutableBufferPointer { out in
      var b = replicates.lowerBound
      while b < replicates.upperBound {
        // The replicates of one 64-lane block share a row's hash.
        let block = b >> 6
        let end = min(replicates.upperBound, (block + 1) << 6)
        for i in rows {
          let d = differences[i]
          let h = CounterHash.draw(CounterHash.rowStart(seed: seed, domain: CounterHash.signDomain, row: firstRow + i), block)
          for r in b..<end {
            // Bit r mod 64 of the hash is the sign, as in `RandomizationSums.add`.
            out[r - replicates.lowerBound].add(Double(bitPattern: d.bitPattern ^ ((h >> UInt64(r & 63)) << 63)))
          }
        }
        b = end
      }
    }
    return sums
  }

  /// p = (1 + #{b : |S_b| ≥ |S_obs|}) / (1 + B) from exact sums, every
  /// comparison exact: what ``RandomizationSums/pValue(resolve:)`` gives for
  /// the same rows, seed and B.
  ///
  /// - Parameters:
  ///   - observed: Σ dᵢ over all rows in the test, exact.
  ///   - replicateSums: Per replicate, Σ sᵢdᵢ over the same rows, exact.
  /// - Returns: NaN if a difference was not finite (a sum has NaN or infinite terms).
  /// - Complexity: O(B · limbs).
  public static func pValue(observed: ExactSum, replicateSums: [ExactSum]) -> Double {
    if observed.hasSpecialTerms || replicateSums.contains(where: \.hasSpecialTerms) { return .nan }
    var extreme = 0
    for s in replicateSums where atLeast(s, observed) { extreme += 1 }
    return Double(1 + extreme) / Double(1 + replicateSums.count)
  }
}
