import Dispatch

extension PoissonBootstrap {
  /// Adds evaluated rows: `values` is a block of per-row values as a
  /// ``PerRowSink`` receives them (`rows · statistics`, row-major, one
  /// statistic per (metric, k)), its first row the input's row `firstRow`
  /// (which keys the counts), split over `threads` row ranges and merged.
  ///
  /// A row whose value is NaN (no labels under the `skip` or `nan` policy)
  /// adds nothing, as it adds nothing to the metric under `skip`; under
  /// `nan` the metric itself is NaN and so is its interval (the caller's to
  /// say). The result has the same bits for any `threads` (exact sums).
  ///
  /// - Parameters:
  ///   - values: The block's values.
  ///   - weights: The input's weights (of global rows).
  ///   - firstRow: The global index of the block's first row.
  ///   - threads: Workers.
  /// - Complexity: O(rows · B · (statistics + 1)) / threads.
  public mutating func add(evaluated values: UnsafeBufferPointer<Double>, weights: RowWeights, firstRow: Int,
                           threads: Int) {
    let s = statistics
    let rows = values.count / s
    guard rows > 0 else { return }
    let workers = max(1, min(threads, rows / 64))
    let parts = WorkerSlots<PoissonBootstrap>(count: workers)
    let block = EvaluatedBlock(values: values)
    let empty = PoissonBootstrap(replicates: replicates, seed: seed, statistics: s)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      let lower = rows * worker / workers, upper = rows * (worker + 1) / workers
      var part = empty
      var v = [Double](repeating: 0, count: (upper - lower) * s)
      var w = [Double](repeating: 0, count: upper - lower)
      for r in lower..<upper where !block.values[r * s].isNaN {
        w[r - lower] = weights.weight(ofRow: firstRow + r)
        for c in 0..<s { v[(r - lower) * s + c] = block.values[r * s + c] }
      }
      v.withUnsafeBufferPointer { vp in
        w.withUnsafeBufferPointer { part.add(values: vp, weights: $0, firstRow: firstRow + lower) }
      }
      parts.store(part, at: worker)
    }
    for part in parts.values { merge(part) }
  }
}

/// A block of per-row values shared by the workers of
/// ``PoissonBootstrap/add(evaluated:weights:firstRow:threads:)``.
/// Sendable: the workers only read it, and the call outlives them.
private struct EvaluatedBlock: @unchecked Sendable {
  let values: UnsafeBufferPointer<Double>
}
