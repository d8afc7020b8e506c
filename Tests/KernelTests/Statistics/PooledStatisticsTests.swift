@testable import MAPKKernel
import TestSupport
import Testing

/// The pooled metrics' bootstrap (its own denominator per statistic) and
/// randomization test (rows' (hits, n) swapped between two systems), each
/// against an independent plain loop written here: the bootstrap from the
/// same counter-based counts, the swap test by brute-force enumeration and by
/// a plain loop over the same sign bits.
@Suite struct PooledStatisticsTests {
  /// Random rows: a mean's value (a multiple of 1/8, so every sum is exact in
  /// doubles), and two systems' (hits, n) with hits ≤ n, integer weights in 0…3.
  struct Rows {
    var values: [Double] = []
    var hitsA: [Double] = [], countsA: [Double] = [], hitsB: [Double] = [], countsB: [Double] = []
    var weights: [Double] = []

    init(count: Int, rng: inout SplitMix64, sameCounts: Bool = false) {
      for _ in 0..<count {
        values.append(Double(rng.next() % 9) / 8)
        let na = Double(1 + rng.next() % 6)
        let nb = sameCounts ? na : Double(1 + rng.next() % 6)
        countsA.append(na)
        countsB.append(nb)
        hitsA.append(Double(rng.next() % UInt64(na + 1)))
        hitsB.append(Double(rng.next() % UInt64(nb + 1)))
        weights.append(Double(rng.next() % 4))
      }
    }
  }

  /// Statistics [mean v, pooled A, pooled B], rows `range` of `rows` added in one call.
  func bootstrap(_ rows: Rows, _ range: Range<Int>, replicates: Int, seed: UInt64) -> PoissonBootstrap {
    var b = PoissonBootstrap(replicates: replicates, seed: seed, pooled: [false, true, true])
    var v: [Double] = [], d: [Double] = []
    for r in range {
      v += [rows.values[r], rows.hitsA[r], rows.hitsB[r]]
      d += [0, rows.countsA[r], rows.countsB[r]]
    }
    let w = Array(rows.weights[range])
    v.withUnsafeBufferPointer { v in
      d.withUnsafeBufferPointer { d in
        w.withUnsafeBufferPointer { b.add(values: v, denominators: d, weights: $0, meansDefined: nil, firstRow: range.lowerBound) }
      }
    }
    return b
  }

