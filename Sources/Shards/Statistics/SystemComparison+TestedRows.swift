extension SystemComparison {
  /// The rows a comparison tests and their weights, by the one set of rules
  /// ``compare(_:weights:pairs:design:threads:)`` and
  /// ``shard(_:weights:firstRow:pairs:design:threads:)`` share (so a shard's
  /// sums are the single run's on its rows).
  struct TestedRows {
    let configuration: MAPConfiguration
    let rows: Int, columns: Int
    /// Per column, whether its metric is a pooled ratio (tested on its rows'
    /// (hits, n) parts, not on row values).
    let pooledColumn: [Bool]
    /// The first column of a mean metric, if any.
    let meanColumn: Int?
    /// Per row, whether the means' metrics are defined on it.
    let defined: [Bool]
    /// The weights as given (all 1 without), and with undefined rows at 0.
    let rawWeights: [Double], rowWeights: [Double]
    /// Per row, whether it is in the means' tests and in the pooled tests.
    let inTests: [Bool], inPooledTests: [Bool]
    let meanTestRows: Int, pooledTestRows: Int

    /// Checks the systems agree and the weights fit, then applies the rules.
    ///
    /// - Throws: ``ComparisonError``: systems of other rows or configuration,
    ///   a pooled metric without per-row parts, rows without labels under
    ///   `nan`, weights the paired tests cannot take.
    init(_ systems: [SystemRows], weights: [Double]?) throws(ComparisonError) {
      guard let first = systems.first else { throw .mismatchedSystems("no systems") }
      configuration = first.state.configuration
      rows = first.state.rows
      columns = first.columns
      for s in systems where s.state.rows != rows || s.state.configuration != configuration {
        throw .mismatchedSystems("\(s.name) has \(s.state.rows) rows and \(s.state.configuration.ks), "
                                 + "\(first.name) \(rows) and \(configuration.ks)")
      }
      if let weights, weights.count != rows { throw .mismatchedSystems("\(weights.count) weights for \(rows) rows") }
      pooledColumn = configuration.pairs.map { !tTestApplies(to: $0.metric) }
      if let pooled = configuration.metrics.first(where: { !tTestApplies(to: $0) }),
         let s = systems.first(where: { $0.parts == nil }) {
        throw .mismatchedSystems("\(pooled.name) is a pooled ratio and \(s.name) has no per-row hits and counts")
      }
      let meanColumn = pooledColumn.firstIndex(of: false)
      self.meanColumn = meanColumn
      if meanColumn != nil && configuration.emptyRows == .nan && first.state.emptyRows > 0 {
        throw .undefinedMetric(emptyRows: first.state.emptyRows)
      }
      // A row without labels has a NaN value in every mean's column of every
      // system (the labels are shared); under `skip` it is out of the metric,
      // so out of the tests and of weight 0 in the means' bootstrap. A pooled
      // metric takes every row as its sums do (its parts are 0 where it
      // leaves a row out, so such a row adds and swaps nothing).
      let columns = self.columns
      defined = (0..<rows).map { r in meanColumn.map { !first.values[r * columns + $0].isNaN } ?? true }
      let rawWeights = weights ?? Array(repeating: 1, count: rows)
      let defined = self.defined
      self.rawWeights = rawWeights
      rowWeights = (0..<rows).map { defined[$0] ? rawWeights[$0] : 0 }
      do {
        inTests = try PairedTestWeights.rowsInTests(rowWeights)
        inPooledTests = pooledColumn.contains(true) ? try PairedTestWeights.rowsInTests(rawWeights) : inTests
      } catch { throw .weights(error) }
      meanTestRows = inTests.filter { $0 }.count
      pooledTestRows = inPooledTests.filter { $0 }.count
    }
  }
}
