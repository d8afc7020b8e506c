import MAPKShards
import MAPKTooling

/// `mapk eval --ci LEVEL [--bootstrap B] [--seed S]`: a Poisson bootstrap
/// percentile interval for every result (`docs/statistics.md`).
struct EvalInterval {
  /// The options, in `mapk eval`'s table.
  static let options = [
    Option("--ci", value: "LEVEL", help: "add a Poisson bootstrap percentile interval at LEVEL (e.g. 0.95)",
           "to every result; the same bits for any --threads"),
    Option("--bootstrap", value: "B", help: "bootstrap replicates with --ci (default 1000)"),
    Option("--seed", value: "S", help: "seed of the bootstrap's counts with --ci (default 0)"),
  ]

  /// The confidence level.
  let level: Double
  /// B.
  let replicates: Int
  /// The seed.
  let seed: UInt64

  /// The interval `parsed` asks for, or nil without `--ci`.
  ///
  /// - Parameter sharded: Whether the run is a shard or saves a state: the
  ///   state files do not carry the bootstrap's replicate sums, so `--ci`
  ///   is refused there rather than give a shard's interval as if it were the run's.
  init?(_ parsed: Arguments, sharded: Bool) throws {
    guard let text = parsed["--ci"] else {
      for flag in ["--bootstrap", "--seed"] where parsed[flag] != nil {
        throw UsageError(description: "\(flag) needs --ci LEVEL")
      }
      return nil
    }
    guard let level = Double(text), level > 0, level < 1 else {
      throw UsageError(description: "--ci must be a number between 0 and 1 (got '\(text)')")
    }
    if sharded { throw UsageError(description: "--ci cannot be combined with --shard or --state (states do not carry the bootstrap)") }
    self.level = level
    replicates = try parsed.int("--bootstrap") ?? 1_000
    if let s = parsed["--seed"] {
      guard let v = UInt64(s) else { throw UsageError(description: "--seed must be an integer >= 0 (got '\(s)')") }
      seed = v
    } else {
      seed = 0
    }
  }

  /// The empty bootstrap of `statistics` results.
  func bootstrap(statistics: Int) -> PoissonBootstrap {
    PoissonBootstrap(replicates: replicates, seed: seed, statistics: statistics)
  }

  /// The intervals of the results of `state` from its rows' bootstrap: NaN
  /// where the metric is NaN (rows without labels under the `nan` policy).
  func intervals(of bootstrap: PoissonBootstrap, state: MAPState)
    -> (level: Double, bounds: [(lower: Double, upper: Double)])
  {
    let undefined = state.configuration.emptyRows == .nan && state.emptyRows > 0
    return (level, (0..<bootstrap.statistics).map { s in
      undefined ? (Double.nan, Double.nan) : bootstrap.percentileInterval(level: level, statistic: s)
    })
  }
}
