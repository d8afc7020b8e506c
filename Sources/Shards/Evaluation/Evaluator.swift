import Dispatch
import Synchronization

/// The parallel evaluator: rows cut into chunks, `threads` workers claiming
/// chunks from a shared atomic counter, each with its own top-k scratch and
/// exact accumulator in locals, merged at the end.
///
/// The result has the same bits for any thread count and chunk size: the
/// per-row values do not depend on the split, and the sums are exact.
public struct Evaluator: Sendable {
  /// The number of workers, `1 ... maximumThreads`. More than the cores or
  /// the chunks is fine: workers that find no chunk cost nothing.
  public var threads: Int {
    get { clampedThreads }
    set { clampedThreads = Self.clampThreads(newValue) }
  }
  private var clampedThreads: Int

  /// The most workers an evaluation runs (4,096); more are treated as this
  /// many. (Past the cores extra workers only wait; the bound keeps the
  /// chunk arithmetic far from overflow and the per-worker slots small.)
  public static let maximumThreads = 4096

  /// `threads` within `1 ... maximumThreads`.
  package static func clampThreads(_ threads: Int) -> Int { min(max(1, threads), maximumThreads) }
  /// The target size of a chunk, in bytes of scores.
  public var chunkBytes: Int
  /// The minimum number of chunks per worker, so that uneven rows balance.
  /// (Workers finish at most one chunk apart: with 32 a small input, tens of
  /// MB, still splits finely enough for 2 threads to run 1.9x as fast as 1;
  /// large inputs are cut by `chunkBytes` anyway.)
  public var chunksPerThread: Int

  /// An evaluator with `threads` workers (default: ``activeProcessorCount``).
  public init(threads: Int? = nil, chunkBytes: Int = 4 << 20, chunksPerThread: Int = 32) {
    self.clampedThreads = Self.clampThreads(threads ?? Self.activeProcessorCount)
    self.chunkBytes = max(1, chunkBytes)
    self.chunksPerThread = max(1, chunksPerThread)
  }

  /// ``activeProcessorCount`` when first asked, for balancing chunks (read once: it reads files).
  static let processorsAtStart = activeProcessorCount

  /// The number of CPUs this process may run on: its affinity mask, reduced
  /// by a cgroup CPU quota (rounded up), at least 1 (`CPUAllowance`).
  public static var activeProcessorCount: Int { CPUAllowance.current().count }

  /// The rows per chunk for a run of `rows` rows of `rowBytes` bytes each.
  public func rowsPerChunk(rows: Int, rowBytes: Int) -> Int {
    let bySize = max(1, chunkBytes / max(1, rowBytes))
    // Balanced over the workers that can run at once: more threads than CPUs
    // only wait, and chunks cut for them would be tiny (each chunk costs a
    // claim and a flush of the pattern counts). The split never changes the
    // result. threads <= 4,096, so only a huge `chunksPerThread` overflows
    // the product: saturate it.
    let running = min(threads, Self.processorsAtStart)
    let (wanted, overflow) = running.multipliedReportingOverflow(by: chunksPerThread)
    let chunks = overflow ? Int.max : wanted
    let byBalance = max(1, rows / chunks + (rows % chunks == 0 ? 0 : 1))
    return min(bySize, byBalance)
  }

  /// Evaluates `rows` (default: all) of `scores` against `labels` in parallel.
  ///
  /// - Parameters:
  ///   - scores: The `[rows, classes]` scores (a mapped file or any buffer).
  ///   - labels: The labels of the same rows.
  ///   - weights: Per-row weights (default: none).
  ///   - configuration: The ks and policies.
  ///   - rows: A sub-range of rows (for a shard); default all.
  ///   - perRow: Where to write each row's AP@k; its `firstRow` is `rows.lowerBound`.
  ///   - progress: A counter to advance as chunks finish.
  /// - Returns: The exact state of the evaluated rows.
  /// - Throws: ``MAPKError``: a k above the classes, mismatched rows, or the
  ///   first NaN score (lowest row) under the `error` policy.
  public func evaluate(
    scores: ScoreMatrix, labels: LabelRows, weights: RowWeights = .none, configuration: MAPConfiguration,
    rows: Range<Int>? = nil, perRow: PerRowSink? = nil, progress: EvaluationProgress? = nil
  ) throws -> MAPState {
    try configuration.validate(classes: scores.classes)
    guard labels.rows == scores.rows else {
      throw MAPKError.shapeMismatch("\(labels.rows) label rows for \(scores.rows) score rows")
    }
    let rowBytes = scores.classes.multipliedReportingOverflow(by: scores.type.byteWidth)
    // A mapped file is read ahead of the workers (hints only: see MappedReadAhead).
    let readAhead = rowBytes.overflow ? nil
      : MappedReadAhead(base: scores.base, rows: scores.rows, rowBytes: rowBytes.partialValue,
                        owner: scores.owner, workers: min(threads, Self.processorsAtStart))
    // The engine holds rows by outcome across its chunks (one table per
    // worker, not per chunk): `finish` adds them before its state is stored.
    return try runChunks(rows: rows ?? 0..<scores.rows, total: scores.rows,
                         rowBytes: rowBytes.overflow ? Int.max : rowBytes.partialValue, configuration: configuration,
                         progress: progress,
                         engine: { try RowEvaluator(configuration: configuration, classes: scores.classes,
                                                    scoreType: scores.type) },
                         finish: { engine, state in engine.finish(into: &state) }) { engine, chunk, state in
      readAhead?.prepare(rows: chunk)
      try engine.evaluate(rows: chunk, scores: scores, labels: labels, weights: weights,
                          into: &state, perRow: perRow, holdingCounts: true)
    }
  }
}
