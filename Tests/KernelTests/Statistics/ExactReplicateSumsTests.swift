import MAPKKernel
import TestSupport
import Testing

/// `RandomizationTest.exactReplicateSums` (a compare state's per-permutation
/// sums) against `RandomizationTest.exactReplicateSum`, which adds each
/// row's signed d to an `ExactSum` one replicate at a time: the same exact
/// sums, on the fixed-point path (AP-like values, and ordinary doubles) and
/// on the fallback (a span too wide for 128 bits, subnormals, a NaN); and
/// `pValue(observed:replicateSums:)` is `RandomizationSums`' p.
@Suite struct ExactReplicateSumsTests {
  @Test(arguments: 0..<5)
  func sameSumsAsOneReplicateAtATime(kind: Int) throws {
    var rng = SplitMix64(seed: 700 + UInt64(kind))
    func uniform() -> Double { Double(rng.next() >> 11) * 0x1p-53 }
    let n = 150
    let d: [Double] = (0..<n).map { i in
      switch kind {
      case 0: return [0, 0.2, 0.25, 1.0 / 3, 0.5, 1][Int(rng.next() % 6)] - [0, 0.5, 1.0 / 3][Int(rng.next() % 3)]
      case 1: return uniform() - uniform()
      case 2: return i % 10 == 0 ? 1e300 : uniform() * 1e-300  // a span far past 128 bits: fallback
      case 3: return (rng.next() % 2 == 0 ? 1 : -1) * Double(bitPattern: rng.next() % (1 << 52))  // subnormals
      default: return i == 7 ? .nan : uniform() - 0.5  // a NaN: fallback, NaN counted
      }
    }
    let firstRow = 1_000 + kind, seed: UInt64 = 31
    let replicates = 5..<200
    let sums = d.withUnsafeBufferPointer {
      RandomizationTest.exactReplicateSums(differences: $0, firstRow: firstRow, replicates: replicates, seed: seed)
    }
    #expect(sums.count == replicates.count)
    for (j, b) in replicates.enumerated() {
      let reference = RandomizationTest.exactReplicateSum(differences: d, firstRow: firstRow, replicate: b, seed: seed)
      #expect(sums[j] == reference, "kind \(kind), replicate \(b)")
      #expect(sums[j].hexadecimal == reference.hexadecimal && sums[j].nanCount == reference.nanCount)
    }
    if kind != 4 {
      // The p from the exact sums of all B replicates is `RandomizationSums`' (float sums, resolved exactly).
      let all = d.withUnsafeBufferPointer {
        RandomizationTest.exactReplicateSums(differences: $0, firstRow: firstRow, replicates: 0..<300, seed: seed)
      }
      var observed = ExactSum()
      for x in d { observed.add(x) }
      var sampled = RandomizationSums(replicates: 300, seed: seed)
      d.withUnsafeBufferPointer { sampled.add(differences: $0, firstRow: firstRow) }
      let p = sampled.pValue { RandomizationTest.exactReplicateSum(differences: d, firstRow: firstRow, replicate: $0, seed: seed) }
      #expect(RandomizationTest.pValue(observed: observed, replicateSums: all) == p, "kind \(kind)")
    }
  }
}
