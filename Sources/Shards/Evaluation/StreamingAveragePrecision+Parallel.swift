extension StreamingAveragePrecision {
  /// Adds a batch evaluated in parallel by `evaluator` and returns the running
  /// values (``value``); the same bits as the serial `update`.
  ///
  /// - Throws: ``MAPKError`` as ``Evaluator/evaluate(scores:labels:weights:configuration:rows:perRow:progress:)``;
  ///   the state is unchanged then.
  @discardableResult
  public mutating func update(scores: ScoreMatrix, labels: LabelRows, weights: RowWeights = .none,
                              evaluator: Evaluator) throws -> [Double] {
    let batch = try evaluator.evaluate(scores: scores, labels: labels, weights: weights, configuration: configuration)
    return try add(batch)
  }

  /// Adds a batch of scores in memory, evaluated in parallel by `evaluator`,
  /// and returns the running values (``value``); the same bits as the serial
  /// ``update(scores:classes:labels:weights:)``.
  ///
  /// - Throws: ``MAPKError`` as ``Evaluator/evaluate(scores:classes:labels:weights:configuration:)``;
  ///   the state is unchanged then.
  @discardableResult
  public mutating func update<Scores: Collection>(
    scores: Scores, classes: Int, labels: Labels, weights: WeightValues = .none, evaluator: Evaluator
  ) throws -> [Double] where Scores.Element: ScoreElement {
    let batch = try evaluator.evaluate(scores: scores, classes: classes, labels: labels, weights: weights,
                                       configuration: configuration)
    return try add(batch)
  }
}
