/// The replicate sums of a ``PoissonBootstrap`` as ``ExactSum`` values, and
/// a bootstrap rebuilt from them: how a shard's bootstrap travels in its
/// state file and merges with the others' to the single run's, bit for bit.
extension PoissonBootstrap {
  /// Why replicate sums cannot make a bootstrap.
  public struct SumsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in a few words.
    public let description: String
  }

  /// Every replicate's exact sums: sum s (s < ``statistics`` a numerator
  /// Σ c·w·v, s = ``statistics`` the shared denominator Σ c·w, then one
  /// denominator Σ c·w·n per ``pooled`` statistic, in their order) of
  /// replicate b at index `s · replicates + b`.
  ///
  /// - Complexity: O(B·(statistics + 1)·limbs).
  public var replicateSums: [ExactSum] {
    var sums: [ExactSum] = []
    sums.reserveCapacity(sumCount * replicates)
    for s in 0..<sumCount {
      for b in 0..<replicates { sums.append(exactSum(s, replicate: b)) }
    }
    return sums
  }

  /// The bootstrap whose replicate sums are `replicateSums` (in the order
  /// ``replicateSums`` gives them), over `rows` rows, its statistics pooled
  /// where `pooled` says (nil: none; else one flag per statistic).
  ///
  /// The sums are copied limb for limb: ``ExactSum`` and the bootstrap keep
  /// the same fixed-point layout, so `PoissonBootstrap(replicates: b.replicates,
  /// seed: b.seed, statistics: b.statistics, rows: b.rows, replicateSums:
  /// b.replicateSums) == b`, and merging rebuilt bootstraps is merging the
  /// originals.
  ///
  /// - Throws: ``SumsError`` if B or the statistics are below 1, `rows` is
  ///   negative, `pooled` does not have one flag per statistic, the count of
  ///   sums is not (statistics + 1 + pooled statistics)·B, or a sum has
  ///   NaN or infinite terms (a bootstrap adds finite values only).
  /// - Complexity: O(B·(statistics + 1)·limbs).
  public init(replicates: Int, seed: UInt64, statistics: Int, rows: Int, replicateSums: [ExactSum],
              pooled: [Bool]? = nil) throws(SumsError)
  {
    guard replicates >= 1, statistics >= 1 else {
      throw SumsError(description: "replicates \(replicates) and statistics \(statistics) must be at least 1")
    }
    guard rows >= 0 else { throw SumsError(description: "rows \(rows) is negative") }
    let flags = pooled ?? Array(repeating: false, count: statistics)
    guard flags.count == statistics else {
      throw SumsError(description: "\(flags.count) pooled flags for \(statistics) statistics")
    }
    let sumCount = statistics + 1 + flags.filter { $0 }.count
    let (expected, overflow) = sumCount.multipliedReportingOverflow(by: replicates)
    guard !overflow, replicateSums.count == expected else {
      throw SumsError(description: "\(replicateSums.count) replicate sums for \(sumCount) sums of \(replicates) replicates")
    }
    if let bad = replicateSums.firstIndex(where: {
      $0.nanCount != 0 || $0.positiveInfinityCount != 0 || $0.negativeInfinityCount != 0
    }) {
      throw SumsError(description: "replicate sum \(bad) has NaN or infinite terms")
    }
    self.init(replicates: replicates, seed: seed, pooled: flags)
    self.rows = rows
    let L = ExactSum.limbCount, B = replicates
    limbs.withUnsafeMutableBufferPointer { l in
      for s in 0..<sumCount {
        for b in 0..<B {
          var e = replicateSums[s * B + b]
          e.normalize()
          for i in 0..<L { l[(s * L + i) * B + b] = e.limbs[i] }
        }
      }
    }
  }
}
