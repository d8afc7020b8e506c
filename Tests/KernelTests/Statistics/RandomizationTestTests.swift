@testable import MAPKKernel
import TestSupport
import Testing

@Suite struct RandomizationTestTests {
  /// The exact p by brute force: every sign vector summed in ``ExactSum``
  /// and compared exactly (no float sums, no error bound).
  func bruteForce(_ d: [Double]) -> Double {
    var observed = ExactSum()
    for x in d { observed.add(x) }
    var count = 0
    for b in 0..<(1 << d.count) {
      var s = ExactSum()
      for (i, x) in d.enumerated() { s.add((b >> i) & 1 == 0 ? x : -x) }
      if RandomizationTest.atLeast(s, observed) { count += 1 }
    }
    return Double(count) / Double(1 << d.count)
  }

  @Test func knownExactValues() {
    // [1, 1, 1]: only s = +++ and −−− reach |3|: 2/8.
    #expect(RandomizationTest.exactPValue(differences: [1, 1, 1]) == 0.25)
    // [1, −1]: the observed sum is 0, every vector reaches it.
    #expect(RandomizationTest.exactPValue(differences: [1, -1]) == 1)
    #expect(RandomizationTest.exactPValue(differences: []) == 1)
    // 0.1 + 0.2 − 0.3 is 2^-55 exactly in doubles; its mirror ties with it
    // and every other vector is far above: 8/8. A float sum in another order
    // gives 0 or 5.6e-17, which a tolerance-free float comparison would miscount.
    #expect(RandomizationTest.exactPValue(differences: [0.1, 0.2, -0.3]) == 1)
    // A zero row changes nothing.
    #expect(RandomizationTest.exactPValue(differences: [1, 1, 1, 0]) == 0.25)
    #expect(RandomizationTest.exactPValue(differences: [1, .nan]).isNaN)
  }

  @Test(arguments: [UInt64(1401), 1402, 1403, 1404, 1405, 1406])
  func exactEnumerationEqualsBruteForce(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    // Ties, zeros, equal |d| and inexact tenths.
    let pool: [Double] = [0, 0, 0.25, -0.25, 0.5, -0.5, 1, -1, 0.1, -0.1, 0.2, -0.3, 0.7, 1.0 / 3, -2.0 / 3]
    for n in [1, 2, 5, 9, 12, seed == 1401 ? 16 : 14] {
      let d = (0..<n).map { _ in pool[Int(rng.next() % UInt64(pool.count))] }
      #expect(RandomizationTest.exactPValue(differences: d) == bruteForce(d), "seed \(seed), d = \(d)")
    }
  }

  @Test func pValueChoosesExactWhenItCan() {
    let d: [Double] = [0.5, 0.25, 0.25, -0.5, 1, 0.75]
    // 2^6 = 64 <= B: exact, whatever the seed.
    #expect(RandomizationTest.pValue(differences: d, permutations: 64, seed: 1) == bruteForce(d))
    #expect(RandomizationTest.pValue(differences: d, permutations: 10_000, seed: 2) == bruteForce(d))
    // B < 2^6: sampled, (1 + count)/(1 + B).
    let sampled = RandomizationTest.pValue(differences: d, permutations: 63, seed: 3)
    #expect((sampled * 64).rounded() == sampled * 64)
  }

  /// Sampled replicates decided exactly: the p equals the count of exact
  /// sums of the same sign vectors, even with many ties.
  @Test(arguments: [UInt64(1411), 1412, 1413])
  func sampledComparisonsAreExact(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let d = (0..<40).map { _ in [-1.0, 0, 0, 1, 0.5, 0.1][Int(rng.next() % 6)] }
    let B = 500
    var sums = RandomizationSums(replicates: B, seed: seed)
    d.withUnsafeBufferPointer { sums.add(differences: $0, firstRow: 0) }
    #expect(!sums.unsureReplicates.isEmpty, "seed \(seed): ties should make some replicates unsure")
    var observed = ExactSum()
    for x in d { observed.add(x) }
    var count = 0
    for b in 0..<B {
      let s = RandomizationTest.exactReplicateSum(differences: d, firstRow: 0, replicate: b, seed: seed)
      if RandomizationTest.atLeast(s, observed) { count += 1 }
    }
    let p = RandomizationTest.pValue(differences: d, permutations: B, seed: seed)
    #expect(p == Double(1 + count) / Double(1 + B), "seed \(seed)")
  }

  @Test(arguments: [UInt64(1421), 1422])
  func anySplitOfRowsGivesTheSameP(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let d = (0..<2000).map { _ in Double(rng.next() % 5) / 4 - Double(rng.next() % 5) / 4 + (rng.next() % 3 == 0 ? 0.1 : 0) }
    let B = 300
    let whole = RandomizationTest.pValue(differences: d, permutations: B, seed: seed)
    for _ in 0..<5 {
      var cuts = [0, d.count]
      for _ in 0..<Int(1 + rng.next() % 6) { cuts.append(Int(rng.next() % UInt64(d.count))) }
      cuts.sort()
      var pieces: [RandomizationSums] = []
      for (lo, hi) in zip(cuts, cuts.dropFirst()) {
        var s = RandomizationSums(replicates: B, seed: seed)
        Array(d[lo..<hi]).withUnsafeBufferPointer { s.add(differences: $0, firstRow: lo) }
        pieces.append(s)
      }
      pieces.shuffle(using: &rng)
      var merged = pieces[0]
      for p in pieces.dropFirst() { merged.merge(p) }
      // The resolver merges the pieces' exact sums, as a sharded caller would.
      let p = merged.pValue { b in
        var total = ExactSum()
        for (lo, hi) in zip(cuts, cuts.dropFirst()) {
          total.merge(RandomizationTest.exactReplicateSum(differences: Array(d[lo..<hi]), firstRow: lo, replicate: b, seed: seed))
        }
        return total
      }
      #expect(p == whole, "seed \(seed), cuts \(cuts)")
    }
  }

  /// Large n: within binomial error of a reference made with 40 times as
  /// many sign vectors (another seed).
  @Test(arguments: [UInt64(1431), 1432])
  func sampledPIsWithinBinomialErrorOfAReference(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let d = (0..<400).map { _ in rng.nextUnitDouble() - 0.45 }  // mean 0.05, sd 0.29: p around 0.0005 … 0.5
    let B = 1000
    let p = RandomizationTest.pValue(differences: d, permutations: B, seed: seed)
    let reference = RandomizationTest.pValue(differences: d, permutations: 40_000, seed: seed ^ 0xFFFF)
    let sigma = (reference * (1 - reference) / Double(B)).squareRoot()
    #expect(abs(p - reference) <= 4 * sigma + 2 / Double(B), "seed \(seed): \(p) vs \(reference)")
    // And the exact test's p is close to the t-test's for such data (a sanity check of the statistic).
    var t = PairedTTestSums()
    t.add(contentsOf: d)
    #expect(abs(reference - t.result.pValue) <= 0.02, "seed \(seed): \(reference) vs t-test \(t.result.pValue)")
  }
}
