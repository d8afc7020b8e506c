import Dispatch
import Foundation

extension Evaluator {
  /// The most workers a stream's evaluation runs: with two buffers more than
  /// workers in flight, this bounds its memory (about 34 chunks of
  /// ``chunkBytes``) even when many more threads are asked for.
  package static let maximumStreamWorkers = 32
  /// The bytes a stream's chunk buffers may take together (unless three
  /// chunks of one row each need more): fewer workers run for larger chunks.
  package static let streamBufferBudget = 256 << 20

  /// Evaluates `rows` (default: all) of a stream of scores against `labels`,
  /// reading the stream in chunks of whole rows and handing each to a worker
  /// as it arrives.
  ///
  /// The same per-row evaluation and exact accumulators as for a mapped
  /// file, with the rows' global indices (labels, weights, per-row output,
  /// errors), so the state has the same bits as
  /// `evaluate(scores:labels:weights:configuration:rows:perRow:progress:)`
  /// of the same array, for any thread count and chunk size; with
  /// `exclusions` (a file, mapped: only the predictions are streamed), as
  /// `evaluate(scores:labels:weights:excluding:configuration:rows:perRow:progress:)`.
  /// Memory is
  /// `(workers + 2)` chunks of about ``chunkBytes`` (at least one row), at
  /// most `streamBufferBudget` or three rows.
  /// Rows before `rows` are read and dropped; a range starting before rows
  /// already read throws (a stream is read once: ask in increasing order).
  ///
  /// - Throws: `MAPKError` as for a mapped file (the lowest bad row), then
  ///   ``FileError`` for a stream that ends inside a row (named), has bytes
  ///   past its last row, or cannot be read.
  package func evaluate(
    stream: ScoreStream, labels: LabelRows, weights: RowWeights = .none, excluding exclusions: LabelRows? = nil,
    configuration: MAPConfiguration, rows: Range<Int>? = nil, perRow: PerRowSink? = nil,
    progress: EvaluationProgress? = nil
  ) throws -> MAPState {
    try configuration.validate(classes: stream.classes)
    guard labels.rows == stream.rows else {
      throw MAPKError.shapeMismatch("\(labels.rows) label rows for \(stream.rows) score rows")
    }
    try Self.check(exclusions, labels: labels)
    let range = rows ?? 0..<stream.rows
    precondition(range.lowerBound >= 0 && range.upperBound <= stream.rows, "row range out of bounds")
    // Made here once so that a configuration the kernel refuses fails before any thread starts.
    _ = try StreamEngine(configuration: configuration, stream: stream, excluding: exclusions)
    return try stream.reading {
      try stream.skip(to: range.lowerBound)
      if range.isEmpty {
        if range.upperBound == stream.rows { try stream.checkEnd() }
        return MAPState(configuration: configuration)
      }
      // Sized by the rows as they are evaluated (unsigned ids take their widened bytes in a buffer).
      let perChunk = rowsPerChunk(rows: range.count, rowBytes: stream.bufferRowBytes)
      let chunkCount = (range.count + perChunk - 1) / perChunk
      // Within the budget with two buffers more than workers, at least one worker.
      let byBudget = Self.streamBufferBudget / (perChunk * stream.bufferRowBytes) - 2
      let workers = max(1, min(threads, chunkCount, Self.maximumStreamWorkers, byBudget))
      let pipeline = StreamPipeline(buffers: workers + 2, bufferBytes: perChunk * stream.bufferRowBytes)
      let run = ParallelRun(chunkCount: chunkCount, workers: workers)
      let done = DispatchGroup()
      for worker in 0..<workers {
        done.enter()
        // Threads of their own, not the Dispatch pool: a worker blocks waiting
        // for the reader, and a pool narrower than the workers could then
        // starve the reader's consumers.
        let thread = Thread {
          Self.streamWorker(worker, pipeline: pipeline, run: run, stream: stream, labels: labels, weights: weights,
                            exclusions: exclusions, configuration: configuration, perRow: perRow,
                            progress: progress)
          done.leave()
        }
        thread.start()
      }
      var readError: (any Error)? = nil
      for chunk in 0..<chunkCount {
        // Once a worker failed, later rows cannot change the outcome.
        if run.chunks.lowestFailurePosition != nil { break }
        let lower = range.lowerBound + chunk * perChunk
        let upper = min(lower + perChunk, range.upperBound)
        let buffer = pipeline.takeFree()
        do {
          try stream.read(rows: lower..<upper, into: buffer)
        } catch {
          pipeline.giveBack(buffer)
          readError = error
          break
        }
        pipeline.put(.init(buffer: buffer, rows: lower..<upper))
      }
      for _ in 0..<workers { pipeline.put(nil) }
      done.wait()
      // A worker's error is at a row before any the reader failed on (it only
      // ever had whole rows before it): a single thread would meet it first.
      if run.chunks.lowestFailurePosition == nil {
        if let readError { throw readError }
        if range.upperBound == stream.rows { try stream.checkEnd() }
      }
      return try run.result(configuration: configuration)
    }
  }

