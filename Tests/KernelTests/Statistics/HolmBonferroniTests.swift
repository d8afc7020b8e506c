import MAPKKernel
import Testing

@Suite struct HolmBonferroniTests {
  @Test func equalsStatsmodels() {
    #expect(ScipyCases.holm.count >= 10)
    for c in ScipyCases.holm {
      let got = HolmBonferroni.adjusted(c.p)
      for (g, e) in zip(got, c.adjusted) { #expect(abs(g - e) <= 1e-15 * max(1, e), "\(c.p)") }
    }
  }

  @Test func fromTheDefinition() {
    // Sorted 0.005, 0.01, 0.03, 0.04: ×4, ×3, ×2, ×1 → 0.02, 0.03, 0.06, 0.06 (monotone).
    let got = HolmBonferroni.adjusted([0.01, 0.04, 0.03, 0.005])
    for (g, e) in zip(got, [0.03, 0.06, 0.06, 0.02]) { #expect(abs(g - e) <= 1e-16) }
    #expect(HolmBonferroni.adjusted([0.5, 0.9]) == [1, 1])  // capped
    #expect(HolmBonferroni.adjusted([]) == [])
    let withNaN = HolmBonferroni.adjusted([0.01, .nan, 0.02])
    #expect(withNaN[0] == 0.02 && withNaN[1].isNaN && withNaN[2] == 0.02)
  }
}

@Suite struct PairedTestWeightsTests {
  @Test func theRule() throws {
    #expect(try PairedTestWeights.rowsInTests([1, 0, 1, 1]) == [true, false, true, true])
    #expect(try PairedTestWeights.rowsInTests([2.5, 2.5, 0]) == [true, true, false])
    #expect(throws: PairedTestWeights.Refusal.unequalWeights(first: 1, other: 2)) {
      try PairedTestWeights.rowsInTests([1, 0, 2])
    }
    #expect(throws: PairedTestWeights.Refusal.invalidWeight(-1)) { try PairedTestWeights.rowsInTests([1, -1]) }
    #expect(throws: PairedTestWeights.Refusal.invalidWeight(.infinity)) { try PairedTestWeights.rowsInTests([.infinity]) }
  }
}
