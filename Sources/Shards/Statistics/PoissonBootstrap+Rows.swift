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
    add(evaluated: values, numerators: nil, denominators: nil, weights: weights, firstRow: firstRow, threads: threads)
  }

  /// Adds evaluated rows with pooled statistics: as
  /// ``add(evaluated:weights:firstRow:threads:)``, with the pooled
  /// statistics' per-row numerators and denominators (a `PerRowSink`'s
  /// `PerRowSink.numerators` and `PerRowSink.denominators`, same layout).
  ///
  /// The weighted means take a row when the first mean statistic's value is
  /// not NaN (as before); a pooled statistic takes every row with its parts,
  /// as its metric's sums do (0 and 0 for a row the metric leaves out).
  ///
  /// - Precondition: `numerators` and `denominators` given, of `values.count`,
  ///   when a statistic is `pooled`.
  /// - Complexity: O(rows · B · (statistics + 1 + pooled)) / threads.
  public mutating func add(evaluated values: UnsafeBufferPointer<Double>, numerators: UnsafeBufferPointer<Double>?,
                           denominators: UnsafeBufferPointer<Double>?, weights: RowWeights, firstRow: Int,
                           threads: Int) {
    add(evaluated: values, numerators: numerators, denominators: denominators, weights: weights,
        weightsFrom: firstRow, firstRow: firstRow, threads: threads)
  }

  /// As ``add(evaluated:numerators:denominators:weights:firstRow:threads:)``,
  /// with the block's row `r` weighted by `weights.weight(ofRow: weightsFrom + r)`
  /// (0 for a batch's own weights, as the C API holds them) while its counts
  /// stay keyed by the global row `firstRow + r`.
  package mutating func add(evaluated values: UnsafeBufferPointer<Double>, numerators: UnsafeBufferPointer<Double>?,
                            denominators: UnsafeBufferPointer<Double>?, weights: RowWeights, weightsFrom: Int,
                            firstRow: Int, threads: Int) {
    let s = statistics
    let rows = values.count / s
    guard rows > 0 else { return }
    let pooled = self.pooled, anyPooled = pooled.contains(true)
    precondition(!anyPooled || (numerators?.count == values.count && denominators?.count == values.count),
                 "pooled statistics need their rows' numerators and denominators")
    // The column that says whether the means take a row: the first mean's.
    let meanColumn = pooled.firstIndex(of: false)
    let workers = max(1, min(threads, rows / 64))
    let parts = WorkerSlots<PoissonBootstrap>(count: workers)
    let block = EvaluatedBlock(values: values, numerators: numerators, denominators: denominators)
    let empty = PoissonBootstrap(replicates: replicates, seed: seed, pooled: pooled)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      let lower = rows * worker / workers, upper = rows * (worker + 1) / workers
      var part = empty
      var v = [Double](repeating: 0, count: (upper - lower) * s)
      var w = [Double](repeating: 0, count: upper - lower)
      if !anyPooled {
        for r in lower..<upper where !block.values[r * s].isNaN {
          w[r - lower] = weights.weight(ofRow: weightsFrom + r)
          for c in 0..<s { v[(r - lower) * s + c] = block.values[r * s + c] }
        }
        v.withUnsafeBufferPointer { vp in
          w.withUnsafeBufferPointer { part.add(values: vp, weights: $0, firstRow: firstRow + lower) }
        }
      } else {
        var d = [Double](repeating: 0, count: v.count)
        var means = [Bool](repeating: false, count: upper - lower)
        for r in lower..<upper {
          let defined = meanColumn.map { !block.values[r * s + $0].isNaN } ?? true
          means[r - lower] = defined
          w[r - lower] = weights.weight(ofRow: weightsFrom + r)
          for c in 0..<s {
            if pooled[c] {
              v[(r - lower) * s + c] = block.numerators![r * s + c]
              d[(r - lower) * s + c] = block.denominators![r * s + c]
            } else if defined {
              v[(r - lower) * s + c] = block.values[r * s + c]
            }
          }
        }
        v.withUnsafeBufferPointer { vp in
          d.withUnsafeBufferPointer { dp in
            w.withUnsafeBufferPointer { wp in
              means.withUnsafeBufferPointer {
                part.add(values: vp, denominators: dp, weights: wp, meansDefined: $0, firstRow: firstRow + lower)
              }
            }
          }
        }
      }
      parts.store(part, at: worker)
    }
    for part in parts.values { merge(part) }
  }
}

/// A block of per-row values (and pooled parts) shared by the workers of
/// ``PoissonBootstrap/add(evaluated:numerators:denominators:weights:firstRow:threads:)``.
/// Sendable: the workers only read it, and the call outlives them.
private struct EvaluatedBlock: @unchecked Sendable {
  let values: UnsafeBufferPointer<Double>
  let numerators: UnsafeBufferPointer<Double>?
  let denominators: UnsafeBufferPointer<Double>?
}
