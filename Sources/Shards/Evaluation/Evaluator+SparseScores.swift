import Dispatch

extension Evaluator {
  /// Evaluates `rows` (default: all) of sparse `scores` against `labels` in parallel.
  ///
  /// The same chunked run as for dense scores (chunks claimed in order,
  /// per-worker exact states merged at the end), so the result has the same
  /// bits for any thread count, and an error is the one at the lowest bad row.
  /// Chunks are cut by the average bytes a row stores.
  ///
  /// - Parameters:
  ///   - scores: The `[rows, C]` CSR scores.
  ///   - labels: The labels of the same rows.
  ///   - weights: Per-row weights (default: none).
  ///   - exclusions: Classes to remove from each row's ranking before the top k (default: none).
  ///   - configuration: The metrics, ks and policies; every k at most C.
  ///   - rows: A sub-range of rows (for a shard); default all.
  ///   - perRow: Where to write each row's values; its `firstRow` is `rows.lowerBound`.
  ///   - progress: A counter to advance as chunks finish.
  /// - Returns: The exact state of the evaluated rows.
  /// - Throws: ``MAPKError``: a k above C, mismatched rows, or the first NaN
  ///   score (lowest row) under the `error` policy.
  public func evaluate(
    sparseScores scores: SparseScores, labels: LabelRows, weights: RowWeights = .none,
    excluding exclusions: LabelRows? = nil, configuration: MAPConfiguration, rows: Range<Int>? = nil,
    perRow: PerRowSink? = nil, progress: EvaluationProgress? = nil
  ) throws -> MAPState {
    try configuration.validate(classes: scores.width)
    guard labels.rows == scores.rows else {
      throw MAPKError.shapeMismatch("\(labels.rows) label rows for \(scores.rows) score rows")
    }
    try Self.check(exclusions, labels: labels)
    return try runChunks(rows: rows ?? 0..<scores.rows, total: scores.rows,
                         rowBytes: scores.byteCount / max(1, scores.rows), configuration: configuration,
                         progress: progress,
                         engine: { try SparseScoreEvaluator(configuration: configuration, width: scores.width,
                                                            scoreType: scores.scoreType) }) { engine, chunk, state in
      try engine.evaluate(rows: chunk, scores: scores, labels: labels, weights: weights, excluding: exclusions,
                          into: &state, perRow: perRow)
    }
  }

  /// Evaluates `rows` (default: all) of dense `scores` with each row's
  /// `exclusions` removed from its ranking before the top k, in parallel
  /// (each row ranked among its classes that are not excluded, by the dense
  /// top-k selector for its first k + e classes: `DenseExclusionEvaluator`).
  ///
  /// - Parameters:
  ///   - scores: The `[rows, C]` scores.
  ///   - labels: The labels of the same rows.
  ///   - weights: Per-row weights (default: none).
  ///   - exclusions: The classes to remove, one row per row of labels.
  ///   - configuration: The metrics, ks and policies; every k at most C.
  ///   - rows: A sub-range of rows (for a shard); default all.
  ///   - perRow: Where to write each row's values; its `firstRow` is `rows.lowerBound`.
  ///   - progress: A counter to advance as chunks finish.
  /// - Returns: The exact state of the evaluated rows.
  /// - Throws: ``MAPKError`` as ``evaluate(scores:labels:weights:configuration:rows:perRow:progress:)``,
  ///   or mismatched exclusion rows.
  public func evaluate(
    scores: ScoreMatrix, labels: LabelRows, weights: RowWeights = .none, excluding exclusions: LabelRows,
    configuration: MAPConfiguration, rows: Range<Int>? = nil, perRow: PerRowSink? = nil,
    progress: EvaluationProgress? = nil
  ) throws -> MAPState {
    try configuration.validate(classes: scores.classes)
    guard labels.rows == scores.rows else {
      throw MAPKError.shapeMismatch("\(labels.rows) label rows for \(scores.rows) score rows")
    }
    try Self.check(exclusions, labels: labels)
    let rowBytes = scores.classes.multipliedReportingOverflow(by: scores.type.byteWidth)
    return try runChunks(rows: rows ?? 0..<scores.rows, total: scores.rows,
                         rowBytes: rowBytes.overflow ? Int.max : rowBytes.partialValue, configuration: configuration,
                         progress: progress,
                         engine: { try DenseExclusionEvaluator(configuration: configuration, classes: scores.classes,
                                                               scoreType: scores.type) }) { engine, chunk, state in
      try engine.evaluate(rows: chunk, scores: scores, labels: labels, weights: weights, excluding: exclusions,
                          into: &state, perRow: perRow)
    }
  }

  /// Refuses exclusions whose rows are not the labels'.
  static func check(_ exclusions: LabelRows?, labels: LabelRows) throws {
    if let exclusions, exclusions.rows != labels.rows {
      throw MAPKError.shapeMismatch("\(exclusions.rows) exclusion rows for \(labels.rows) label rows")
    }
  }

  /// The chunked parallel run every kind shares: chunks of `rows` claimed in
  /// order by workers that each make one `engine` (only once they hold a
  /// chunk) and an exact state, merged at the end; `finish`, if given, adds
  /// what an engine still holds across its chunks before its state is stored.
  func runChunks<Engine>(
    rows range: Range<Int>, total: Int, rowBytes: Int, configuration: MAPConfiguration,
    progress: EvaluationProgress?, engine make: @Sendable () throws -> Engine,
    finish: (@Sendable (Engine, inout MAPState) -> Void)? = nil,
    _ body: @Sendable (Engine, Range<Int>, inout MAPState) throws -> Void
  ) throws -> MAPState {
    precondition(range.lowerBound >= 0 && range.upperBound <= total, "row range out of bounds")
    if range.isEmpty { return MAPState(configuration: configuration) }
    let perChunk = rowsPerChunk(rows: range.count, rowBytes: rowBytes)
    let chunkCount = (range.count + perChunk - 1) / perChunk
    let workers = min(threads, chunkCount)
    let run = ParallelRun(chunkCount: chunkCount, workers: workers)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      // A worker makes its scratch only once it has a chunk: one that finds
      // none (more workers than can run) allocates nothing and stores nothing.
      guard var chunk = run.claim() else { return }
      do {
        let engine = try make()
        var state = MAPState(configuration: configuration)
        while true {
          let lower = range.lowerBound + chunk * perChunk
          let upper = min(lower + perChunk, range.upperBound)
          do {
            try body(engine, lower..<upper, &state)
          } catch {
            run.fail(error, row: (error as? MAPKError)?.row ?? lower, worker: worker)
            return
          }
          progress?.done.add(upper - lower, ordering: .relaxed)
          guard let next = run.claim() else { break }
          chunk = next
        }
        finish?(engine, &state)
        run.partials.store(state, at: worker)
      } catch {
        run.fail(error, row: -1, worker: worker)
      }
    }
    return try run.result(configuration: configuration)
  }
}
