@testable import MAPKKernel
import TestSupport
import Testing

@Suite struct PoissonBootstrapTests {
  @Test func thresholdsAreTheSavedOnes() {
    #expect(PoissonBootstrap.thresholds == ScipyCases.poissonThresholds)
  }

  @Test func countsArePoissonOne() {
    // 200,000 draws over rows and replicates: each frequency within 5 sd of e⁻¹/k!.
    let draws = 200_000
    var histogram = [Int](repeating: 0, count: 25)
    for row in 0..<2000 { for b in 0..<100 { histogram[PoissonBootstrap.count(seed: 77, row: row, replicate: b)] += 1 } }
    var factorial = 1.0
    for k in 0..<8 {
      if k > 0 { factorial *= Double(k) }
      let p = 0.36787944117144233 / factorial
      let sd = (Double(draws) * p * (1 - p)).squareRoot()
      #expect(abs(Double(histogram[k]) - Double(draws) * p) <= 5 * sd + 1, "k = \(k): \(histogram[k])")
    }
    // The inverse CDF at the edges of its cells.
    let t = PoissonBootstrap.thresholds32
    #expect(PoissonBootstrap.poissonCount(0) == 0)
    #expect(PoissonBootstrap.poissonCount(t[0] - 1) == 0 && PoissonBootstrap.poissonCount(t[0]) == 1)
    #expect(PoissonBootstrap.poissonCount(t[5]) == 6 && PoissonBootstrap.poissonCount(t[5] - 1) == 5)
    #expect(PoissonBootstrap.poissonCount(.max) == 12)
  }

  func bootstrap(_ v: [Double], _ w: [Double]?, replicates: Int, seed: UInt64, statistics: Int = 1, firstRow: Int = 0)
    -> PoissonBootstrap
  {
    var b = PoissonBootstrap(replicates: replicates, seed: seed, statistics: statistics)
    v.withUnsafeBufferPointer { vp in
      if let w { w.withUnsafeBufferPointer { b.add(values: vp, weights: $0, firstRow: firstRow) } } else {
        b.add(values: vp, weights: nil, firstRow: firstRow)
      }
    }
    return b
  }

  @Test(arguments: [UInt64(1441), 1442])
  func replicateSumsAreExact(seed: UInt64) {
    // Against an independent slow path: c copies of w·v's two-product in an ExactSum.
    var rng = SplitMix64(seed: seed)
    let n = 300
    let v = (0..<n).map { _ in rng.nextUnitDouble() * (rng.next() % 2 == 0 ? 1 : -1e-3) }
    let w = (0..<n).map { i in i % 7 == 0 ? 0 : rng.nextUnitDouble() * 3 }
    // An even and an odd B: two replicates share a draw, the last one of an odd B has its own.
    let replicates = seed == 1441 ? 20 : 21
    let boot = bootstrap(v, w, replicates: replicates, seed: seed, firstRow: 1000)
    let values = boot.replicateValues(statistic: 0)
    for b in 0..<replicates {
      var num = ExactSum(), den = ExactSum()
      for i in 0..<n {
        let c = PoissonBootstrap.count(seed: seed, row: 1000 + i, replicate: b)
        for _ in 0..<c {
          let h = w[i] * v[i]
          num.add(h); num.add((-h).addingProduct(w[i], v[i])); den.add(w[i])
        }
      }
      #expect(boot.numerator(statistic: 0, replicate: b) == num, "seed \(seed), replicate \(b)")
      #expect(boot.denominator(replicate: b) == den, "seed \(seed), replicate \(b)")
      // The value: both exact sums correctly rounded (ExactSum's own rounding), then divided.
      #expect(values[b] == num.doubleValue / den.doubleValue, "seed \(seed), replicate \(b)")
    }
  }

