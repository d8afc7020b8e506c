/// A ``PooledRandomizationSums`` rebuilt from its parts: how a compare state
/// saved by one shard (`mapk compare --shard I/N --state S`) comes back to be
/// merged. Every part is an integer held exactly in a double (hits and n are
/// counts), so the saved numbers are the sums themselves and the merge of the
/// rebuilt states is the single run's state.
extension PooledRandomizationSums {
  /// The state with these sums (as read back from ``hits``, ``counts`` and
  /// the totals).
  ///
  /// - Parameters:
  ///   - hitSums: Per replicate, Σ sᵢ·dhᵢ (B values).
  ///   - countSums: Per replicate, Σ sᵢ·dnᵢ (B values).
  ///   - hitsAbsolute: Σ |dhᵢ|; `countsAbsolute`: Σ |dnᵢ|.
  ///   - rows: The rows added.
  /// - Precondition: `replicates` ≥ 1 and B values in each array.
  package init(replicates: Int, seed: UInt64, rows: Int, hitSums: [Double], countSums: [Double],
               hitsAbsolute: Double, countsAbsolute: Double, totalHits: Double, totalCounts: Double,
               observedHits: Double, observedCounts: Double, invalid: Int) {
    precondition(hitSums.count == replicates && countSums.count == replicates, "B sums each")
    self.init(replicates: replicates, seed: seed)
    let padding = [Double](repeating: 0, count: hits.replicateSums.count - replicates)
    hits.replicateSums = hitSums + padding
    counts.replicateSums = countSums + padding
    hits.count = rows
    counts.count = rows
    hits.absoluteSum = hitsAbsolute
    counts.absoluteSum = countsAbsolute
    self.totalHits = totalHits
    self.totalCounts = totalCounts
    self.observedHits = observedHits
    self.observedCounts = observedCounts
    self.invalid = invalid
  }
}