  @Test func pooledBootstrapIsThePlainLoopsRatioPerReplicate() throws {
    withEvery(seed: [3, 41]) { seed, rng in
      let rows = Rows(count: 300, rng: &rng)
      let B = 57
      let b = bootstrap(rows, 0..<300, replicates: B, seed: seed)
      // The plain loop: per replicate, Σ c·w·x over rows with the same counts, in integers.
      var mean: [Double] = [], a: [Double] = [], bb: [Double] = [], diff: [Double] = []
      for rep in 0..<B {
        var v = 0.0, w = 0.0, ha = 0.0, na = 0.0, hb = 0.0, nb = 0.0
        for r in 0..<300 {
          let c = Double(PoissonBootstrap.count(seed: seed, row: r, replicate: rep)) * rows.weights[r]
          v += c * rows.values[r]; w += c
          ha += c * rows.hitsA[r]; na += c * rows.countsA[r]
          hb += c * rows.hitsB[r]; nb += c * rows.countsB[r]
        }
        // Every sum is a small multiple of 1/8: exact in doubles, so one division each.
        mean.append(w == 0 ? 0 : v / w)
        let ra = na == 0 ? 0 : ha / na, rb = nb == 0 ? 0 : hb / nb
        a.append(ra); bb.append(rb); diff.append(ra - rb)
      }
      #expect(b.replicateValues(statistic: 0).map(\.bitPattern) == mean.map(\.bitPattern), "seed \(seed)")
      #expect(b.replicateValues(statistic: 1).map(\.bitPattern) == a.map(\.bitPattern), "seed \(seed)")
      #expect(b.replicateValues(statistic: 2).map(\.bitPattern) == bb.map(\.bitPattern), "seed \(seed)")
      #expect(b.replicateValues(statistic: 1, minus: 2).map(\.bitPattern) == diff.map(\.bitPattern), "seed \(seed)")
      // Any split, merged, is the whole; the replicate sums rebuild it.
      var merged = bootstrap(rows, 0..<7, replicates: B, seed: seed)
      merged.merge(bootstrap(rows, 200..<300, replicates: B, seed: seed))
      merged.merge(bootstrap(rows, 7..<200, replicates: B, seed: seed))
      #expect(merged == b, "seed \(seed)")
      let rebuilt = try? PoissonBootstrap(replicates: B, seed: seed, statistics: 3, rows: b.rows,
                                          replicateSums: b.replicateSums, pooled: b.pooled)
      #expect(rebuilt == b && b.replicateSums.count == 6 * B, "seed \(seed)")  // 3 numerators, the shared and 2 own denominators
      #expect((try? PoissonBootstrap(replicates: B, seed: seed, statistics: 3, rows: b.rows,
                                     replicateSums: b.replicateSums)) == nil, "a pooled bootstrap's sums read as unpooled")
    }
  }

  @Test func meansSkipTheRowsTheyDoNotTakeAndPooledStatisticsDoNot() {
    var rng = SplitMix64(seed: 8)
    let rows = Rows(count: 40, rng: &rng)
    let defined = (0..<40).map { $0 % 3 != 0 }
    var b = PoissonBootstrap(replicates: 20, seed: 8, pooled: [false, true])
    var v: [Double] = [], d: [Double] = []
    for r in 0..<40 { v += [defined[r] ? rows.values[r] : .nan, rows.hitsA[r]]; d += [0, rows.countsA[r]] }
    v.withUnsafeBufferPointer { v in
      d.withUnsafeBufferPointer { d in
        rows.weights.withUnsafeBufferPointer { w in
          defined.withUnsafeBufferPointer { b.add(values: v, denominators: d, weights: w, meansDefined: $0, firstRow: 0) }
        }
      }
    }
    for rep in 0..<20 {
      var v = 0.0, w = 0.0, h = 0.0, n = 0.0
      for r in 0..<40 {
        let c = Double(PoissonBootstrap.count(seed: 8, row: r, replicate: rep)) * rows.weights[r]
        if defined[r] { v += c * rows.values[r]; w += c }
        h += c * rows.hitsA[r]; n += c * rows.countsA[r]
      }
      #expect(b.replicateValues(statistic: 0)[rep] == (w == 0 ? 0 : v / w))
      #expect(b.replicateValues(statistic: 1)[rep] == (n == 0 ? 0 : h / n))
    }
  }

  /// |X/Y − (H−X)/(N−Y)| ≥ |X₀/Y₀ − …|, by fractions reduced and cross-multiplied in Int (small here).
  static func atLeast(_ x: Int, _ y: Int, _ x0: Int, _ y0: Int, h: Int, n: Int) -> Bool {
    func ratio(_ a: Int, _ b: Int) -> (Int, Int) { b == 0 ? (0, 1) : (a, b) }
    func statistic(_ x: Int, _ y: Int) -> (Int, Int) {
      let (p, q) = ratio(x, y), (r, s) = ratio(h - x, n - y)
      return (abs(p * s - r * q), q * s)
    }
    let (a, b) = statistic(x, y), (c, d) = statistic(x0, y0)
    return a * d >= c * b
  }

  @Test func exactSwapTestIsBruteForceEnumeration() {
    withEvery(seed: 1...40) { seed, rng in
      let n = Int(1 + rng.next() % 12)
      let rows = Rows(count: n, rng: &rng, sameCounts: seed % 4 == 0)
      let (ha, na, hb, nb) = (rows.hitsA.map { Int($0) }, rows.countsA.map { Int($0) },
                              rows.hitsB.map { Int($0) }, rows.countsB.map { Int($0) })
      let h = ha.reduce(0, +) + hb.reduce(0, +), total = na.reduce(0, +) + nb.reduce(0, +)
      var count = 0
      for mask in 0..<(1 << n) {
        var x = 0, y = 0
        for i in 0..<n { if mask & (1 << i) != 0 { x += hb[i]; y += nb[i] } else { x += ha[i]; y += na[i] } }
        if Self.atLeast(x, y, ha.reduce(0, +), na.reduce(0, +), h: h, n: total) { count += 1 }
      }
      let p = PooledRandomizationSums.exactPValue(hitsA: rows.hitsA, countsA: rows.countsA,
                                                  hitsB: rows.hitsB, countsB: rows.countsB)
      #expect(p == Double(count) / Double(1 << n), "seed \(seed), n \(n)")
    }
    // Not integers: NaN, not a number from inexact sums.
    #expect(PooledRandomizationSums.exactPValue(hitsA: [0.5], countsA: [1], hitsB: [0], countsB: [1]).isNaN)
  }

  @Test func sampledSwapTestIsThePlainLoopOverTheSameSignBitsForAnySplit() {
    withEvery(seed: [5, 77, 901]) { seed, rng in
      let rows = Rows(count: 200, rng: &rng, sameCounts: seed == 77)
      let B = 300
      // The plain loop: row r swapped in permutation b when bit b mod 64 of its sign hash is set.
      let ha = rows.hitsA.map { Int($0) }, na = rows.countsA.map { Int($0) }
      let hb = rows.hitsB.map { Int($0) }, nb = rows.countsB.map { Int($0) }
      let h = ha.reduce(0, +) + hb.reduce(0, +), total = na.reduce(0, +) + nb.reduce(0, +)
      var extreme = 0
      for b in 0..<B {
        var x = 0, y = 0
        for r in 0..<200 {
          let hash = CounterHash.draw(CounterHash.rowStart(seed: seed, domain: CounterHash.signDomain, row: r), b >> 6)
          if (hash >> UInt64(b & 63)) & 1 == 1 { x += hb[r]; y += nb[r] } else { x += ha[r]; y += na[r] }
        }
        if Self.atLeast(x, y, ha.reduce(0, +), na.reduce(0, +), h: h, n: total) { extreme += 1 }
      }
      let expected = Double(1 + extreme) / Double(1 + B)
      for cuts in [[200], [1, 200], [64, 65, 199, 200]] {
        var sums = PooledRandomizationSums(replicates: B, seed: seed)
        var lower = 0
        for upper in cuts {
          var part = PooledRandomizationSums(replicates: B, seed: seed)
          let p = [rows.hitsA, rows.countsA, rows.hitsB, rows.countsB].map { Array($0[lower..<upper]) }
          p[0].withUnsafeBufferPointer { a in
            p[1].withUnsafeBufferPointer { b in
              p[2].withUnsafeBufferPointer { c in
                p[3].withUnsafeBufferPointer { part.add(hitsA: a, countsA: b, hitsB: c, countsB: $0, firstRow: lower) }
              }
            }
          }
          sums.merge(part)
          lower = upper
        }
        #expect(sums.pValue == expected, "seed \(seed), cuts \(cuts)")
      }
    }
  }
}
