import MAPKShards
import TestSupport
import Testing

/// `SystemComparison.shard` and `ComparisonShard.merge`: any split of the
/// rows into shards, each summed with any thread count and merged in any
/// order, gives `SystemComparison.compare`'s result bit for bit (values,
/// intervals, t, p_t, p_randomization, p_holm), for mean and pooled
/// metrics, with the sampled test on many rows where sums tie exactly.
@Suite struct ComparisonShardTests {
  /// Three systems over `rows` rows (seeded): AP-like values from a small
  /// set, so that differences and sums of them tie; per row the hits and n
  /// of a pooled metric (integers), weights 1 with some rows 0.
  func systems(rows: Int, seed: UInt64, pooled: Bool) throws -> (systems: [SystemRows], weights: [Double]) {
    var rng = SplitMix64(seed: seed)
    let configuration = try MAPConfiguration(ks: [1, 5], metrics: pooled ? [.averagePrecision, .recall] : [.averagePrecision])
    let columns = configuration.pairs.count
    let levels = [0, 0.2, 0.25, 1.0 / 3, 0.5, 1]
    let n = (0..<rows).map { _ in Double(1 + rng.next() % 3) }
    var systems: [SystemRows] = []
    for s in 0..<3 {
      var values = [Double](repeating: 0, count: rows * columns)
      var hits = values, counts = values
      for r in 0..<rows {
        for c in 0..<columns {
          // Systems 1 and 2 are a little better than 0 on average.
          let shift = rng.next() % 4 == 0 ? UInt64(s) : 0
          let level = min(levels.count - 1, Int((rng.next() % UInt64(levels.count)) + shift))
          values[r * columns + c] = levels[level]
          let h = Double(min(Int(n[r]), Int(rng.next() % 3) + (shift > 0 ? 1 : 0)))
          hits[r * columns + c] = h
          counts[r * columns + c] = n[r]
          if pooled && c >= 2 { values[r * columns + c] = h / n[r] }
        }
      }
      let state = try MAPState(configuration: configuration, totals: Array(repeating: ExactSum(), count: columns),
                               weightSum: ExactSum(), rows: rows, emptyRows: 0, nanScores: 0)
      systems.append(SystemRows(name: "s\(s)", state: state, values: values, parts: pooled ? (hits, counts) : nil))
    }
    let weights = (0..<rows).map { _ in rng.next() % 6 == 0 ? 0.0 : 1.0 }
    return (systems, weights)
  }

  /// Rows `range` of `system`: its values and parts, and a state of that many rows.
  func slice(_ system: SystemRows, _ range: Range<Int>) throws -> SystemRows {
    let c = system.columns
    let state = try MAPState(configuration: system.state.configuration, totals: system.state.totals,
                             weightSum: ExactSum(), rows: range.count, emptyRows: 0, nanScores: 0)
    let cut = { (x: [Double]) in Array(x[(range.lowerBound * c)..<(range.upperBound * c)]) }
    return SystemRows(name: system.name, state: state, values: cut(system.values),
                      parts: system.parts.map { (cut($0.numerators), cut($0.denominators)) })
  }

  /// Seeds 1 to 4: 12 rows (exact enumeration across shards, 2^n <= B) and
  /// 1,500 rows (sampled), with and without a pooled metric; splits into 1
  /// to 5 shards at random boundaries, threads 1 to 3, merged in a shuffled order.
  @Test(arguments: [(UInt64(1), 12, false), (UInt64(2), 12, true), (UInt64(3), 1_500, false), (UInt64(4), 1_500, true)])
  func anySplitMergesToTheSingleRun(seed: UInt64, rows: Int, pooled: Bool) throws {
    let (systems, weights) = try systems(rows: rows, seed: seed, pooled: pooled)
    let design = ComparisonDesign(permutations: rows <= 12 ? 1 << 12 : 700, bootstrapReplicates: 150, seed: seed)
    let pairs = SystemComparison.allPairs(systems: 3)
    let single = try SystemComparison.compare(systems, weights: weights, pairs: pairs, design: design, threads: 2)
    #expect(single.comparisons.contains { $0.pRandomization > 0.01 && $0.pRandomization < 0.99 },
            "seed \(seed): a p that is not at an end")
    var rng = SplitMix64(seed: seed &+ 100)
    for shards in 1...5 {
      var cuts = Set([0, rows])
      while cuts.count < shards + 1 { cuts.insert(Int(rng.next() % UInt64(rows))) }
      let bounds = cuts.sorted()
      var parts: [ComparisonShard] = []
      for i in 0..<shards {
        let range = bounds[i]..<bounds[i + 1]
        parts.append(try SystemComparison.shard(
          systems.map { try slice($0, range) }, weights: Array(weights[range]), firstRow: range.lowerBound,
          pairs: pairs, design: design, threads: 1 + i % 3))
      }
      // A shuffled merge order (Fisher–Yates with the seeded generator).
      for i in stride(from: parts.count - 1, to: 0, by: -1) { parts.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
      var merged = parts[0]
      for part in parts.dropFirst() { try merged.merge(part) }
      let result = try merged.result(states: systems.map(\.state))
      #expect(result == single, "seed \(seed), shards at \(bounds)")
    }
  }

  @Test func mergeRefusesAnotherDesignOrWeight() throws {
    let (systems, _) = try systems(rows: 40, seed: 9, pooled: false)
    let pairs = SystemComparison.againstFirst(systems: 3)
    func shard(_ range: Range<Int>, _ design: ComparisonDesign, weight: Double = 1) throws -> ComparisonShard {
      try SystemComparison.shard(systems.map { try slice($0, range) }, weights: Array(repeating: weight, count: range.count),
                                 firstRow: range.lowerBound, pairs: pairs, design: design)
    }
    let design = ComparisonDesign(permutations: 100, bootstrapReplicates: 20)
    var a = try shard(0..<20, design)
    func refused(_ other: ComparisonShard, _ message: String) {
      do {
        try a.merge(other)
        Issue.record("merged: \(message)")
      } catch {
        #expect(error.description == message)
      }
    }
    refused(try shard(20..<40, ComparisonDesign(permutations: 100, bootstrapReplicates: 20, seed: 3)), "seed 3 vs 0")
    refused(try shard(20..<40, ComparisonDesign(permutations: 101, bootstrapReplicates: 20)), "101 permutations vs 100")
    refused(try shard(20..<40, design, weight: 2),
            "the paired tests need one common weight for all rows of nonzero weight (found 1.0 and 2.0)")
    try a.merge(try shard(20..<40, design))
  }
}
