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
  ///   - configuration: The metrics, ks and policies; every k at most C.
  ///   - rows: A sub-range of rows (for a shard); default all.
  ///   - perRow: Where to write each row's values; its `firstRow` is `rows.lowerBound`.
  ///   - progress: A counter to advance as chunks finish.
  /// - Returns: The exact state of the evaluated rows.
  /// - Throws: ``MAPKError``: a k above C, mismatched rows, or the first NaN
  ///   score (lowest row) under the `error` policy.
  public func evaluate(
    sparseScores scores: SparseScores, labels: LabelRows, weights: RowWeights = .none,
    configuration: MAPConfiguration, rows: Range<Int>? = nil, perRow: PerRowSink? = nil,
    progress: EvaluationProgress? = nil
  ) throws -> MAPState {
    try configuration.validate(classes: scores.width)
    guard labels.rows == scores.rows else {
      throw MAPKError.shapeMismatch("\(labels.rows) label rows for \(scores.rows) score rows")
    }
    let range = rows ?? 0..<scores.rows
    precondition(range.lowerBound >= 0 && range.upperBound <= scores.rows, "row range out of bounds")
    if range.isEmpty { return MAPState(configuration: configuration) }

    let rowBytes = scores.byteCount / max(1, scores.rows)
    let perChunk = rowsPerChunk(rows: range.count, rowBytes: rowBytes)
    let chunkCount = (range.count + perChunk - 1) / perChunk
    let workers = min(threads, chunkCount)
    let run = ParallelRun(chunkCount: chunkCount, workers: workers)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      // A worker makes its scratch only once it has a chunk.
      guard var chunk = run.claim() else { return }
      do {
        let engine = try SparseScoreEvaluator(configuration: configuration, width: scores.width,
                                              scoreType: scores.scoreType)
        var state = MAPState(configuration: configuration)
        while true {
          let lower = range.lowerBound + chunk * perChunk
          let upper = min(lower + perChunk, range.upperBound)
          do {
            try engine.evaluate(rows: lower..<upper, scores: scores, labels: labels, weights: weights,
                                into: &state, perRow: perRow)
          } catch {
            run.fail(error, row: (error as? MAPKError)?.row ?? lower, worker: worker)
            return
          }
          progress?.done.add(upper - lower, ordering: .relaxed)
          guard let next = run.claim() else { break }
          chunk = next
        }
        run.partials.store(state, at: worker)
      } catch {
        run.fail(error, row: -1, worker: worker)
      }
    }
    return try run.result(configuration: configuration)
  }
}
