/// The mergeable part of a comparison over some of the rows: what a shard of
/// `mapk compare --shard I/N --state S` saves, and what ``merge(_:)`` adds up
/// to the single run's sums (`docs/statistics.md`, "Across shards").
///
/// Every part is exact and keyed by global row indices, so the merge of the
/// shards of any split, in any order, is the state one run over all rows
/// would build, and ``result(states:)`` gives that run's numbers bit for bit:
/// - the t-test's n, Σd and Σd² (`PairedTTestSums`);
/// - the sampled randomization test as one exact sum Σ sᵢdᵢ per permutation
///   (`RandomizationTest/exactReplicateSums(differences:firstRow:replicates:seed:)`),
///   and a pooled metric's swap sums (`PooledRandomizationSums`, integers
///   held exactly);
/// - the rows' own d (or (hits, n)) when the shard has at most
///   `RandomizationTest/maximumExactRows` rows in the tests, for the exact
///   enumeration when all rows together are few enough;
/// - the paired bootstrap's replicate sums (`PoissonBootstrap`).
public struct ComparisonShard: Sendable {
  /// One row's difference d = system − baseline, with its global index.
  public struct TestedRow: Sendable, Equatable {
    /// The row's global index.
    public let row: Int
    /// d (for a mean), or hits_A, n_A, hits_B, n_B (for a pooled metric).
    public let values: [Double]

    /// A tested row.
    public init(row: Int, values: [Double]) {
      self.row = row
      self.values = values
    }
  }

  /// The sums of one test (one pair of systems on one metric at one k).
  public enum TestSums: Sendable {
    /// A mean metric: the t-test's sums, the exact sum per permutation, and
    /// the rows' d when at most `RandomizationTest/maximumExactRows`.
    case mean(tTest: PairedTTestSums, permutationSums: [ExactSum], rows: [TestedRow]?)
    /// A pooled metric: the swap sums, and the rows' (hits, n) of both
    /// systems when at most `RandomizationTest/maximumExactRows`.
    case pooled(swaps: PooledRandomizationSums, rows: [TestedRow]?)
  }

  /// The (baseline, system) pairs compared.
  public let pairs: [(baseline: Int, system: Int)]
  /// The number of systems.
  public let systems: Int
  /// Per (metric, k), whether its metric is pooled (no t-test).
  public let pooledColumns: [Bool]
  /// B, the level and the seed.
  public let design: ComparisonDesign
  /// The common weight of the rows in the mean metrics' tests (nil: none such row).
  public internal(set) var testWeight: Double?
  /// The common weight of the rows in the pooled metrics' tests (nil: none, or no pooled metric).
  public internal(set) var pooledTestWeight: Double?
  /// The rows in the mean metrics' tests.
  public internal(set) var meanTestRows: Int
  /// The rows in the pooled metrics' tests.
  public internal(set) var pooledTestRows: Int
  /// The paired bootstrap: one statistic per (system, metric, k), system-major.
  public internal(set) var bootstrap: PoissonBootstrap
  /// Per (metric, k) in pairs order, then per pair: the test's sums.
  public internal(set) var tests: [TestSums]

