/// The shared part of one parallel evaluation: the chunk claimer, each
/// worker's partial state and error.
final class ParallelRun: Sendable {
  /// Hands out the chunks (in increasing order, none after a failure).
  let chunks: ChunkClaimer
  /// Each worker's state, stored once when it runs out of chunks.
  let partials: WorkerSlots<MAPState>
  /// Each worker's error, if it stopped on one.
  let errors: WorkerSlots<(row: Int, error: any Error)>

  init(chunkCount: Int, workers: Int) {
    chunks = ChunkClaimer(chunkCount: chunkCount)
    partials = WorkerSlots(count: workers)
    errors = WorkerSlots(count: workers)
  }

  /// The next chunk to evaluate, or nil when there is none left.
  ///
  /// Chunks are handed out in increasing order, and a worker stops once an
  /// error is known, so every chunk before the failing one is finished: the
  /// error reported is always the one at the lowest row, whatever the threads
  /// (see ``ChunkClaimer``).
  func claim() -> Int? { chunks.claim() }

  func fail(_ error: any Error, row: Int, worker: Int) {
    chunks.fail(at: row)
    errors.store((row, error), at: worker)
  }

  /// The merged state, or the error at the lowest row; call after the run.
  func result(configuration: MAPConfiguration) throws -> MAPState {
    if let first = errors.values.min(by: { $0.row < $1.row }) { throw first.error }
    var total = MAPState(configuration: configuration)
    for p in partials.values { try total.merge(p) }
    return total
  }
}
