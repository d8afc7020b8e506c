import Dispatch

/// A comparison over one shard of the rows (`mapk compare --shard I/N --state S`):
/// its mergeable sums, keyed by the rows' global indices.
extension SystemComparison {
  /// The sums of the comparison of `systems` over their rows, which are rows
  /// `firstRow ..< firstRow + rows` of the whole evaluation: merged with the
  /// other shards' (``ComparisonShard/merge(_:)``), they give the single
  /// run's result (``ComparisonShard/result(states:)``), bit for bit.
  ///
  /// The rows in the tests and the weights follow
  /// ``compare(_:weights:pairs:design:threads:)``'s rules on these rows; the
  /// common weight is kept, so the merge can check it is every shard's.
  ///
  /// - Parameters:
  ///   - systems: The systems' rows of this shard, all with the same configuration and rows.
  ///   - weights: The shard's per-row weights (nil: all 1).
  ///   - firstRow: The global index of the shard's first row.
  ///   - pairs: The comparisons, as (baseline, system) indices into `systems`.
  ///   - design: The tests' settings (permutations, bootstrap replicates, level, seed); every shard's must be the same.
  ///   - threads: Workers (any count gives the same sums).
  /// - Throws: ``ComparisonError``.
  /// - Complexity: O(rows · (B_perm · pairs · columns · (1 + limbs) + B_boot · systems · columns)) / threads:
  ///   one exact addition per row, permutation and mean test.
  public static func shard(
    _ systems: [SystemRows], weights: [Double]? = nil, firstRow: Int, pairs: [(baseline: Int, system: Int)],
    design: ComparisonDesign = ComparisonDesign(), threads: Int = 1
  ) throws(ComparisonError) -> ComparisonShard {
    // The same rules as `compare`, on this shard's rows.
    let tested = try TestedRows(systems, weights: weights)
    let configuration = tested.configuration, rows = tested.rows, columns = tested.columns
    let pooledColumn = tested.pooledColumn, defined = tested.defined
    let rawWeights = tested.rawWeights, rowWeights = tested.rowWeights
    let inTests = tested.inTests, inPooledTests = tested.inPooledTests
    let meanTestRows = tested.meanTestRows, pooledTestRows = tested.pooledTestRows
    let anyPooled = pooledColumn.contains(true)
    let few = meanTestRows <= RandomizationTest.maximumExactRows
    let fewPooled = pooledTestRows <= RandomizationTest.maximumExactRows
    let workers = max(1, min(threads, rows / 32))

    // The paired bootstrap over row ranges, merged exactly.
    let slots = WorkerSlots<PoissonBootstrap>(count: workers)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      let lower = rows * worker / workers, upper = rows * (worker + 1) / workers
      slots.store(bootstrapPart(systems, rows: lower..<upper, firstRow: firstRow, pooledColumn: pooledColumn,
                                defined: defined, rawWeights: rawWeights, rowWeights: rowWeights, design: design),
                  at: worker)
    }
    var bootstrap = slots.values[0]
    for part in slots.values.dropFirst() { bootstrap.merge(part) }

