/// The Poisson bootstrap of a state (`mapk eval --ci LEVEL --shard I/N --state S`):
/// its level, B, seed and every replicate's exact sums, so that merged shard
/// states give the single run's interval bit for bit.
///
/// On disk it is the optional `bootstrap` key of the state's JSON object
/// (version 2 unchanged: a reader without it ignores the key, and a state
/// without it, old or new, merges as before):
///
/// ```json
/// "bootstrap": {"level": 0.95, "replicates": 1000, "seed": "0", "rows": 333,
///               "statistics": 2,
///               "sums": [["0x1f...", ...], ["0x...", ...], ["0x...", ...]]}
/// ```
///
/// `sums` holds statistics + 1 arrays of B `ExactSum.hexadecimal` values:
/// one numerator Σ c·w·v per (metric, k) in `MAPState.totals` order, then the
/// shared denominator Σ c·w (`PoissonBootstrap.replicateSums`). The seed is
/// a decimal string, so a 64-bit seed travels exactly through any JSON reader.
///
/// With pooled metrics (precision, recall) the key `pooled` lists their
/// results' indices (ascending) and `sums` has one more array per index, its
/// own denominator Σ c·w·n, after the shared one; a pooled result's
/// numerator is then Σ c·w·hits. A reader that does not know `pooled`
/// refuses such a state (its count of sums does not match), never misreads it.
extension StateFile {
  /// A state's bootstrap: the replicate sums of its rows and the level its
  /// interval is printed at.
  public struct Bootstrap: Sendable, Equatable {
    /// The confidence level of the percentile interval (0 < level < 1).
    public var level: Double
    /// The replicate sums (B, seed, one statistic per (metric, k)).
    public var replicates: PoissonBootstrap

    /// A state's bootstrap at `level`.
    public init(level: Double, replicates: PoissonBootstrap) {
      self.level = level
      self.replicates = replicates
    }
  }

  /// The bootstrap section on disk (the `bootstrap` key).
  struct BootstrapDocument: Codable {
    var level: Double
    var replicates: Int
    var seed: String
    var rows: Int
    var statistics: Int
    /// The pooled statistics' indices, absent when none.
    var pooled: [Int]?
    var sums: [[String]]

    init(_ b: Bootstrap) {
      let r = b.replicates
      level = b.level
      replicates = r.replicates
      seed = String(r.seed)
      rows = r.rows
      statistics = r.statistics
      let indices = r.pooled.indices.filter { r.pooled[$0] }
      pooled = indices.isEmpty ? nil : indices
      let all = r.replicateSums
      sums = (0..<(r.statistics + 1 + indices.count)).map { s in all[(s * r.replicates)..<((s + 1) * r.replicates)].map(\.hexadecimal) }
    }

    /// The bootstrap it describes, checked against the state's results
    /// (metric, k) — which are pooled — and `rows`.
    func bootstrap(pooledPairs: [Bool], rows stateRows: Int) throws(InvalidState) -> Bootstrap {
      let pairs = pooledPairs.count
      func invalid(_ s: String) -> InvalidState { InvalidState(description: "bootstrap: " + s) }
      guard level > 0, level < 1 else { throw invalid("level \(level) is not within (0, 1)") }
      guard let seed = UInt64(seed) else { throw invalid("seed '\(seed)' is not an integer in 0...2^64-1") }
      guard replicates >= 1 else { throw invalid("replicates \(replicates) is below 1") }
      guard statistics == pairs else {
        throw invalid("\(statistics) statistics for the state's \(pairs) results (metric, k)")
      }
      guard rows == stateRows else { throw invalid("rows \(rows) for a state of \(stateRows) rows") }
      let expectedPooled = pooledPairs.indices.filter { pooledPairs[$0] }
      guard (pooled ?? []) == expectedPooled else {
        throw invalid("pooled results \(pooled ?? []) for the state's pooled results \(expectedPooled)")
      }
      guard sums.count == statistics + 1 + expectedPooled.count else {
        throw invalid("\(sums.count) arrays of sums for \(statistics) numerators and \(1 + expectedPooled.count) denominators")
      }
      var exact: [ExactSum] = []
      exact.reserveCapacity(sums.count * replicates)
      for (s, column) in sums.enumerated() {
        guard column.count == replicates else { throw invalid("sums[\(s)] has \(column.count) values for \(replicates) replicates") }
        for (b, text) in column.enumerated() {
          do { exact.append(try ExactSum(hexadecimal: text)) } catch { throw invalid("sums[\(s)][\(b)]: \(error)") }
        }
      }
      do {
        return Bootstrap(level: level, replicates: try PoissonBootstrap(
          replicates: replicates, seed: seed, statistics: statistics, rows: rows, replicateSums: exact,
          pooled: pooledPairs))
      } catch { throw invalid(error.description) }
    }
  }

  /// This state with the bootstrap section `document` read and checked (nil: none).
  func attaching(_ document: BootstrapDocument?) throws(InvalidState) -> StateFile {
    guard let document else { return self }
    var file = self
    file.bootstrap = try document.bootstrap(pooledPairs: state.configuration.pairs.map { $0.metric.aggregation == .pooled },
                                            rows: state.rows)
    return file
  }

  /// This state with `bootstrap`.
  func attaching(_ bootstrap: Bootstrap?) -> StateFile {
    var file = self
    file.bootstrap = bootstrap
    return file
  }

  /// The merged bootstrap of `parts` (already checked to be disjoint rows
  /// of one evaluation): nil when no part has one; the exact sum of their
  /// replicate sums when all have one of the same level, B and seed.
  ///
  /// - Throws: ``FileError`` naming the first part that has no bootstrap
  ///   while another has, or one of another level, B or seed.
  static func mergedBootstrap(_ parts: [(path: String, state: StateFile)]) throws -> Bootstrap? {
    guard let c = parts.firstIndex(where: { $0.state.bootstrap != nil }), let first = parts[c].state.bootstrap else {
      return nil
    }
    let carrier = parts[c].path
    var merged = first.replicates
    for (i, (path, part)) in parts.enumerated() where i != c {
      func differ(_ what: String) -> FileError {
        FileError(path: path, problem: "cannot merge with \(carrier): \(what)", kind: .conflict)
      }
      guard let b = part.bootstrap else {
        throw differ("it has no bootstrap replicates (saved without --ci) and \(carrier) has")
      }
      let (x, y) = (b.replicates, first.replicates)
      if x.replicates != y.replicates { throw differ("bootstrap of \(x.replicates) replicates vs \(y.replicates)") }
      if x.seed != y.seed { throw differ("bootstrap seed \(x.seed) vs \(y.seed)") }
      if b.level != first.level { throw differ("confidence level \(b.level) vs \(first.level)") }
      if x.statistics != y.statistics { throw differ("bootstrap of \(x.statistics) results vs \(y.statistics)") }
      if x.pooled != y.pooled { throw differ("bootstrap of other pooled results") }
      merged.merge(x)
    }
    return Bootstrap(level: first.level, replicates: merged)
  }
}
