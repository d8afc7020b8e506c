import Dispatch

extension Evaluator {
  /// Evaluates `rows` (default: all) of ranked `ids` against `labels` in parallel.
  ///
  /// The same chunked run as for scores (chunks claimed in order, per-worker
  /// exact states merged at the end), so the result has the same bits for
  /// any thread count, and an error is the one at the lowest bad row.
  ///
  /// - Parameters:
  ///   - ids: The `[rows, K]` ranked ids, best first, with how to read them.
  ///   - labels: The labels of the same rows.
  ///   - weights: Per-row weights (default: none).
  ///   - exclusions: Ids to remove from each row before its first k (default: none).
  ///   - configuration: The metrics, ks and policies; every k at most `K`.
  ///   - rows: A sub-range of rows (for a shard); default all.
  ///   - perRow: Where to write each row's values; its `firstRow` is `rows.lowerBound`.
  ///   - progress: A counter to advance as chunks finish.
  /// - Returns: The exact state of the evaluated rows.
  /// - Throws: ``MAPKError``: a k above `K` (or the classes), mismatched
  ///   rows, or the first repeated or negative non-pad id (lowest row).
  public func evaluate(
    ids: RankedIDs, labels: LabelRows, weights: RowWeights = .none, excluding exclusions: LabelRows? = nil,
    configuration: MAPConfiguration, rows: Range<Int>? = nil, perRow: PerRowSink? = nil,
    progress: EvaluationProgress? = nil
  ) throws -> MAPState {
    try Self.check(exclusions, labels: labels)
    if configuration.maxK > ids.width { throw MAPKError.kAboveClasses(k: configuration.maxK, classes: ids.width) }
    if let c = ids.reading.classes { try configuration.validate(classes: c) }
    guard labels.rows == ids.rows else {
      throw MAPKError.shapeMismatch("\(labels.rows) label rows for \(ids.rows) prediction rows")
    }
    let range = rows ?? 0..<ids.rows
    precondition(range.lowerBound >= 0 && range.upperBound <= ids.rows, "row range out of bounds")
    if range.isEmpty { return MAPState(configuration: configuration) }

    let perChunk = rowsPerChunk(rows: range.count, rowBytes: ids.stride * ids.byteWidth)
    let chunkCount = (range.count + perChunk - 1) / perChunk
    let workers = min(threads, chunkCount)
    let run = ParallelRun(chunkCount: chunkCount, workers: workers)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      do {
        let engine = try RankedIDEvaluator(configuration: configuration, reading: ids.reading)
        var state = MAPState(configuration: configuration)
        while let chunk = run.claim() {
          let lower = range.lowerBound + chunk * perChunk
          let upper = min(lower + perChunk, range.upperBound)
          do {
            try engine.evaluate(rows: lower..<upper, ids: ids, labels: labels, weights: weights,
                                excluding: exclusions, into: &state,
                                perRow: perRow, holdingCounts: true)
          } catch {
            run.fail(error, row: (error as? MAPKError)?.row ?? lower, worker: worker)
            return
          }
          progress?.done.add(upper - lower, ordering: .relaxed)
        }
        // The rows held by outcome across this worker's chunks.
        engine.finish(into: &state)
        run.partials.store(state, at: worker)
      } catch {
        run.fail(error, row: -1, worker: worker)
      }
    }
    return try run.result(configuration: configuration)
  }

  /// Evaluates ranked ids in memory: `ids` holds `labels.rows · width` ids,
  /// row-major, best first.
  ///
  /// ```swift
  /// let state = try Evaluator().evaluate(
  ///   ids: [3, 1, -1, 0, 2, 1] as [Int64], width: 3, labels: .dense(rows: [[1], [2, 0]]),
  ///   configuration: MAPConfiguration(ks: [1, 3]))
  /// ```
  ///
  /// - Parameters:
  ///   - ids: Row-major `Int64` ids (any collection; one without contiguous storage is copied once).
  ///   - width: Ids per row (`K`).
  ///   - labels: One row of labels per row of ids.
  ///   - weights: Weights (default none).
  ///   - reading: The pad, the duplicate rule, the classes.
  ///   - configuration: The metrics, ks and policies.
  /// - Throws: ``MAPKError`` for mismatched shapes, bad weights, a k above
  ///   `width`, or a repeated or negative non-pad id.
  public func evaluate<IDs: Collection<Int64>>(
    ids: IDs, width: Int, labels: Labels, weights: WeightValues = .none,
    reading: RankedIDReading = RankedIDReading(), configuration: MAPConfiguration
  ) throws -> MAPState {
    let (count, overflow) = labels.rows.multipliedReportingOverflow(by: width)
    guard !overflow, ids.count == count, width >= 0 else {
      throw MAPKError.shapeMismatch("\(ids.count) ids for \(labels.rows) rows of \(width)")
    }
    func run(_ buffer: UnsafeBufferPointer<Int64>) throws -> MAPState {
      // A valid pointer even for zero ids (then never read).
      let base = buffer.baseAddress ?? UnsafePointer(bitPattern: 64)!
      let view = RankedIDs(rows: labels.rows, width: width, values: .int64(base), reading: reading)
      return try weights.withRowWeights(rows: labels.rows) { rowWeights in
        try labels.withRows { labelRows in
          try evaluate(ids: view, labels: labelRows, weights: rowWeights, configuration: configuration)
        }
      }
    }
    if let result = try ids.withContiguousStorageIfAvailable(run) { return result }
    return try Array(ids).withUnsafeBufferPointer(run)
  }

  /// Evaluates `rows` (default: all) of opened inputs, whatever kind of
  /// predictions they hold, with their exclusions (``EvaluationInputs/exclusions``) if any.
  ///
  /// - Throws: ``MAPKError`` as the evaluation of their kind does.
  public func evaluate(
    _ inputs: EvaluationInputs, configuration: MAPConfiguration, rows: Range<Int>? = nil,
    perRow: PerRowSink? = nil, progress: EvaluationProgress? = nil
  ) throws -> MAPState {
    let exclusions = inputs.exclusions
    switch inputs.predictions.view {
    case .scores(let scores):
      if let exclusions {
        return try evaluate(scores: scores, labels: inputs.labels, weights: inputs.weights, excluding: exclusions,
                            configuration: configuration, rows: rows, perRow: perRow, progress: progress)
      }
      return try evaluate(scores: scores, labels: inputs.labels, weights: inputs.weights,
                          configuration: configuration, rows: rows, perRow: perRow, progress: progress)
    case .rankedIDs(let ids):
      return try evaluate(ids: ids, labels: inputs.labels, weights: inputs.weights, excluding: exclusions,
                          configuration: configuration, rows: rows, perRow: perRow, progress: progress)
    case .sparseScores(let scores):
      return try evaluate(sparseScores: scores, labels: inputs.labels, weights: inputs.weights,
                          excluding: exclusions, configuration: configuration, rows: rows, perRow: perRow,
                          progress: progress)
    case .stream(let stream):
      return try evaluate(stream: stream, labels: inputs.labels, weights: inputs.weights, excluding: exclusions,
                          configuration: configuration, rows: rows, perRow: perRow, progress: progress)
    }
  }
}
