@testable import MAPKKernel
import TestSupport
import Testing

/// The t distribution and the paired t-test against saved mpmath and scipy
/// numbers (Scripts/oracle/stats_cases.py).
@Suite struct StudentTTests {
  @Test func twoSidedPValueIsTheTruthTo1e12() {
    var worst = 0.0
    for c in ScipyCases.studentT {
      let p = StudentT.twoSidedPValue(t: c.t, degreesOfFreedom: c.nu)
      let error = abs(p - c.p)
      worst = max(worst, error)
      #expect(error <= 1e-12, "t = \(c.t), ν = \(c.nu): \(p) vs \(c.p) error \(error)")
      // Small p must be small, not 0, and right relatively (where a double holds it).
      if c.p >= 1e-300 {
        #expect(abs(p - c.p) <= (c.nu >= 1e5 ? 1e-9 : 1e-10) * c.p, "t = \(c.t), ν = \(c.nu): relative \(abs(p - c.p) / c.p)")
      }
      #expect(StudentT.twoSidedPValue(t: -c.t, degreesOfFreedom: c.nu) == p)
    }
    #expect(worst > 0)  // the grid is not trivially exact
  }

  @Test func twoSidedPValueIsScipysWhereScipyIsRight() {
    // scipy's t.sf is itself within ~1e-9 of the truth at tiny t (its
    // cephes path), so compare with it at scipy's own accuracy.
    for c in ScipyCases.studentT {
      let p = StudentT.twoSidedPValue(t: c.t, degreesOfFreedom: c.nu)
      #expect(abs(p - c.scipy) <= 1e-8, "t = \(c.t), ν = \(c.nu)")
    }
  }

  @Test func specialArguments() {
    #expect(StudentT.twoSidedPValue(t: 0, degreesOfFreedom: 5) == 1)
    #expect(StudentT.twoSidedPValue(t: .infinity, degreesOfFreedom: 5) == 0)
    #expect(StudentT.twoSidedPValue(t: .nan, degreesOfFreedom: 5).isNaN)
    #expect(StudentT.twoSidedPValue(t: 1, degreesOfFreedom: 0).isNaN)
    #expect(StudentT.twoSidedPValue(t: 1, degreesOfFreedom: -1).isNaN)
    // ν = 1 is the Cauchy distribution: p = 1 − 2·atan(t)/π; at t = 1, ½.
    #expect(abs(StudentT.twoSidedPValue(t: 1, degreesOfFreedom: 1) - 0.5) <= 1e-14)
    // ν = 2: p = 1 − t/√(2 + t²); at t = √2·… use t = 1: 1 − 1/√3.
    #expect(abs(StudentT.twoSidedPValue(t: 1, degreesOfFreedom: 2) - (1 - 1 / 3.0.squareRoot())) <= 1e-14)
  }

  @Test func elementaryFunctions() {
    // Identities with exact answers, to a few ulps.
    for k in -1074...1023 {
      let x = Double(sign: .plus, exponent: k, significand: 1)
      #expect(abs(Elementary.log(x) - Double(k) * Elementary.ln2) <= 4 * max(abs(Double(k) * Elementary.ln2).ulp, 1e-16))
    }
    #expect(Elementary.exp(0) == 1)
    #expect(abs(Elementary.exp(1) - 2.718281828459045) <= 2 * 2.718281828459045.ulp)
    #expect(Elementary.exp(-745.1) > 0)  // subnormal, not 0
    #expect(Elementary.exp(710) == .infinity)
    #expect(abs(Elementary.log1p(1e-20) - 1e-20) <= 1e-36)
    #expect(abs(Elementary.logGamma(0.5) - 0.5723649429247001) <= 4e-15)  // ln √π
    #expect(abs(Elementary.logGamma(1)) <= 4e-15)
    #expect(abs(Elementary.logGamma(2)) <= 4e-15)
    #expect(abs(Elementary.logGamma(171) - 706.5730622457874) <= 1e-12)  // ln 170!
    var factorial = 1.0
    for n in 1...30 {
      factorial *= Double(n)
      #expect(abs(Elementary.logGamma(Double(n + 1)) - Elementary.log(factorial)) <= 1e-13, "ln \(n)!")
    }
  }
}

