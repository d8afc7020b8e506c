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
  ///   - configuration: The metrics, ks and policies; every k at most `K`.
  ///   - rows: A sub-range of rows (for a shard); default all.
  ///   - perRow: Where to write each row's values; its `firstRow` is `rows.lowerBound`.
  ///   - progress: A counter to advance as chunks finish.
  /// - Returns: The exact state of the evaluated rows.
  /// - Throws: ``MAPKError``: a k above `K` (or the classes), mismatched
  ///   rows, or the first repeated or negative non-pad id (lowest row).
  public func evaluate(
    ids: RankedIDs, labels: LabelRows, weights: RowWeights = .none, configuration: MAPConfiguration,
    rows: Range<Int>? = nil, perRow: PerRowSink? = nil, progress: EvaluationProgress? = nil
  ) throws -> MAPState {
    if configuration.maxK > ids.width { throw MAPKError.kAboveClasses(k: configuration.maxK, classes: ids.width) }
    if let c = ids.reading.classes { try configuration.validate(classes: c) }
    guard labels.rows == ids.rows else {
      throw MAPKError.shapeMismatch("\(labels.rows) label rows for \(ids.rows) prediction rows")
    }
    let range = rows ?? 0..<ids.rows
    precondition(range.lowerBound >= 0 && range.upperBound <= ids.rows, "row range out of bounds")
    if range.isEmpty { return MAPState(configuration: configuration) }

    let perChunk = rowsPerChunk(rows: range.count, rowBytes: ids.width * ids.byteWidth)
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
            try engine.evaluate(rows: lower..<upper, ids: ids, labels: labels, weights: weights, into: &state,
                                perRow: perRow)
          } catch {
            run.fail(error, row: (error as? MAPKError)?.row ?? lower, worker: worker)
            return
          }
          progress?.done.add(upper - lower, ordering: .relaxed)
        }
        run.partials.store(state, at: worker)
      } catch {
        run.fail(error, row: -1, worker: worker)
      }
    }
    return try run.result(configuration: configuration)
  }

  /// Evaluates `rows` (default: all) of opened inputs, whatever kind of
  /// predictions they hold.
  ///
  /// - Throws: ``MAPKError`` as the evaluation of their kind does.
  public func evaluate(
    _ inputs: EvaluationInputs, configuration: MAPConfiguration, rows: Range<Int>? = nil,
    perRow: PerRowSink? = nil, progress: EvaluationProgress? = nil
  ) throws -> MAPState {
    switch inputs.predictions.view {
    case .scores(let scores):
      return try evaluate(scores: scores, labels: inputs.labels, weights: inputs.weights,
                          configuration: configuration, rows: rows, perRow: perRow, progress: progress)
    case .rankedIDs(let ids):
      return try evaluate(ids: ids, labels: inputs.labels, weights: inputs.weights, configuration: configuration,
                          rows: rows, perRow: perRow, progress: progress)
    }
  }
}
