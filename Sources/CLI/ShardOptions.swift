import MAPKShards
import MAPKTooling

/// `mapk eval`'s `--shard I/N` and `--state FILE`: evaluate one part of the
/// rows and save its exact state for `mapk merge`.
struct ShardOptions {
  /// The options, listed in `mapk eval --help` after `--json`.
  static let options = [
    Option("--shard", value: "I/N", help: "evaluate only shard I of N (0 <= I < N): rows",
           "[floor(I*R/N), floor((I+1)*R/N)) of the R rows"),
    Option("--state", value: "FILE", help: "save the exact state of the evaluated rows (JSON), for",
           "'mapk merge'; without --shard, of all rows"),
  ]

  /// The shard, if one was asked for.
  let shard: StateFile.Shard?
  /// Where to save the state, if anywhere.
  let statePath: String?

  init(_ parsed: Arguments) throws {
    if let text = parsed["--shard"] {
      guard let shard = StateFile.Shard(parsing: text) else {
        throw UsageError(description: "--shard must be I/N with 0 <= I < N (got '\(text)')")
      }
      self.shard = shard
    } else {
      shard = nil
    }
    statePath = parsed["--state"]
    if statePath == "" { throw UsageError(description: "--state needs a file name") }
  }

  /// The rows to evaluate among `total`, or nil for all.
  func rows(of total: Int) -> Range<Int>? { shard?.rows(of: total) }

  /// Saves the state if `--state` was given (never over one of `inputPaths`),
  /// with the bootstrap's replicate sums under `--ci`.
  func save(_ state: MAPState, inputs: EvaluationInputs, threads: Int, seconds: Double,
            labelsAtOrAboveClasses: Int = 0, protecting inputPaths: [String],
            bootstrap: StateFile.Bootstrap? = nil) throws {
    guard let statePath else { return }
    var file = try StateFile(
      state: state, rows: rows(of: inputs.rows) ?? 0..<inputs.rows, totalRows: inputs.rows, shard: shard,
      classes: inputs.classes, inputs: StateFile.Inputs(of: inputs), threads: threads, seconds: seconds)
    file.bootstrap = bootstrap
    file.labelsAtOrAboveClasses = labelsAtOrAboveClasses
    try file.write(to: statePath, protecting: inputPaths)
  }
}