  @Test(arguments: [UInt64(1451), 1452])
  func anySplitGivesTheSameBits(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let n = 1000
    let v = (0..<(2 * n)).map { _ in Double(rng.next() % 13) / 12 }  // two statistics per row
    let whole = bootstrap(v, nil, replicates: 64, seed: seed, statistics: 2)
    for _ in 0..<4 {
      var cuts = [0, n]
      for _ in 0..<Int(1 + rng.next() % 5) { cuts.append(Int(rng.next() % UInt64(n))) }
      cuts.sort()
      var pieces = zip(cuts, cuts.dropFirst()).map { lo, hi in
        bootstrap(Array(v[(2 * lo)..<(2 * hi)]), nil, replicates: 64, seed: seed, statistics: 2, firstRow: lo)
      }
      pieces.shuffle(using: &rng)
      var merged = PoissonBootstrap(replicates: 64, seed: seed, statistics: 2)
      for p in pieces { merged.merge(p) }
      #expect(merged == whole, "seed \(seed), cuts \(cuts)")
      #expect(merged.percentileInterval(level: 0.9, statistic: 0, minus: 1)
        == whole.percentileInterval(level: 0.9, statistic: 0, minus: 1))
    }
  }

  @Test(arguments: [UInt64(1481), 1482])
  func roundedValueIsExactSumsRounding(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    for _ in 0..<300 {
      var e = ExactSum()
      for _ in 0..<Int(1 + rng.next() % 6) {
        let x = Double(sign: rng.next() % 2 == 0 ? .plus : .minus, exponent: Int(rng.next() % 200) - 100,
                       significand: 1 + rng.nextUnitDouble())
        e.add(x)
      }
      var limbs = e.limbs
      let got = limbs.withUnsafeMutableBufferPointer { PoissonBootstrap.roundedValue($0) }
      #expect(got == e.doubleValue, "seed \(seed)")
    }
  }

  @Test func weightZeroRowsAreLeftOut() {
    let v: [Double] = [0.2, 0.9, 0.4, 0.7]
    let a = bootstrap(v, [1, 0, 1, 0], replicates: 50, seed: 5)
    var b = PoissonBootstrap(replicates: 50, seed: 5)
    [0.2].withUnsafeBufferPointer { b.add(values: $0, weights: nil, firstRow: 0) }
    [0.4].withUnsafeBufferPointer { b.add(values: $0, weights: nil, firstRow: 2) }
    #expect(a.replicateValues(statistic: 0) == b.replicateValues(statistic: 0))
  }

  @Test func orderStatistics() {
    #expect(PoissonBootstrap.orderStatistics(replicates: 999, level: 0.95) == (25, 975))
    #expect(PoissonBootstrap.orderStatistics(replicates: 1000, level: 0.95) == (25, 976))
    #expect(PoissonBootstrap.orderStatistics(replicates: 199, level: 0.9) == (10, 190))
    #expect(PoissonBootstrap.orderStatistics(replicates: 10, level: 0.95) == (1, 10))
    #expect(PoissonBootstrap.orderStatistics(replicates: 1, level: 0.5) == (1, 1))
  }

  /// The method: 95% intervals cover a known population mean in 93–97% of
  /// 400 samples of 1,000 rows (B = 200; small, so that it runs in seconds
  /// in a debug build).
  @Test(arguments: [UInt64(1461)])
  func coverageOfAKnownMean(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    // An AP-like population: 0 w.p. 0.3, 1 w.p. 0.2, else uniform on (0, 1): mean 0.2 + 0.5·0.5 = 0.45.
    let truth = 0.45
    var covered = 0
    for repetition in 0..<400 {
      let v = (0..<1000).map { _ -> Double in
        let u = rng.nextUnitDouble()
        return u < 0.3 ? 0 : u < 0.5 ? 1 : rng.nextUnitDouble()
      }
      let boot = bootstrap(v, nil, replicates: 200, seed: seed &+ UInt64(repetition))
      let (lo, hi) = boot.percentileInterval(level: 0.95, statistic: 0)
      if lo <= truth && truth <= hi { covered += 1 }
    }
    #expect(covered >= 372 && covered <= 388, "seed \(seed): covered \(covered) of 400")
  }

  /// For large n the width is within 10% of the normal approximation 2·1.96·s/√n.
  @Test(arguments: [UInt64(1471)])
  func widthIsTheNormalApproximationsForLargeN(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let n = 20_000
    let v = (0..<n).map { _ -> Double in let u = rng.nextUnitDouble(); return u < 0.3 ? 0 : u < 0.5 ? 1 : rng.nextUnitDouble() }
    let boot = bootstrap(v, nil, replicates: 1000, seed: seed)
    let (lo, hi) = boot.percentileInterval(level: 0.95, statistic: 0)
    let mean = v.reduce(0, +) / Double(n)
    let s = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)).squareRoot()
    let normal = 2 * 1.96 * s / Double(n).squareRoot()
    #expect(abs((hi - lo) / normal - 1) <= 0.1, "seed \(seed): width \(hi - lo) vs \(normal)")
    #expect(lo < mean && mean < hi)
  }
}

