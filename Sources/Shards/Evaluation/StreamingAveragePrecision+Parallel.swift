extension StreamingAveragePrecision {
  /// Adds a batch evaluated in parallel by `evaluator` and returns the running
  /// value for each k; the same bits as the serial `update`.
  ///
  /// - Throws: ``MAPKError`` as ``Evaluator/evaluate(scores:labels:weights:configuration:rows:perRow:progress:)``;
  ///   the state is unchanged then.
  @discardableResult
  public mutating func update(scores: ScoreMatrix, labels: LabelRows, weights: RowWeights = .none,
                              evaluator: Evaluator) throws -> [Double] {
    let batch = try evaluator.evaluate(scores: scores, labels: labels, weights: weights, configuration: configuration)
    return try add(batch)
  }
}
