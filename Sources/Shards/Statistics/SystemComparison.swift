import Dispatch

/// One system's evaluation for a comparison: its exact state and every row's
/// value per (metric, k), row-major `[rows, columns]` with the columns in
/// ``MAPConfiguration/pairs`` order (what a ``PerRowSink`` receives).
public struct SystemRows: Sendable {
  /// The system's name in reports (its predictions file).
  public let name: String
  /// The exact state of its rows.
  public let state: MAPState
  /// `rows · columns` per-row values; NaN for a row without labels under the
  /// `nan` and `skip` policies.
  public let values: [Double]
  /// The pooled metrics' per-row numerators (hits) and denominators (n), in
  /// the layout of ``values`` (what a `PerRowSink` with numerators and
  /// denominators receives), or nil when no metric is pooled.
  public let parts: (numerators: [Double], denominators: [Double])?

  /// Creates the rows of one system.
  ///
  /// - Parameters:
  ///   - name: The system's name in reports (its predictions file).
  ///   - state: The exact state of its rows.
  ///   - values: `rows · columns` per-row values, as ``values`` holds them.
  ///   - parts: The pooled metrics' per-row numerators and
  ///     denominators; needed when a metric is pooled.
  /// - Precondition: `values.count` (and each part's) is `state.rows` times the configuration's pairs.
  public init(name: String, state: MAPState, values: [Double],
              parts: (numerators: [Double], denominators: [Double])? = nil) {
    precondition(values.count == state.rows * state.configuration.pairs.count, "one value per row and (metric, k)")
    precondition(parts == nil || (parts!.numerators.count == values.count && parts!.denominators.count == values.count),
                 "one numerator and denominator per row and (metric, k)")
    self.name = name
    self.state = state
    self.values = values
    self.parts = parts
  }

  /// The number of (metric, k) columns.
  public var columns: Int { state.configuration.pairs.count }
}

/// The replicate counts and the seed of a comparison's tests and intervals.
public struct ComparisonDesign: Sendable, Equatable {
  /// B of the randomization test (exact enumeration when 2ⁿ ≤ B).
  public var permutations: Int
  /// B of the Poisson bootstrap.
  public var bootstrapReplicates: Int
  /// The confidence level of the intervals, in (0, 1).
  public var level: Double
  /// The seed of the sign flips and of the Poisson counts (different hash
  /// domains, so one seed does not correlate them).
  public var seed: UInt64

  /// A design; the defaults are `mapk compare`'s.
  public init(permutations: Int = 10_000, bootstrapReplicates: Int = 1_000, level: Double = 0.95, seed: UInt64 = 0) {
    precondition(permutations >= 1 && bootstrapReplicates >= 1 && level > 0 && level < 1)
    self.permutations = permutations
    self.bootstrapReplicates = bootstrapReplicates
    self.level = level
    self.seed = seed
  }
}

/// One system's value of one metric at one k, with its bootstrap interval.
public struct SystemResult: Sendable, Equatable {
  /// The metric.
  public let metric: Metric
  /// The k.
  public let k: Int
  /// The value (the state's, exact sums rounded once).
  public let value: Double
  /// The percentile bootstrap interval.
  public let interval: (lower: Double, upper: Double)

  public static func == (a: SystemResult, b: SystemResult) -> Bool {
    a.metric == b.metric && a.k == b.k && a.value.bitPattern == b.value.bitPattern
      && a.interval.lower.bitPattern == b.interval.lower.bitPattern
      && a.interval.upper.bitPattern == b.interval.upper.bitPattern
  }
}

