import Synchronization

/// The shared part of one parallel run: the chunk counter, each worker's
/// partial state and error, and the lowest failing row.
final class ParallelRun: Sendable {
  let chunkCount: Int
  let next = Atomic<Int>(0)
  /// The lowest row of any error so far (Int.max: none).
  let firstErrorRow = Atomic<Int>(Int.max)
  /// Each worker's state, stored once when it runs out of chunks.
  let partials: WorkerSlots<MAPState>
  /// Each worker's error, if it stopped on one.
  let errors: WorkerSlots<(row: Int, error: any Error)>

  init(chunkCount: Int, workers: Int) {
    self.chunkCount = chunkCount
    partials = WorkerSlots(count: workers)
    errors = WorkerSlots(count: workers)
  }

  /// The next chunk to evaluate, or nil when there is none left.
  ///
  /// Chunks are handed out in increasing order, and a worker stops once an
  /// error is known, so every chunk before the failing one is finished: the
  /// error reported is always the one at the lowest row, whatever the threads.
  func claim() -> Int? {
    let c = next.add(1, ordering: .relaxed).oldValue
    guard c < chunkCount, firstErrorRow.load(ordering: .relaxed) == Int.max else { return nil }
    return c
  }

  func fail(_ error: any Error, row: Int, worker: Int) {
    var current = firstErrorRow.load(ordering: .relaxed)
    while row < current {
      let (exchanged, original) = firstErrorRow.compareExchange(
        expected: current, desired: row, ordering: .relaxed)
      if exchanged { break }
      current = original
    }
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