  /// Why two shards' sums cannot be merged.
  public struct MergeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What differs, in a few words.
    public let description: String
  }

  /// Creates the sums from their parts (as read from a saved state).
  ///
  /// - Throws: ``MergeError`` if the parts do not fit each other (the count
  ///   of tests, of permutation sums, or the bootstrap's statistics).
  public init(pairs: [(baseline: Int, system: Int)], systems: Int, pooledColumns: [Bool], design: ComparisonDesign,
              testWeight: Double?, pooledTestWeight: Double?, meanTestRows: Int, pooledTestRows: Int,
              bootstrap: PoissonBootstrap, tests: [TestSums]) throws(MergeError) {
    self.pairs = pairs
    self.systems = systems
    self.pooledColumns = pooledColumns
    self.design = design
    self.testWeight = testWeight
    self.pooledTestWeight = pooledTestWeight
    self.meanTestRows = meanTestRows
    self.pooledTestRows = pooledTestRows
    self.bootstrap = bootstrap
    self.tests = tests
    if let problem = inconsistency { throw MergeError(description: problem) }
  }

  /// The first contradiction among the parts, or nil.
  var inconsistency: String? {
    guard systems >= 1, pairs.allSatisfy({ $0.baseline >= 0 && $0.system >= 0 && $0.baseline < systems && $0.system < systems })
    else { return "pairs \(pairs.map { [$0.baseline, $0.system] }) for \(systems) systems" }
    guard meanTestRows >= 0, pooledTestRows >= 0 else { return "a negative count of rows in the tests" }
    guard tests.count == pairs.count * pooledColumns.count else {
      return "\(tests.count) tests for \(pairs.count) pairs at \(pooledColumns.count) (metric, k)"
    }
    guard bootstrap.statistics == systems * pooledColumns.count,
          bootstrap.pooled == (0..<systems).flatMap({ _ in pooledColumns }),
          bootstrap.replicates == design.bootstrapReplicates, bootstrap.seed == design.seed
    else { return "a bootstrap of \(bootstrap.statistics) statistics and \(bootstrap.replicates) replicates for this design" }
    for (i, test) in tests.enumerated() {
      let pooled = pooledColumns[i / max(1, pairs.count)]
      switch test {
      case .mean(let t, let sums, let rows):
        guard !pooled else { return "tests[\(i)] is a mean's test of a pooled metric" }
        guard sums.count == design.permutations else {
          return "tests[\(i)] has \(sums.count) permutation sums for \(design.permutations) permutations"
        }
        guard t.count == meanTestRows else { return "tests[\(i)] has \(t.count) rows for \(meanTestRows) in the tests" }
        guard rows != nil || meanTestRows > RandomizationTest.maximumExactRows else {
          return "tests[\(i)] has no rows' differences for its \(meanTestRows) rows in the tests"
        }
        if let rows, rows.count != meanTestRows || rows.contains(where: { $0.values.count != 1 || $0.row < 0 }) {
          return "tests[\(i)] lists \(rows.count) rows' differences for \(meanTestRows) in the tests"
        }
      case .pooled(let swaps, let rows):
        guard pooled else { return "tests[\(i)] is a pooled metric's test of a mean" }
        guard swaps.replicates == design.permutations, swaps.hits.seed == design.seed else {
          return "tests[\(i)] has \(swaps.replicates) swap sums for \(design.permutations) permutations"
        }
        guard rows != nil || pooledTestRows > RandomizationTest.maximumExactRows else {
          return "tests[\(i)] has no rows' hits and counts for its \(pooledTestRows) rows in the tests"
        }
        if let rows, rows.count != pooledTestRows || rows.contains(where: { $0.values.count != 4 || $0.row < 0 }) {
          return "tests[\(i)] lists \(rows.count) rows' hits and counts for \(pooledTestRows) in the tests"
        }
      }
    }
    return nil
  }

  /// Adds the sums of other rows of the same comparison: exact, so any order
  /// and grouping of the shards gives the same sums.
  ///
  /// - Throws: ``MergeError`` if the comparisons differ (pairs, metrics,
  ///   design) or the rows of the tests have different weights.
  /// - Complexity: O(tests · B · limbs).
  public mutating func merge(_ other: ComparisonShard) throws(MergeError) {
    func differ(_ what: String) -> MergeError { MergeError(description: what) }
    guard other.pairs.map({ [$0.baseline, $0.system] }) == pairs.map({ [$0.baseline, $0.system] }) else {
      throw differ("pairs \(other.pairs.map { [$0.baseline, $0.system] }) vs \(pairs.map { [$0.baseline, $0.system] })")
    }
    guard other.systems == systems, other.pooledColumns == pooledColumns else { throw differ("other metrics or systems") }
    let (a, b) = (other.design, design)
    if a.permutations != b.permutations { throw differ("\(a.permutations) permutations vs \(b.permutations)") }
    if a.bootstrapReplicates != b.bootstrapReplicates {
      throw differ("bootstrap of \(a.bootstrapReplicates) replicates vs \(b.bootstrapReplicates)")
    }
    if a.level != b.level { throw differ("confidence level \(a.level) vs \(b.level)") }
    if a.seed != b.seed { throw differ("seed \(a.seed) vs \(b.seed)") }
    // The tests need one common weight over all rows (`PairedTestWeights`):
    // each shard checked its own rows, the merge checks the shards agree.
    func common(_ x: Double?, _ y: Double?) throws(MergeError) -> Double? {
      if let x, let y, x != y {
        throw differ("the paired tests need one common weight for all rows of nonzero weight (found \(y) and \(x))")
      }
      return x ?? y
    }
    let weight = try common(other.testWeight, testWeight)
    let pooledWeight = try common(other.pooledTestWeight, pooledTestWeight)
    // Each count is at most its state's rows; a total past `Int` is a forgery, refused rather than trapped on.
    let (meanRows, o1) = meanTestRows.addingReportingOverflow(other.meanTestRows)
    let (pooledRows, o2) = pooledTestRows.addingReportingOverflow(other.pooledTestRows)
    guard !o1, !o2 else { throw differ("the rows in the tests add up past \(Int.max)") }
    var merged = tests
    for i in tests.indices {
      switch (tests[i], other.tests[i]) {
      case (.mean(var t, var sums, let rows), .mean(let t2, let sums2, let rows2)):
        t.merge(t2)
        for b in sums.indices { sums[b].merge(sums2[b]) }
        merged[i] = .mean(tTest: t, permutationSums: sums, rows: Self.joined(rows, rows2))
      case (.pooled(var s, let rows), .pooled(let s2, let rows2)):
        s.merge(s2)
        merged[i] = .pooled(swaps: s, rows: Self.joined(rows, rows2))
      default:
        throw differ("tests[\(i)] of another kind")
      }
    }
    tests = merged
    testWeight = weight
    pooledTestWeight = pooledWeight
    meanTestRows = meanRows
    pooledTestRows = pooledRows
    bootstrap.merge(other.bootstrap)
  }

  /// Both lists of rows in row order, or nil when either is nil or the
  /// total passes the exact enumeration's limit (then the merged sums decide).
  static func joined(_ a: [TestedRow]?, _ b: [TestedRow]?) -> [TestedRow]? {
    guard let a, let b, a.count + b.count <= RandomizationTest.maximumExactRows else { return nil }
    return (a + b).sorted { $0.row < $1.row }
  }

  /// The comparison of the rows these sums cover: what
  /// ``SystemComparison/compare(_:weights:pairs:design:threads:)`` gives for
  /// them, bit for bit, when `states` are the systems' states of the same rows.
  ///
  /// - Parameter states: Each system's exact state of the rows (merged like these sums).
  /// - Throws: ``ComparisonError/undefinedMetric(emptyRows:)`` as `compare`
  ///   does, ``ComparisonError/mismatchedSystems(_:)`` if the states do not fit.
  /// - Complexity: O(tests · B · limbs), plus 2ⁿ·n per test when exact.
  public func result(states: [MAPState]) throws(ComparisonError) -> SystemComparisonResult {
    guard states.count == systems, let first = states.first else {
      throw .mismatchedSystems("\(states.count) states for \(systems) systems")
    }
    let configuration = first.configuration
    let columns = configuration.pairs.count
    guard columns == pooledColumns.count,
          configuration.pairs.map({ !SystemComparison.tTestApplies(to: $0.metric) }) == pooledColumns,
          states.allSatisfy({ $0.configuration == configuration && $0.rows == first.rows })
    else { throw .mismatchedSystems("the states are not of the compared metrics and rows") }
    let meanColumn = pooledColumns.firstIndex(of: false)
    if meanColumn != nil && configuration.emptyRows == .nan && first.emptyRows > 0 {
      throw .undefinedMetric(emptyRows: first.emptyRows)
    }
    let testRows = meanColumn != nil ? meanTestRows : pooledTestRows
    let exact = meanTestRows <= RandomizationTest.maximumExactRows && (1 << meanTestRows) <= design.permutations
    let pooledExact = pooledTestRows <= RandomizationTest.maximumExactRows
      && (1 << pooledTestRows) <= design.permutations
    let level = design.level
    let results = states.indices.map { s in
      configuration.pairs.enumerated().map { c, pair in
        SystemResult(metric: pair.metric, k: pair.k, value: states[s].values[c],
                     interval: bootstrap.percentileInterval(level: level, statistic: s * columns + c))
      }
    }
    var comparisons: [PairComparison] = []
    var testColumns: [Int] = []
    for (c, pair) in configuration.pairs.enumerated() {
      for (j, p) in pairs.enumerated() {
        let tTest: PairedTTestResult?
        let pRandomization: Double
        switch tests[c * pairs.count + j] {
        case .mean(let t, let sums, let rows):
          tTest = t.result
          // With few rows every shard kept its rows' d (each has at most the total).
          if exact, let rows {
            pRandomization = RandomizationTest.exactPValue(differences: rows.map { $0.values[0] })
          } else {
            pRandomization = RandomizationTest.pValue(observed: t.sum, replicateSums: sums)
          }
        case .pooled(let swaps, let rows):
          tTest = nil
          if pooledExact, let rows {
            pRandomization = PooledRandomizationSums.exactPValue(
              hitsA: rows.map { $0.values[0] }, countsA: rows.map { $0.values[1] },
              hitsB: rows.map { $0.values[2] }, countsB: rows.map { $0.values[3] })
          } else {
            pRandomization = swaps.pValue
          }
        }
        comparisons.append(PairComparison(
          baseline: p.baseline, system: p.system, metric: pair.metric, k: pair.k,
          difference: states[p.system].values[c] - states[p.baseline].values[c],
          interval: bootstrap.percentileInterval(level: level, statistic: p.system * columns + c,
                                                 minus: p.baseline * columns + c),
          tTest: tTest, pRandomization: pRandomization, pHolm: .nan))
        testColumns.append(c)
      }
    }
    return SystemComparisonResult(
      systems: results, comparisons: SystemComparison.adjustedByHolm(comparisons, columns: testColumns),
      rowsInTests: testRows)
  }
}
