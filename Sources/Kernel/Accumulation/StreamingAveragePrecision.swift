/// TensorFlow's streaming `average_precision_at_k`, for one or several k
/// (and, through the configuration, several metrics): `update` adds a batch
/// and returns the running values, `value(k:)` reads one, `reset` starts
/// over, and `merge` adds another stream's rows.
///
/// The state is exact, so the value after any sequence of updates and merges
/// depends only on the rows seen, not on how they were batched.
///
/// ```swift
/// var metric = StreamingAveragePrecision(configuration: try MAPConfiguration(ks: [1, 10]))
/// for batch in batches {  // batch.scores: ArraySlice<Float>, batch.labels: [[Int32]]
///   try metric.update(scores: batch.scores, classes: 1000, labels: .dense(rows: batch.labels))
/// }
/// print(metric.value(k: 10)!)  // MAP@10
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

  /// Every requested value (``MAPState/values`` order: for AP alone, MAP@k
  /// for each k of `configuration.ks`); 0 before any row.
  public var value: [Double] { state.values }

  /// The value of `metric` at `k`, or nil unless both were requested.
  public func value(metric: Metric, k: Int) -> Double? { state.value(metric: metric, k: k) }

  /// MAP@k for one requested k, or nil unless AP and `k` were requested.
  public func value(k: Int) -> Double? { state.value(k: k) }

  /// Adds a batch, evaluated on the calling thread, and returns the running
  /// values (``value``). (`MAPKShards` adds a parallel overload.)
  ///
  /// - Parameters:
  ///   - scores: `[rows, classes]` scores.
  ///   - labels: The same rows' labels.
  ///   - weights: Their weights.
  /// - Throws: ``MAPKError`` for a k above the classes, a NaN score under the
  ///   `error` policy or mismatched rows; the state is unchanged then.
  /// - Complexity: O(rows · (classes + v · m)), as ``RowEvaluator/evaluate(rows:scores:labels:weights:into:perRow:holdingCounts:)``.
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

  /// Adds a batch of scores in memory, evaluated on the calling thread, and
  /// returns the running values (``value``). No unsafe code at the call site.
  ///
  /// - Parameters:
  ///   - scores: Row-major `labels.rows × classes` scores of `Float`,
  ///     `Float16` or `Double`: an `Array`, `ArraySlice`, `ContiguousArray`,
  ///     `UnsafeBufferPointer`, or any collection (one without contiguous
  ///     storage is copied once).
  ///   - classes: Scores per row.
  ///   - labels: The same rows' labels (`.dense(rows: [[Int32]])`, ...).
  ///   - weights: Their weights (default none).
  /// - Throws: ``MAPKError`` for mismatched shapes, bad weights, a k above
  ///   the classes or a NaN score under the `error` policy; the state is
  ///   unchanged then.
  @discardableResult
  public mutating func update<Scores: Collection>(
    scores: Scores, classes: Int, labels: Labels, weights: WeightValues = .none
  ) throws -> [Double] where Scores.Element: ScoreElement {
    try ScoreMatrix.withView(of: scores, rows: labels.rows, classes: classes) { matrix in
      try weights.withRowWeights(rows: labels.rows) { rowWeights in
        try labels.withRows { labelRows in try update(scores: matrix, labels: labelRows, weights: rowWeights) }
      }
    }
  }

  /// Adds the rows of an already evaluated batch and returns the running values.
  ///
  /// - Throws: ``MAPKError/incompatibleStates(_:)`` for another configuration.
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
  ///
  /// - Throws: ``MAPKError/incompatibleStates(_:)`` for another configuration.
  public mutating func merge(_ other: StreamingAveragePrecision) throws {
    try state.merge(other.state)
  }
}