/// One system against a baseline on one metric at one k.
public struct PairComparison: Sendable, Equatable {
  /// The baseline's index in the systems.
  public let baseline: Int
  /// The compared system's index.
  public let system: Int
  /// The metric.
  public let metric: Metric
  /// The k.
  public let k: Int
  /// value(system) − value(baseline).
  public let difference: Double
  /// The paired bootstrap interval of the difference (the same counts for both).
  public let interval: (lower: Double, upper: Double)
  /// The paired t-test on d = system − baseline per row (`ttest_rel(system,
  /// baseline)`), or nil where it does not apply (a pooled metric).
  public let tTest: PairedTTestResult?
  /// Fisher's randomization test (two-sided).
  public let pRandomization: Double
  /// The Holm-adjusted p over the family of comparisons of this metric and k:
  /// of the t-test's p where it applies, else of the randomization test's.
  public let pHolm: Double

  /// The p-value Holm adjusts: the t-test's where it applies.
  public var p: Double { tTest?.pValue ?? pRandomization }

  public static func == (a: PairComparison, b: PairComparison) -> Bool {
    func same(_ x: Double, _ y: Double) -> Bool { x.bitPattern == y.bitPattern }
    return a.baseline == b.baseline && a.system == b.system && a.metric == b.metric && a.k == b.k
      && same(a.difference, b.difference) && same(a.interval.lower, b.interval.lower)
      && same(a.interval.upper, b.interval.upper) && a.tTest == b.tTest
      && same(a.pRandomization, b.pRandomization) && same(a.pHolm, b.pHolm)
  }
}

/// Everything a comparison computes.
public struct SystemComparisonResult: Sendable, Equatable {
  /// Per system (in the order given), one result per (metric, k) in
  /// ``MAPConfiguration/pairs`` order.
  public let systems: [[SystemResult]]
  /// Per (metric, k) in pairs order, then per pair of systems in the order given.
  public let comparisons: [PairComparison]
  /// The rows in the tests (weight not 0, a defined value).
  public let rowsInTests: Int
}

/// Why systems cannot be compared.
public enum ComparisonError: Error, Equatable, Sendable {
  /// The systems differ in rows or configuration.
  case mismatchedSystems(String)
  /// Rows without labels make the metric NaN (the `nan` policy): there is
  /// nothing to test; the `skip` or `zero` policy defines it.
  case undefinedMetric(emptyRows: Int)
  /// The weights break the paired tests' rule (``PairedTestWeights``).
  case weights(PairedTestWeights.Refusal)
}