@Suite struct PairedTTestTests {
  func sums(_ a: [Double], _ b: [Double]) -> PairedTTestSums {
    var s = PairedTTestSums()
    for (x, y) in zip(a, b) { s.add(x - y) }
    return s
  }

  @Test func equalsScipyTtestRel() {
    #expect(ScipyCases.pairedT.count >= 30)
    for (i, c) in ScipyCases.pairedT.enumerated() {
      let r = sums(c.a, c.b).result
      #expect(abs(r.t - c.t) <= 1e-9 * abs(c.t), "case \(i) (n = \(c.a.count)): t \(r.t) vs \(c.t)")
      #expect(abs(r.pValue - c.p) <= 1e-9, "case \(i) (n = \(c.a.count)): p \(r.pValue) vs \(c.p)")
      #expect(r.degreesOfFreedom == c.a.count - 1)
    }
  }

  @Test(arguments: [UInt64(141), 142, 143])
  func anySplitGivesTheSameBits(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let d = (0..<1000).map { _ in Double(rng.next() % 9) / 8 - Double(rng.next() % 9) / 8 + Double(rng.next() % 1000) * 1e-7 }
    var whole = PairedTTestSums()
    whole.add(contentsOf: d)
    for _ in 0..<10 {
      // Random pieces, merged in a random order.
      var cuts = [0, d.count]
      for _ in 0..<Int(rng.next() % 8) { cuts.append(Int(rng.next() % UInt64(d.count))) }
      cuts.sort()
      var pieces: [PairedTTestSums] = []
      for (lo, hi) in zip(cuts, cuts.dropFirst()) {
        var s = PairedTTestSums()
        s.add(contentsOf: d[lo..<hi].reversed())
        pieces.append(s)
      }
      pieces.shuffle(using: &rng)
      var merged = PairedTTestSums()
      for p in pieces { merged.merge(p) }
      #expect(merged == whole, "seed \(seed)")
      #expect(merged.result == whole.result, "seed \(seed)")
    }
  }

  @Test func sumOfSquaresIsExact() {
    // 0.1² is not a double; 10⁶ of them must still sum to exactly 10⁶·0.1².
    var s = PairedTTestSums()
    for _ in 0..<1_000_000 { s.add(0.1) }
    var expected = ExactSum()
    let square = 0.1 * 0.1
    for _ in 0..<1_000_000 { expected.add(square); expected.add((-square).addingProduct(0.1, 0.1)) }
    #expect(s.sumOfSquares == expected)
    // All equal, not zero: zero variance exactly, t = +inf, p = 0 (scipy: inf, 0).
    let r = s.result
    #expect(r.t == .infinity && r.pValue == 0)
  }

  @Test func degenerateCasesAreScipys() {
    // n < 2: NaN (scipy: nan, nan).
    #expect(sums([], []).result.t.isNaN)
    #expect(sums([1], [0]).result.pValue.isNaN)
    // All differences zero: 0/0, NaN (scipy: nan, nan).
    let zero = sums([0.3, 0.5, 0.7], [0.3, 0.5, 0.7]).result
    #expect(zero.t.isNaN && zero.pValue.isNaN)
    // All differences equal and exact (scipy gives t = inf, p = 0 for [1,2,3] vs [0,1,2]).
    let equal = sums([1, 2, 3], [0, 1, 2]).result
    #expect(equal.t == .infinity && equal.pValue == 0)
    let negative = sums([0, 1, 2], [1, 2, 3]).result
    #expect(negative.t == -.infinity && negative.pValue == 0)
    // A NaN difference: NaN.
    #expect(sums([1, .nan, 3], [0, 0, 0]).result.t.isNaN)
    // Mean zero, variance not: t = 0, p = 1.
    let balanced = sums([1, -1], [0, 0]).result
    #expect(balanced.t == 0 && balanced.pValue == 1)
  }
}

extension SplitMix64 {
  /// A uniform double in [0, 1) from the top 53 bits.
  mutating func nextUnitDouble() -> Double { Double(next() >> 11) * 0x1p-53 }
}
