/// TensorFlow's streaming `average_precision_at_k`, for one or several k:
/// `update` adds a batch and returns the running value, `value` reads it,
/// `reset` starts over, and `merge` adds another stream's rows.
///
/// The state is exact, so the value after any sequence of updates and merges
/// depends only on the rows seen, not on how they were batched.
///
/// ```swift
/// var metric = try StreamingAveragePrecision(configuration: MAPConfiguration(ks: [10]))
/// let running = try metric.update(scores: batch, labels: labels)
/// ```
public struct StreamingAveragePrecision: Sendable {
  /// The accumulated state.
  public private(set) var state: MAPState

  /// A metric with no rows yet (value 0).
  public init(configuration: MAPConfiguration) {
    state = MAPState(configuration: configuration)
  }

  /// The configuration.
  public var configuration: MAPConfiguration { state.configuration }

  /// MAP@k for each requested k (`configuration.ks` order); 0 before any row.
  public var value: [Double] { state.values }

  /// MAP@k for one requested k.
  public func value(k: Int) -> Double? {
    configuration.ks.firstIndex(of: k).map(state.value(atIndex:))
  }

  /// Adds a batch, evaluated on the calling thread, and returns the running
  /// value for each k. (`MAPKShards` adds a parallel overload.)
  ///
  /// - Parameters:
  ///   - scores: `[rows, classes]` scores.
  ///   - labels: The same rows' labels.
  ///   - weights: Their weights.
  /// - Throws: ``MAPKError`` for a k above the classes, a NaN score under the
  ///   `error` policy or mismatched rows; the state is unchanged then.
  @discardableResult
  public mutating func update(scores: ScoreMatrix, labels: LabelRows, weights: RowWeights = .none) throws -> [Double] {
    guard labels.rows == scores.rows else {
      throw MAPKError.shapeMismatch("\(labels.rows) label rows for \(scores.rows) score rows")
    }
    var batch = MAPState(configuration: configuration)
    if scores.rows > 0 {
      let evaluator = try RowEvaluator(configuration: configuration, classes: scores.classes, scoreType: scores.type)
      try evaluator.evaluate(rows: 0..<scores.rows, scores: scores, labels: labels, weights: weights, into: &batch)
    } else {
      try configuration.validate(classes: scores.classes)
    }
    return try add(batch)
  }

  /// Adds the rows of an already evaluated batch and returns the running value.
  @discardableResult
  public mutating func add(_ batch: MAPState) throws -> [Double] {
    try state.merge(batch)
    return value
  }

  /// Forgets every row.
  public mutating func reset() {
    state = MAPState(configuration: configuration)
  }

  /// Adds the rows of another metric with the same configuration.
  public mutating func merge(_ other: StreamingAveragePrecision) throws {
    try state.merge(other.state)
  }
}
