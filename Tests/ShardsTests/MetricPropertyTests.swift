import MAPKShards
import TestSupport
import Testing

/// Properties of every metric on random dumps (seeded; a failure names its
/// seed): values in [0, 1]; precision and recall are the hit counts over
/// their denominators, exactly; TensorFlow's AP equals trec_eval's when no
/// row has more labels than k; and every metric's state has the same bits
/// for any thread count, chunk size, shard split and merge order.
@Suite struct MetricPropertyTests {
  struct Dump {
    var classes: Int
    var scores: [Float]
    var labels: [[Int]]
    var weights: [Double]

    var rows: Int { labels.count }
    func row(_ r: Int) -> [Double] { scores[(r * classes)..<((r + 1) * classes)].map(Double.init) }
  }

  /// Scores from a few levels (ties common) or distinct, 0 to 6 labels per
  /// row: classes, repeats, -1, labels >= C; some rows without labels.
  static func dump(rows: Int, classes c: Int, seed: UInt64) -> Dump {
    var rng = SplitMix64(seed: seed)
    let levels = Bool.random(using: &rng) ? 5 : 1 << 20
    let scores = (0..<(rows * c)).map { _ in Float(Int.random(in: 0..<levels, using: &rng)) / Float(levels) - 0.3 }
    let labels = (0..<rows).map { _ -> [Int] in
      (0..<Int.random(in: 0...6, using: &rng)).map { _ in
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return -1
        case 1: return c + Int.random(in: 0..<3, using: &rng)
        default: return Int.random(in: 0..<c, using: &rng)
        }
      }
    }
    let weights = (0..<rows).map { _ in Double(Int.random(in: 0...8, using: &rng)) / 4 }
    return Dump(classes: c, scores: scores, labels: labels, weights: weights)
  }

  static func evaluate(_ d: Dump, _ configuration: MAPConfiguration, sparse: Bool, weighted: Bool,
                       threads: Int = 2, chunkBytes: Int = 4 << 20, rows: Range<Int>? = nil) throws -> MAPState {
    let range = rows ?? 0..<d.rows
    let labels = Array(d.labels[range])
    return try Evaluator(threads: threads, chunkBytes: chunkBytes).evaluate(
      scores: d.scores[(range.lowerBound * d.classes)..<(range.upperBound * d.classes)], classes: d.classes,
      labels: sparse ? .sparse(rows: labels) : .dense(rows: labels),
      weights: weighted ? .perRow(Array(d.weights[range])) : .none, configuration: configuration)
  }

  @Test(arguments: [1, 2, 3, 4] as [UInt64])
  func everyMetricIsInTheUnitInterval(seed: UInt64) throws {
    let d = Self.dump(rows: 300, classes: 1 + Int(seed * 7 % 40), seed: seed)
    let ks = Array(Set([1, 3, 10, d.classes].filter { $0 <= d.classes })).sorted()
    for sparse in [false, true] {
      for weighted in [false, true] {
        for policy in [EmptyRowPolicy.zero, .skip] {
          let configuration = try MAPConfiguration(ks: ks, metrics: Metric.allCases, emptyRows: policy,
                                                   nanScores: .error)
          let state = try Self.evaluate(d, configuration, sparse: sparse, weighted: weighted)
          for r in state.results {
            #expect(r.value >= 0 && r.value <= 1,
                    "seed \(seed) sparse \(sparse) weighted \(weighted) \(policy) \(r.metric.name)@\(r.k) = \(r.value)")
          }
        }
      }
    }
  }

  /// Unweighted: P@k is Σ hits / (k · rows) and R@k is Σ hits / Σ distinct
  /// label values, each one correctly rounded quotient of integers counted
  /// here from a full sort.
  @Test(arguments: [5, 6, 7] as [UInt64])
  func precisionAndRecallAreHitCounts(seed: UInt64) throws {
    let d = Self.dump(rows: 250, classes: 30, seed: seed)
    let ks = [1, 4, 30]
    for sparse in [false, true] {
      let configuration = try MAPConfiguration(ks: ks, metrics: [.precision, .recall], emptyRows: .zero)
      let state = try Self.evaluate(d, configuration, sparse: sparse, weighted: false, threads: 3)
      for k in ks {
        var hits = 0, distinct = 0
        for r in 0..<d.rows {
          let top = ReferenceMAP.ranking(d.row(r), nan: .largest).prefix(k)
          hits += Set(d.labels[r]).filter { top.contains($0) }.count
          // Dense rows are padded to the longest row with -1 (`Labels.dense(rows:)`), one more distinct value.
          let padded = !sparse && d.labels[r].count < d.labels.map(\.count).max()!
          distinct += Set(d.labels[r] + (padded ? [-1] : [])).count
        }
        let p = state.results.first { $0.metric == .precision && $0.k == k }!
        let rec = state.results.first { $0.metric == .recall && $0.k == k }!
        #expect(p.total == Double(hits) && p.max == Double(k * d.rows), "seed \(seed) P@\(k)")
        #expect(p.value == Double(hits) / Double(k * d.rows), "seed \(seed) P@\(k)")
        #expect(rec.total == Double(hits) && rec.max == Double(distinct), "seed \(seed) sparse \(sparse) R@\(k)")
        #expect(rec.value == Double(hits) / Double(distinct), "seed \(seed) sparse \(sparse) R@\(k)")
      }
    }
  }

  /// Rows of distinct labels in `0..<C`, at most k of them: `min(n, k) = n =
  /// R`, so TensorFlow's AP and trec_eval's are the same numbers, bit for bit.
  @Test(arguments: [8, 9, 10] as [UInt64])
  func mapEqualsTrecWhenNoRowHasMoreLabelsThanK(seed: UInt64) throws {
    var d = Self.dump(rows: 200, classes: 25, seed: seed)
    let k = 6
    d.labels = d.labels.map { Array(Set($0.filter { $0 >= 0 && $0 < 25 })).prefix(k).map { $0 } }
    for sparse in [false, true] {
      for weighted in [false, true] {
        let configuration = try MAPConfiguration(ks: [k, 10], metrics: [.averagePrecision, .trecAveragePrecision],
                                                 emptyRows: .skip)
        let state = try Self.evaluate(d, configuration, sparse: sparse, weighted: weighted)
        for kk in [k, 10] {
          let map = state.value(metric: .averagePrecision, k: kk)!, trec = state.value(metric: .trecAveragePrecision, k: kk)!
          #expect(map.bitPattern == trec.bitPattern, "seed \(seed) sparse \(sparse) weighted \(weighted) k \(kk)")
        }
      }
    }
  }

  /// The whole state (every metric's totals and denominators) is the same
  /// for any threads and chunk size, and for shards merged in any order.
  @Test(arguments: [11, 12, 13, 14] as [UInt64])
  func everyMetricIsThreadChunkAndShardInvariant(seed: UInt64) throws {
    let d = Self.dump(rows: 401, classes: 17, seed: seed)
    for policy in EmptyRowPolicy.allCases {
      for sparse in [false, true] {
        for weighted in [false, true] {
          // ks up to 16: rows counted per outcome when unweighted; 17: every row on the direct path.
          let configuration = try MAPConfiguration(ks: seed % 2 == 0 ? [1, 3, 10] : [1, 2, 5, 17],
                                                   metrics: Metric.allCases, emptyRows: policy, nanScores: .error)
          let whole = try Self.evaluate(d, configuration, sparse: sparse, weighted: weighted, threads: 1)
          let context = "seed \(seed) \(policy) sparse \(sparse) weighted \(weighted)"
          for threads in [2, 5] {
            for chunkBytes in [1, 1_000, 1 << 22] {
              let state = try Self.evaluate(d, configuration, sparse: sparse, weighted: weighted, threads: threads,
                                            chunkBytes: chunkBytes)
              #expect(state == whole, "\(context) \(threads) threads chunk \(chunkBytes)")
            }
          }
          // Sparse rows keep their own labels; dense rows are padded per shard, so only sparse shards are
          // the same rows (a dense shard's padding width may differ, and recall counts padding).
          guard sparse else { continue }
          let cuts = [0, 1, 137, 138, 300, 401]
          let shards = try zip(cuts, cuts.dropFirst()).map { a, b in
            try Self.evaluate(d, configuration, sparse: true, weighted: weighted, rows: a..<b)
          }
          for order in [[0, 1, 2, 3, 4], [4, 2, 0, 3, 1]] {
            var merged = MAPState(configuration: configuration)
            for i in order { try merged.merge(shards[i]) }
            #expect(merged == whole, "\(context) shards merged in order \(order)")
          }
        }
      }
    }
  }
}