  /// One worker of a stream's evaluation: takes chunks until told there is
  /// no more, evaluates them (or drops them once a failure is known), and
  /// stores its state once.
  private static func streamWorker(
    _ worker: Int, pipeline: StreamPipeline, run: ParallelRun, stream: ScoreStream, labels: LabelRows,
    weights: RowWeights, exclusions: LabelRows?, configuration: MAPConfiguration, perRow: PerRowSink?,
    progress: EvaluationProgress?
  ) {
    let engine: StreamEngine
    do {
      engine = try StreamEngine(configuration: configuration, stream: stream, excluding: exclusions)
    } catch {
      run.fail(error, row: -1, worker: worker)
      while let chunk = pipeline.take() { pipeline.giveBack(chunk.buffer) }
      return
    }
    var state = MAPState(configuration: configuration)
    var failed = false
    while let chunk = pipeline.take() {
      defer { pipeline.giveBack(chunk.buffer) }
      // Chunks arrive in row order, so every chunk before a failing one was
      // taken before the failure was known: dropping later ones loses nothing
      // the lowest error needs (`ChunkClaimer`'s rule).
      if failed || run.chunks.lowestFailurePosition != nil { continue }
      // The kernel reads row r at `base + r · rowBytes`, and only rows in
      // `chunk.rows`: a base shifted back by the chunk's first row puts those
      // rows in the buffer, so rows keep their global indices (labels,
      // weights, per-row output, error rows) and nothing outside is read.
      let shifted = UInt(bitPattern: Int(bitPattern: chunk.buffer))
        &- UInt(chunk.rows.lowerBound) &* UInt(stream.bufferRowBytes)
      // Unsigned ids are widened here, by the worker, as the mapped file's
      // are: a `<u8` id with no int64 stops the chunk at its row, after the
      // rows before it, so the lowest bad row wins whatever the chunking (an
      // error of the kernel's in an earlier row comes first, one in the same
      // row or later never: its row is not evaluated).
      let bad = stream.widen(rows: chunk.rows, in: chunk.buffer)
      do {
        // (Address 0 has no pointer: refuse rather than read a wrong row.)
        guard let base = UnsafeRawPointer(bitPattern: shifted) else {
          throw FileError(path: stream.path, problem: "a chunk buffer at an unusable address", kind: .io)
        }
        try engine.evaluate(rows: chunk.rows.lowerBound..<(bad?.row ?? chunk.rows.upperBound), base: base,
                            stream: stream, labels: labels, weights: weights, excluding: exclusions, into: &state,
                            perRow: perRow)
      } catch {
        run.fail(error, row: (error as? MAPKError)?.row ?? chunk.rows.lowerBound, worker: worker)
        failed = true
        continue
      }
      if let bad {
        run.fail(stream.unwidenableError(bad), row: bad.row, worker: worker)
        failed = true
        continue
      }
      progress?.done.add(chunk.rows.count, ordering: .relaxed)
    }
    if !failed { run.partials.store(state, at: worker) }
  }
}
