extension Evaluator {
  /// Evaluates scores in memory: `scores` holds `rows · classes` values,
  /// row-major; the rows are `labels.rows`.
  ///
  /// The same chunked, parallel path as for a mapped file, with the same
  /// bits. No unsafe code at the call site:
  ///
  /// ```swift
  /// let scores: ArraySlice<Float> = all[0..<(2 * 3)]
  /// let state = try Evaluator().evaluate(
  ///   scores: scores, classes: 3, labels: .dense(rows: [[0], [2]] as [[Int32]]),
  ///   configuration: MAPConfiguration(ks: [1, 2]))
  /// ```
  ///
  /// - Parameters:
  ///   - scores: Row-major scores of `Float`, `Float16` or `Double`: an
  ///     `Array`, `ArraySlice`, `ContiguousArray`, `UnsafeBufferPointer`, or
  ///     any collection (one that has no contiguous storage is copied once).
  ///   - classes: Scores per row.
  ///   - labels: One row of labels per score row.
  ///   - weights: Weights (default none).
  ///   - configuration: The metrics, ks and policies.
  /// - Returns: The exact state of the rows.
  /// - Throws: ``MAPKError`` for mismatched shapes, bad weights, a k above the
  ///   classes or a NaN score under the `error` policy.
  public func evaluate<Scores: Collection>(
    scores: Scores, classes: Int, labels: Labels, weights: WeightValues = .none,
    configuration: MAPConfiguration
  ) throws -> MAPState where Scores.Element: ScoreElement {
    try ScoreMatrix.withView(of: scores, rows: labels.rows, classes: classes) { matrix in
      try weights.withRowWeights(rows: labels.rows) { rowWeights in
        try labels.withRows { labelRows in
          try evaluate(scores: matrix, labels: labelRows, weights: rowWeights, configuration: configuration)
        }
      }
    }
  }
}