/// Paired comparisons of systems evaluated on the same rows: values, paired
/// t-test, Fisher's randomization test, paired Poisson bootstrap intervals
/// and Holm–Bonferroni adjustment (`docs/statistics.md`).
///
/// Rows taking part in the tests: weight not 0 and a defined value (a row
/// without labels under the `skip` policy is left out of the tests and
/// weighs 0 in the bootstrap, as it does in the metric; under `zero` it
/// counts with value 0; under `nan` the metric is NaN and the comparison is
/// refused). The tests need all other rows to share one weight
/// (``PairedTestWeights``); the bootstrap uses the weights as the metric does.
///
/// Every number is a function of the inputs, the design and the global row
/// indices only: the same bits for any thread count (exact sums, exact tie
/// resolution, counter-based draws).
public enum SystemComparison {
  /// Compares `systems`: every pair in `pairs` (baseline index, system index).
  ///
  /// - Parameters:
  ///   - systems: The systems' rows, all with the same configuration and rows.
  ///   - weights: Per-row weights (nil: all 1).
  ///   - pairs: (baseline, system) index pairs; each gets one ``PairComparison``
  ///     per (metric, k).
  ///   - design: Replicates, level and seed.
  ///   - threads: Workers for the randomization test and the bootstrap (row
  ///     ranges; any count gives the same bits).
  /// - Throws: ``ComparisonError``.
  /// - Complexity: O(rows · (B_perm · pairs · columns + B_boot · systems · columns)) / threads.
  public static func compare(
    _ systems: [SystemRows], weights: [Double]? = nil, pairs: [(baseline: Int, system: Int)],
    design: ComparisonDesign = ComparisonDesign(), threads: Int = 1
  ) throws(ComparisonError) -> SystemComparisonResult {
    let tested = try TestedRows(systems, weights: weights)
    let configuration = tested.configuration, rows = tested.rows, columns = tested.columns
    let pooledColumn = tested.pooledColumn, meanColumn = tested.meanColumn, defined = tested.defined
    let rawWeights = tested.rawWeights, rowWeights = tested.rowWeights
    let inTests = tested.inTests, inPooledTests = tested.inPooledTests
    let meanTestRows = tested.meanTestRows, pooledTestRows = tested.pooledTestRows
    let testRows = meanColumn != nil ? meanTestRows : pooledTestRows

    let tests = configuration.pairs.enumerated().flatMap { column, pair in
      pairs.map { (column: column, metric: pair.metric, k: pair.k, baseline: $0.baseline, system: $0.system) }
    }
    // Per test, d = system − baseline per row, 0 for rows out of the tests
    // (a zero difference changes no sign-flip sum, so the sampled test keys
    // every row by its global index and still tests only the rows in it).
    let differences: [[Double]] = tests.map { test in
      if pooledColumn[test.column] { return [] }
      return (0..<rows).map { r in
        inTests[r] ? systems[test.system].values[r * columns + test.column]
          - systems[test.baseline].values[r * columns + test.column] : 0
      }
    }
    let exact = meanTestRows <= RandomizationTest.maximumExactRows && (1 << meanTestRows) <= design.permutations
    let pooledExact = pooledTestRows <= RandomizationTest.maximumExactRows && (1 << pooledTestRows) <= design.permutations
    // Per pooled test, each row's (hits, n) under the system (A) and the
    // baseline (B), zeros for rows out of the tests.
    let pooledParts: [[[Double]]] = tests.map { test in
      guard pooledColumn[test.column] else { return [] }
      let a = systems[test.system].parts!, b = systems[test.baseline].parts!
      func column(_ x: [Double]) -> [Double] { (0..<rows).map { inPooledTests[$0] ? x[$0 * columns + test.column] : 0 } }
      return [column(a.numerators), column(a.denominators), column(b.numerators), column(b.denominators)]
    }

    // One parallel pass over row ranges: each worker's bootstrap (all
    // systems and columns as statistics, so the counts are shared: paired)
    // and randomization sums, merged exactly.
    let workers = max(1, min(threads, rows / 32))
    let partials = WorkerSlots<(PoissonBootstrap, [RandomizationSums], [PooledRandomizationSums])>(count: workers)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      let lower = rows * worker / workers, upper = rows * (worker + 1) / workers
      let bootstrap = bootstrapPart(systems, rows: lower..<upper, firstRow: 0, pooledColumn: pooledColumn,
                                    defined: defined, rawWeights: rawWeights, rowWeights: rowWeights, design: design)
      var sums: [RandomizationSums] = []
      var pooledSums: [PooledRandomizationSums] = []
      for (i, test) in tests.enumerated() {
        if pooledColumn[test.column] {
          var s = PooledRandomizationSums(replicates: design.permutations, seed: design.seed)
          if !pooledExact {
            let p = pooledParts[i].map { Array($0[lower..<upper]) }
            p[0].withUnsafeBufferPointer { ha in
              p[1].withUnsafeBufferPointer { na in
                p[2].withUnsafeBufferPointer { hb in
                  p[3].withUnsafeBufferPointer { s.add(hitsA: ha, countsA: na, hitsB: hb, countsB: $0, firstRow: lower) }
                }
              }
            }
          }
          pooledSums.append(s)
          sums.append(RandomizationSums(replicates: 1, seed: design.seed))
        } else {
          var s = RandomizationSums(replicates: exact ? 1 : design.permutations, seed: design.seed)
          if !exact {
            differences[i].withUnsafeBufferPointer {
              s.add(differences: UnsafeBufferPointer(rebasing: $0[lower..<upper]), firstRow: lower)
            }
          }
          sums.append(s)
          pooledSums.append(PooledRandomizationSums(replicates: 1, seed: design.seed))
        }
      }
      partials.store((bootstrap, sums, pooledSums), at: worker)
    }
    let parts = partials.values
    var bootstrap = parts[0].0
    var sums = parts[0].1
    var pooledSums = parts[0].2
    for part in parts.dropFirst() {
      bootstrap.merge(part.0)
      for i in sums.indices { sums[i].merge(part.1[i]) }
      for i in pooledSums.indices { pooledSums[i].merge(part.2[i]) }
    }

