/// The saved state of `mapk compare --shard I/N --state S`: every system's
/// exact state of the shard's rows (a ``StateFile`` each, with its inputs'
/// fingerprints) and the comparison's mergeable sums (``ComparisonShard``).
///
/// ``merge(_:)`` of the N shards' states gives the state of all rows, whose
/// ``result()`` is the single run's comparison bit for bit, for any N,
/// thread counts and merge order. On disk it is a JSON object of its own
/// format (`"format": "mapk-compare-state"`, `CompareStateFile+Coding.swift`),
/// read with the state files' JSON limits.
public struct CompareStateFile: Sendable {
  /// The version of the layout this build writes and reads.
  public static let version = 1
  /// The value of the JSON `format` key, which marks a compare state.
  public static let formatName = "mapk-compare-state"
  /// The most permutations a compare state holds: one exact sum each per
  /// mean test (about 600 bytes in memory and 280 on disk), so 100,000 keep
  /// a state to some 30 MB per test. A state declaring more is refused when
  /// read, so no damaged file can make `mapk merge` enumerate 2^30 sign
  /// vectors or allocate sums for billions of permutations.
  public static let maximumPermutations = 100_000

  /// The systems' names in reports (the predictions files as given), baseline first.
  public var names: [String]
  /// Each system's state of these rows (one ``StateFile`` per system, same rows).
  public var systems: [StateFile]
  /// The significance level of the report's marker.
  public var alpha: Double
  /// The comparison's sums over these rows.
  public var comparison: ComparisonShard
  /// Seconds spent evaluating the systems (informational).
  public var evaluationSeconds: Double

  /// Why a compare state is inconsistent.
  public struct InvalidState: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in a few words.
    public let description: String
  }

  /// A compare state from its parts, checked.
  ///
  /// - Throws: ``InvalidState`` if the systems' states are not of the same
  ///   rows and configuration, or do not fit the comparison.
  public init(names: [String], systems: [StateFile], alpha: Double, comparison: ComparisonShard,
              evaluationSeconds: Double) throws(InvalidState) {
    self.names = names
    self.systems = systems
    self.alpha = alpha
    self.comparison = comparison
    self.evaluationSeconds = evaluationSeconds
    if let problem = inconsistency { throw InvalidState(description: problem) }
  }

  /// The first contradiction, or nil.
  var inconsistency: String? {
    guard let first = systems.first, systems.count >= 2 else { return "\(systems.count) systems (at least 2)" }
    guard names.count == systems.count else { return "\(names.count) names for \(systems.count) systems" }
    guard comparison.systems == systems.count else {
      return "a comparison of \(comparison.systems) systems for \(systems.count)"
    }
    guard alpha > 0, alpha < 1 else { return "alpha \(alpha) is not within (0, 1)" }
    guard evaluationSeconds.isFinite, evaluationSeconds >= 0, evaluationSeconds <= StateFile.maximumSeconds else {
      return "evaluation seconds \(evaluationSeconds) not within 0...\(StateFile.maximumSeconds)"
    }
    for (i, s) in systems.enumerated() {
      guard s.rows == first.rows, s.totalRows == first.totalRows, s.shard == first.shard else {
        return "systems[\(i)] is of rows \(s.rows), systems[0] of \(first.rows)"
      }
      guard s.state.configuration == first.state.configuration else {
        return "systems[\(i)] has another configuration (metrics, ks or policies) than systems[0]"
      }
    }
    let pairs = first.state.configuration.pairs
    guard comparison.pooledColumns == pairs.map({ !SystemComparison.tTestApplies(to: $0.metric) }) else {
      return "the comparison is not of the systems' metrics"
    }
    guard comparison.meanTestRows <= first.rows.count, comparison.pooledTestRows <= first.rows.count else {
      return "more rows in the tests than the \(first.rows.count) rows"
    }
    for test in comparison.tests {
      let rows: [ComparisonShard.TestedRow]?
      switch test {
      case .mean(_, _, let r): rows = r
      case .pooled(_, let r): rows = r
      }
      if let rows, rows.contains(where: { !first.rows.contains($0.row) }) {
        return "a tested row outside the rows \(first.rows)"
      }
    }
    return nil
  }

  /// The comparison of these rows (of all rows, once merged): what `mapk
  /// compare` over the same rows computes, bit for bit.
  ///
  /// - Throws: ``ComparisonError``.
  public func result() throws(ComparisonError) -> SystemComparisonResult {
    try comparison.result(states: systems.map(\.state))
  }
}