/// ``PoissonBootstrap/replicateSums`` and the bootstrap rebuilt from them
/// (how a state carries it): the same bootstrap, and merges of rebuilt parts
/// equal the whole.
@Suite struct PoissonBootstrapSumsTests {
  @Test func rebuiltFromSumsIsTheSameAndMerges() throws {
    var g = SplitMix64(seed: 2024)
    let rows = 500, s = 2
    var values: [Double] = []
    var weights: [Double] = []
    for _ in 0..<rows {
      for _ in 0..<s { values.append(Double(g.next() % 1000) / 999) }
      weights.append(Double(g.next() % 4))  // some weight-0 rows
    }
    func part(_ r: Range<Int>) -> PoissonBootstrap {
      var b = PoissonBootstrap(replicates: 37, seed: 9, statistics: s)
      values.withUnsafeBufferPointer { v in
        weights.withUnsafeBufferPointer { w in
          b.add(values: UnsafeBufferPointer(rebasing: v[(r.lowerBound * s)..<(r.upperBound * s)]),
                weights: UnsafeBufferPointer(rebasing: w[r]), firstRow: r.lowerBound)
        }
      }
      return b
    }
    func rebuilt(_ b: PoissonBootstrap) throws -> PoissonBootstrap {
      try PoissonBootstrap(replicates: b.replicates, seed: b.seed, statistics: b.statistics, rows: b.rows,
                           replicateSums: b.replicateSums)
    }
    let whole = part(0..<rows)
    #expect(try rebuilt(whole) == whole)
    var merged = try rebuilt(part(0..<123))
    merged.merge(try rebuilt(part(123..<400)))
    merged.merge(try rebuilt(part(400..<rows)))
    #expect(merged == whole)
    #expect(merged.replicateValues(statistic: 1) == whole.replicateValues(statistic: 1))
    // Refusals: a wrong count, a NaN term.
    #expect(throws: PoissonBootstrap.SumsError.self) {
      try PoissonBootstrap(replicates: 37, seed: 9, statistics: s, rows: 1, replicateSums: [ExactSum()])
    }
    var nan = ExactSum()
    nan.add(.nan)
    #expect(throws: PoissonBootstrap.SumsError.self) {
      try PoissonBootstrap(replicates: 1, seed: 9, statistics: 1, rows: 1, replicateSums: [nan, ExactSum()])
    }
  }
}

/// The table of the fast count (`PoissonBootstrap.countTable`) against the
/// inverse CDF by comparisons with the saved mpmath thresholds.
@Suite struct PoissonBootstrapTableTests {
  @Test func tabledCountIsTheComparedCount() {
    // round(F(k)·2³²) from the saved round(F(k)·2⁶⁴): unambiguous when the
    // low 32 bits are not within 1 of 2³¹ (then F(k)·2³² is not near a half).
    var t: [UInt32] = []
    for x in ScipyCases.poissonThresholds {
      let low = x & 0xFFFF_FFFF
      #expect(low < (1 << 31) - 1 || low > (1 << 31) + 1)
      let rounded = (x >> 32) + (low >= 1 << 31 ? 1 : 0)
      if rounded < 1 << 32 { t.append(UInt32(rounded)) }
    }
    #expect(PoissonBootstrap.thresholds32 == t && t.count == 12)
    func compared(_ bits: UInt32) -> UInt32 { UInt32(t.filter { bits >= $0 }.count) }
    PoissonBootstrap.countTable.withUnsafeBufferPointer { cells in
      PoissonBootstrap.thresholds32.withUnsafeBufferPointer { table in
        func tabled(_ bits: UInt32) -> UInt32 { PoissonBootstrap.tabledCount(bits, cells.baseAddress!, table) }
        // Every cell's first and last uniform, and each threshold and its predecessor.
        let width = UInt32(1) << (32 - UInt32(PoissonBootstrap.tableBits))
        for i in 0..<(1 << PoissonBootstrap.tableBits) {
          let lower = UInt32(i) &* width
          #expect(tabled(lower) == compared(lower) && tabled(lower | (width - 1)) == compared(lower | (width - 1)),
                  "cell \(i)")
        }
        for x in t { #expect(tabled(x) == compared(x) && tabled(x - 1) == compared(x - 1)) }
        // Random draws (seed 31).
        var g = SplitMix64(seed: 31)
        for _ in 0..<100_000 {
          let bits = UInt32(truncatingIfNeeded: g.next())
          #expect(tabled(bits) == compared(bits))
        }
        // Most cells are settled by the table alone.
        let split = PoissonBootstrap.countTable.filter { $0 == PoissonBootstrap.refine }.count
        #expect(split <= 8, "\(split) split cells")
      }
    }
  }
}
