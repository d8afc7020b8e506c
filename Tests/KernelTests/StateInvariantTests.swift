import MAPKKernel
import TestSupport
import Testing

/// The invariants a saved state must satisfy (``MAPState/inconsistency(weighted:classes:)``),
/// the exact comparison they rest on, and merges whose counts would overflow.
@Suite struct StateInvariantTests {
  func sum(_ values: [Double]) -> ExactSum {
    var s = ExactSum()
    for v in values { s.add(v) }
    return s
  }

  /// A random double over the whole exponent range, either sign.
  func randomDouble(_ rng: inout SplitMix64) -> Double {
    let magnitude = Double(sign: .plus, exponent: Int.random(in: -1074...1023, using: &rng),
                           significand: Double.random(in: 1..<2, using: &rng))
    return Bool.random(using: &rng) ? magnitude : -magnitude
  }

  @Test(arguments: [1, 2, 3, 4] as [UInt64])
  func finitePartComparisonIsExact(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    for _ in 0..<300 {
      let a = (0..<Int.random(in: 0...4, using: &rng)).map { _ in randomDouble(&rng) }
      var b = (0..<Int.random(in: 0...4, using: &rng)).map { _ in randomDouble(&rng) }
      if Bool.random(using: &rng) { b = a + [0] }  // equal sums in another order
      // The sign of the exact difference, rounded once, is the exact comparison.
      let difference = sum(a + b.map { -$0 }).doubleValue
      #expect(sum(a).finitePartIsBelow(sum(b)) == (difference < 0), "seed \(seed): \(a) vs \(b)")
      #expect(sum(b).finitePartIsBelow(sum(a)) == (difference > 0), "seed \(seed): \(b) vs \(a)")
    }
  }

  func state(_ configuration: MAPConfiguration, totals: [ExactSum], weight: ExactSum, rows: Int, empty: Int = 0,
             nan: Int = 0) throws -> MAPState {
    try MAPState(configuration: configuration, totals: totals, weightSum: weight, rows: rows, emptyRows: empty,
                 nanScores: nan)
  }

  @Test func statesNoRunProducesAreNamed() throws {
    let c = try MAPConfiguration(ks: [1])
    let lenient = try MAPConfiguration(ks: [1], nanScores: .largest)
    var nanTotal = sum([0.5])
    nanTotal.add(.nan)
    var nanTotals = nanTotal
    for _ in 0..<2 { nanTotals.add(.nan) }
    let cases: [(MAPState, Bool?, String)] = [
      (try state(c, totals: [sum([2])], weight: sum([1]), rows: 1), false, "is not within 0...weight_sum"),
      (try state(c, totals: [sum([-0.5])], weight: sum([1]), rows: 1), false, "is not within 0...weight_sum"),
      (try state(c, totals: [sum([0.5])], weight: sum([-1]), rows: 1), true, "weight_sum is negative"),
      (try state(c, totals: [sum([0.5])], weight: sum([0]), rows: 1), true, "is not within 0...weight_sum"),
      (try state(c, totals: [sum([0.5])], weight: sum([3]), rows: 2), false, "weight_sum is not 2"),
      (try state(c, totals: [nanTotals], weight: sum([2]), rows: 2, empty: 1), false, "3 NaN"),
      (try state(c, totals: [nanTotal], weight: sum([1]), rows: 1, empty: 0), false, "1 NaN"),
      (try state(c, totals: [sum([0.5, .infinity])], weight: sum([1]), rows: 1), true, "infinite"),
      (try state(c, totals: [sum([0.5])], weight: sum([1]), rows: 1, nan: 7), false, "nan_scores is 7"),
      (try state(lenient, totals: [sum([0.5])], weight: sum([1]), rows: 1, nan: 7), false, "not within 0...5"),
      (try state(c, totals: [sum([0.5])], weight: sum([1]), rows: 1, empty: 2), false, "empty_rows 2"),
    ]
    for (s, weighted, fragment) in cases {
      let problem = s.inconsistency(weighted: weighted, classes: 5)
      #expect(problem?.contains(fragment) == true, "\(problem ?? "accepted"), expected '\(fragment)'")
    }
    // What a run gives is accepted: MAP@1 = 1 on two rows, one of them empty under `nan`.
    #expect(try state(c, totals: [nanTotal], weight: sum([2]), rows: 2, empty: 1).inconsistency(weighted: false, classes: 5) == nil)
    #expect(try state(lenient, totals: [sum([0.5])], weight: sum([0.75]), rows: 1, nan: 5)
      .inconsistency(weighted: true, classes: 5) == nil)
  }

  @Test func mergesWhoseCountsWouldOverflowAreRefused() throws {
    let c = try MAPConfiguration(ks: [1], nanScores: .largest)
    let big = try state(c, totals: [sum([0])], weight: sum([0]), rows: Int.max, empty: 0, nan: Int.max)
    var s = try state(c, totals: [sum([0])], weight: sum([0]), rows: 1, empty: 0, nan: 1)
    let before = s
    #expect(throws: MAPKError.self) { try s.merge(big) }
    #expect(s == before)
    var nans = ExactSum()
    nans.add(.nan)
    let manyNaN = try ExactSum(hexadecimal: "0x0", nanCount: Int.max)
    let merged = nans.mergeReportingOverflow(manyNaN)
    #expect(!merged)
    #expect(nans.nanCount == 1)
    let withNaN = try state(c, totals: [manyNaN], weight: sum([0]), rows: 1)
    var other = try state(c, totals: [nans], weight: sum([0]), rows: 1)
    #expect(throws: MAPKError.self) { try other.merge(withNaN) }
  }
}