    let level = design.level
    let results = systems.indices.map { s in
      configuration.pairs.enumerated().map { c, pair in
        SystemResult(metric: pair.metric, k: pair.k, value: systems[s].state.values[c],
                     interval: bootstrap.percentileInterval(level: level, statistic: s * columns + c))
      }
    }
    let comparisons: [PairComparison] = tests.indices.map { i in
      let test = tests[i], d = differences[i]
      let tTest: PairedTTestResult?
      if tTestApplies(to: test.metric) {
        var t = PairedTTestSums()
        for r in 0..<rows where inTests[r] { t.add(d[r]) }
        tTest = t.result
      } else {
        tTest = nil
      }
      let pRandomization: Double
      if pooledColumn[test.column] {
        if pooledExact {
          let p = pooledParts[i].map { x in (0..<rows).filter { inPooledTests[$0] }.map { x[$0] } }
          pRandomization = PooledRandomizationSums.exactPValue(hitsA: p[0], countsA: p[1], hitsB: p[2], countsB: p[3])
        } else {
          pRandomization = pooledSums[i].pValue
        }
      } else if exact {
        pRandomization = RandomizationTest.exactPValue(differences: (0..<rows).filter { inTests[$0] }.map { d[$0] })
      } else {
        pRandomization = sums[i].pValue { replicate in
          RandomizationTest.exactReplicateSum(differences: d, firstRow: 0, replicate: replicate, seed: design.seed)
        }
      }
      return PairComparison(
        baseline: test.baseline, system: test.system, metric: test.metric, k: test.k,
        difference: systems[test.system].state.values[test.column] - systems[test.baseline].state.values[test.column],
        interval: bootstrap.percentileInterval(level: level, statistic: test.system * columns + test.column,
                                               minus: test.baseline * columns + test.column),
        tTest: tTest, pRandomization: pRandomization, pHolm: .nan)
    }
    // The family of Holm's adjustment: the comparisons of one metric at one k.
    return SystemComparisonResult(systems: results, comparisons: adjustedByHolm(comparisons, columns: tests.map(\.column)),
                                  rowsInTests: testRows)
  }

  /// Whether the paired t-test applies to `metric`: the aggregation says.
  ///
  /// A mean of row values is tested by the paired t on them; a pooled ratio
  /// (Σ hits / Σ n) is not a mean of row values, so only the randomization
  /// test (`PooledRandomizationSums`, swapping rows' (hits, n)) and the
  /// bootstrap (with its own denominator Σ c·w·n) apply. The switch is
  /// exhaustive, so a new aggregation must decide here.
  public static func tTestApplies(to metric: Metric) -> Bool {
    switch metric.aggregation {
    case .weightedMean: return true
    case .pooled: return false
    }
  }

  /// Each system against the first, `(0, i)` for i ≥ 1.
  public static func againstFirst(systems: Int) -> [(baseline: Int, system: Int)] {
    (1..<max(1, systems)).map { (baseline: 0, system: $0) }
  }

  /// Every pair `(i, j)`, i < j.
  public static func allPairs(systems: Int) -> [(baseline: Int, system: Int)] {
    (0..<systems).flatMap { i in ((i + 1)..<max(i + 1, systems)).map { (baseline: i, system: $0) } }
  }
}
