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

  /// The interval `parsed` asks for, or nil without `--ci`. With `--shard`
  /// or `--state` the state saves the replicate sums (`StateFile.Bootstrap`),
  /// so `mapk merge` prints the single run's interval.
  init?(_ parsed: Arguments) throws {
    guard let text = parsed["--ci"] else {
      for flag in ["--bootstrap", "--seed"] where parsed[flag] != nil {
        throw UsageError(description: "\(flag) needs --ci LEVEL")
      }
      return nil
    }
    guard let level = Double(text), level > 0, level < 1 else {
      throw UsageError(description: "--ci must be a number between 0 and 1 (got '\(text)')")
    }
    self.level = level
    replicates = try parsed.int("--bootstrap") ?? 1_000
    if let s = parsed["--seed"] {
      guard let v = UInt64(s) else { throw UsageError(description: "--seed must be an integer >= 0 (got '\(s)')") }
      seed = v
    } else {
      seed = 0
    }
  }

  /// The empty bootstrap of the results of `configuration`: one statistic per
  /// (metric, k), a pooled metric's (TensorFlow's `precision`, `recall`:
  /// Σ w·hits / Σ w·n) with its own denominator Σ c·w·n, so its replicates
  /// are the pooled ratio's, not a mean of row ratios.
  func bootstrap(configuration: MAPConfiguration) -> PoissonBootstrap {
    PoissonBootstrap(replicates: replicates, seed: seed, pooled: configuration.pairs.map { $0.metric.aggregation == .pooled })
  }

  /// The intervals of the results of `state` from its rows' bootstrap: NaN
  /// where the metric is NaN (rows without labels under the `nan` policy).
  func intervals(of bootstrap: PoissonBootstrap, state: MAPState)
    -> (level: Double, bounds: [(lower: Double, upper: Double)])
  {
    Self.intervals(of: bootstrap, level: level, state: state)
  }

  /// The intervals at `level` of the results of `state` from its rows'
  /// bootstrap (also `mapk merge`'s, from the merged states' replicate sums).
  static func intervals(of bootstrap: PoissonBootstrap, level: Double, state: MAPState)
    -> (level: Double, bounds: [(lower: Double, upper: Double)])
  {
    // A mean is NaN with rows without labels under `nan`; a pooled ratio takes them as they come.
    let undefined = state.configuration.emptyRows == .nan && state.emptyRows > 0
    return (level, (0..<bootstrap.statistics).map { s in
      undefined && !bootstrap.pooled[s] ? (Double.nan, Double.nan) : bootstrap.percentileInterval(level: level, statistic: s)
    })
  }
}
