import MAPKShards
import MAPKTooling

/// `mapk compare --shard I/N --state S` and `mapk merge` of the compare
/// states: each shard saves its rows' exact sums, the merge prints the single
/// run's report (`docs/statistics.md`, "Across shards").
enum CompareShards {
  /// `--shard` and `--state` in `mapk compare`'s table.
  static let options = [
    Option("--shard", value: "I/N", help: "compare only shard I of N (0 <= I < N): rows",
           "[floor(I*R/N), floor((I+1)*R/N)) of the R rows; needs --state"),
    Option("--state", value: "FILE", help: "save the exact sums of the compared rows (JSON), for 'mapk merge',",
           "which prints the single run's report; without --shard, of all rows"),
  ]

  /// The most permutations a compare state holds (`CompareStateFile.maximumPermutations`).
  static let maximumPermutations = CompareStateFile.maximumPermutations

  /// The comparison of a compare state's rows, its refusals as `compare` words them.
  static func result(of file: CompareStateFile, labels: String, weights: String?) throws -> SystemComparisonResult {
    let outcome = Result { () throws(ComparisonError) -> SystemComparisonResult in try file.result() }
    switch outcome {
    case .success(let r): return r
    case .failure(let error): throw CompareCommand.message(error, labels: labels, weights: weights)
    }
  }

  /// `mapk merge` of compare states: returns false (nothing done) when the
  /// first file is not a compare state; else merges them all (refusing, by
  /// name, one that is not a compare state) and prints the report.
  static func mergeIfCompareStates(_ parsed: Arguments) throws -> Bool {
    let paths = parsed.positional
    guard let first = paths.first, try isCompareState(first) else {
      if let other = try paths.first(where: { try isCompareState($0) }) {
        throw FileError(path: other, problem: "cannot merge with \(paths[0]): a compare state "
                          + "('mapk compare --state') with eval states ('mapk eval --state')", kind: .conflict)
      }
      if parsed["--format"] != nil {
        throw UsageError(description: "--format applies to the merge of compare states ('mapk compare --state')")
      }
      return false
    }
    if let other = try paths.first(where: { try !isCompareState($0) }) {
      // A file that is not even a JSON object with a format: the reader says what is wrong with it.
      if try format(of: other) == nil { _ = try CompareStateFile(contentsOf: other) }
      throw FileError(path: other, problem: "cannot merge with \(first): not a compare state "
                        + "('mapk compare --state'), as \(first) is", kind: .conflict)
    }
    if let flag = ["--shards", "--missing"].first(where: { parsed[$0] != nil || parsed.has($0) }) {
      throw UsageError(description: "\(flag) applies to eval states; for compare states give every shard's state")
    }
    let format = try parsed.choice("--format", CompareCommand.Format.self) ?? .text
    try OutputPaths.check(OutputPaths.given(parsed, [OutputOption.flag]), inputs: paths)
    let output = try OutputOption.open(parsed, protecting: paths)
    let merged = try CompareStateFile.merge(contentsOf: paths)
    let system = merged.systems[0]
    let result = try result(of: merged, labels: system.inputs.labels.name, weights: system.inputs.weights?.name)
    let report = CompareReport(
      names: merged.names, configuration: system.state.configuration, rows: system.rows.count, result: result,
      design: merged.comparison.design, alpha: merged.alpha, threads: system.threads,
      evaluationSeconds: merged.evaluationSeconds, seconds: system.seconds)
    try report.emit(json: parsed.has("--json"), format: format, to: output)
    return true
  }

  /// Whether the file at `path` is a compare state (its JSON `format` says so).
  static func isCompareState(_ path: String) throws -> Bool {
    try format(of: path) == CompareStateFile.formatName
  }

  /// The JSON `format` of the file at `path`, or nil if it has none (not a JSON object, or damaged).
  static func format(of path: String) throws -> String? {
    // The mapping must outlive the read of its bytes.
    let file = try MappedFile(path: path)
    return withExtendedLifetime(file) { CompareStateFile.format(of: file.bytes) }
  }
}