    var tests: [ComparisonShard.TestSums] = []
    for (column, _) in configuration.pairs.enumerated() {
      for pair in pairs {
        let a = systems[pair.system], b = systems[pair.baseline]
        if pooledColumn[column] {
          let p = [a.parts!.numerators, a.parts!.denominators, b.parts!.numerators, b.parts!.denominators].map { x in
            (0..<rows).map { inPooledTests[$0] ? x[$0 * columns + column] : 0 }
          }
          let parts = WorkerSlots<PooledRandomizationSums>(count: workers)
          DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let lower = rows * worker / workers, upper = rows * (worker + 1) / workers
            var s = PooledRandomizationSums(replicates: design.permutations, seed: design.seed)
            let q = p.map { Array($0[lower..<upper]) }
            q[0].withUnsafeBufferPointer { ha in
              q[1].withUnsafeBufferPointer { na in
                q[2].withUnsafeBufferPointer { hb in
                  q[3].withUnsafeBufferPointer { s.add(hitsA: ha, countsA: na, hitsB: hb, countsB: $0, firstRow: firstRow + lower) }
                }
              }
            }
            parts.store(s, at: worker)
          }
          var swaps = parts.values[0]
          for part in parts.values.dropFirst() { swaps.merge(part) }
          let listed = fewPooled ? (0..<rows).filter { inPooledTests[$0] }.map { r in
            ComparisonShard.TestedRow(row: firstRow + r, values: p.map { $0[r] })
          } : nil
          tests.append(.pooled(swaps: swaps, rows: listed))
        } else {
          // d = system − baseline, 0 for rows out of the tests (a zero adds to no sum).
          let d = (0..<rows).map { r in
            inTests[r] ? a.values[r * columns + column] - b.values[r * columns + column] : 0
          }
          var t = PairedTTestSums()
          for r in 0..<rows where inTests[r] { t.add(d[r]) }
          // Whole 64-replicate blocks per worker (one row hash per block).
          let blocks = (design.permutations + 63) / 64
          let parts = max(1, min(threads, blocks))
          let sums = WorkerSlots<[ExactSum]>(count: parts)
          DispatchQueue.concurrentPerform(iterations: parts) { part in
            let lower = min(design.permutations, blocks * part / parts * 64)
            let upper = min(design.permutations, blocks * (part + 1) / parts * 64)
            sums.store(d.withUnsafeBufferPointer {
              RandomizationTest.exactReplicateSums(differences: $0, firstRow: firstRow, replicates: lower..<upper,
                                                   seed: design.seed)
            }, at: part)
          }
          let listed = few ? (0..<rows).filter { inTests[$0] }.map { r in
            ComparisonShard.TestedRow(row: firstRow + r, values: [d[r]])
          } : nil
          tests.append(.mean(tTest: t, permutationSums: sums.values.flatMap { $0 }, rows: listed))
        }
      }
    }
    let testWeight = (0..<rows).first { inTests[$0] }.map { rowWeights[$0] }
    let pooledTestWeight = anyPooled ? (0..<rows).first { inPooledTests[$0] }.map { rawWeights[$0] } : nil
    do {
      return try ComparisonShard(
        pairs: pairs, systems: systems.count, pooledColumns: pooledColumn, design: design, testWeight: testWeight,
        pooledTestWeight: pooledTestWeight, meanTestRows: meanTestRows, pooledTestRows: pooledTestRows,
        bootstrap: bootstrap, tests: tests)
    } catch {
      preconditionFailure("a shard's own sums fit each other: \(error)")
    }
  }

  /// The paired bootstrap of rows `rows` (indices into the systems' rows,
  /// which are global rows `firstRow + r`): every system and column is a
  /// statistic (system-major), so all share each replicate's counts. A
  /// pooled column adds its rows' (hits, n); a mean column its value where
  /// the row is defined (weight 0 elsewhere, as in the metric).
  static func bootstrapPart(
    _ systems: [SystemRows], rows: Range<Int>, firstRow: Int, pooledColumn: [Bool], defined: [Bool],
    rawWeights: [Double], rowWeights: [Double], design: ComparisonDesign
  ) -> PoissonBootstrap {
    let columns = pooledColumn.count
    let statistics = systems.count * columns
    let anyPooled = pooledColumn.contains(true)
    let pooledStatistics = systems.flatMap { _ in pooledColumn }
    let (lower, upper) = (rows.lowerBound, rows.upperBound)
    var bootstrap = PoissonBootstrap(replicates: design.bootstrapReplicates, seed: design.seed, pooled: pooledStatistics)
    var values = [Double](repeating: 0, count: (upper - lower) * statistics)
    var denominators = [Double](repeating: 0, count: anyPooled ? values.count : 0)
    for r in lower..<upper {
      for s in systems.indices {
        for c in 0..<columns {
          let i = (r - lower) * statistics + s * columns + c
          if pooledColumn[c] {
            values[i] = systems[s].parts!.numerators[r * columns + c]
            denominators[i] = systems[s].parts!.denominators[r * columns + c]
          } else if defined[r] {
            values[i] = systems[s].values[r * columns + c]
          }
        }
      }
    }
    if anyPooled {
      let w = Array(rawWeights[lower..<upper]), means = Array(defined[lower..<upper])
      values.withUnsafeBufferPointer { v in
        denominators.withUnsafeBufferPointer { d in
          w.withUnsafeBufferPointer { w in
            means.withUnsafeBufferPointer {
              bootstrap.add(values: v, denominators: d, weights: w, meansDefined: $0, firstRow: firstRow + lower)
            }
          }
        }
      }
    } else {
      let w = Array(rowWeights[lower..<upper])
      values.withUnsafeBufferPointer { v in
        w.withUnsafeBufferPointer { bootstrap.add(values: v, weights: $0, firstRow: firstRow + lower) }
      }
    }
    return bootstrap
  }

  /// `comparisons` with their Holm-adjusted p: the family of one metric at
  /// one k (`columns[i]` is comparison i's (metric, k)).
  static func adjustedByHolm(_ comparisons: [PairComparison], columns: [Int]) -> [PairComparison] {
    var out = comparisons
    for column in Set(columns) {
      let family = comparisons.indices.filter { columns[$0] == column }
      let adjusted = HolmBonferroni.adjusted(family.map { comparisons[$0].p })
      for (j, i) in family.enumerated() {
        let c = comparisons[i]
        out[i] = PairComparison(
          baseline: c.baseline, system: c.system, metric: c.metric, k: c.k, difference: c.difference,
          interval: c.interval, tTest: c.tTest, pRandomization: c.pRandomization, pHolm: adjusted[j])
      }
    }
    return out
  }
}
