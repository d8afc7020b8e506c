import Foundation
import MAPKShards
import MAPKTooling

/// `mapk compare`: systems evaluated against the same labels, each against
/// the first (or every pair), with paired tests and bootstrap intervals.
enum CompareCommand {
  /// `mapk compare`'s description and options.
  static let command = Command(
    name: "compare", summary: "paired significance tests and confidence intervals between systems",
    synopsis: """
      USAGE: mapk compare --labels L -k LIST A.npy B.npy [C.npy ...] [options]

      Evaluates every predictions file against the same labels, then compares
      each with the first (the baseline): the difference, the paired t-test
      (scipy's ttest_rel), Fisher's randomization test, Poisson bootstrap
      intervals and, over several comparisons, Holm-adjusted p-values.
      """,
    options: [
      Option("--labels", value: "FILE", help: "labels: .npy dense, .txt one line of ids per row, .npz scipy CSR"),
      Option("--labels-format", value: "F", help: "dense|text|csr (default: from the extension)"),
      Option("--k", aliases: ["-k"], value: "LIST", help: "k values: a list and ranges, e.g. 10 or 1,5,10"),
      Option("--metric", value: "LIST", help: "metrics, as in eval (default map); pooled ones (precision, recall)",
             "get the randomization test (rows' hits and n swapped) and the bootstrap, no t-test"),
      Option("--weights", value: "FILE", help: ".npy weights; rows of weight 0 are left out of the tests,",
             "other rows must share one weight for the tests"),
      Option("--exclude", value: "FILE", help: "classes to remove from each row's ranking before the top k",
             "(seen items, reciprocal pairs): labels in any format, one row per row"),
      ThreadsOption.option,
      Option("--empty-rows", value: "P", help: "rows without labels: nan (default: refused, the metric is NaN) | skip | zero"),
      Option("--nan", value: "P", help: "NaN scores: error (default) | largest | lowest"),
      Option("--all-pairs", help: "compare every pair of systems, not only each with the first"),
      Option("--alpha", value: "A", help: "significance level of the table's marker (default 0.05)"),
      Option("--permutations", value: "B", help: "randomization test sign flips (default 10000; exact when 2^rows <= B)"),
      Option("--bootstrap", value: "B", help: "Poisson bootstrap replicates (default 1000)"),
      Option("--ci", value: "LEVEL", help: "confidence level of the intervals (default 0.95)"),
      Option("--seed", value: "S", help: "seed of the sign flips and the bootstrap counts (default 0)"),
      Option("--format", value: "F", help: "text (default) | markdown | latex"),
      Option("--json", help: "print one JSON object on stdout"),
      OutputOption.option,
    ] + CompareShards.options,
    epilog: """
      EXAMPLES:
        mapk compare --labels l.npy -k 10 base.npy new.npy
        mapk compare --labels l.npy -k 1,10 a.npy b.npy c.npy --format latex --seed 7
        for i in 0 1 2; do mapk compare --labels l.npy -k 10 a.npy b.npy --shard $i/3 --state c$i.json; done
        mapk merge c0.json c1.json c2.json --format latex
      """)

  /// `--format`'s values.
  enum Format: String, CaseIterable {
    case text, markdown, latex
  }

  /// Runs `mapk compare` with its parsed options.
  static func run(_ parsed: Arguments) throws {
    let files = parsed.positional
    guard files.count >= 2 else {
      throw UsageError(description: "compare needs at least two predictions files (got \(files.count))")
    }
    let labels = try parsed.required("--labels")
    let ks = try parseKList(try parsed.required("--k"))
    let threads = try ThreadsOption.value(parsed)
    let configuration = try MAPConfiguration(
      ks: ks, metrics: try parsed["--metric"].map(parseMetricList) ?? [.averagePrecision],
      emptyRows: try parsed.choice("--empty-rows", EmptyRowPolicy.self) ?? .nan,
      nanScores: try parsed.choice("--nan", NaNScorePolicy.self) ?? .error)
    let labelFormat = try parsed.choice("--labels-format", LabelFormat.self)
    let format = try parsed.choice("--format", Format.self) ?? .text
    let alpha = try probability(parsed, "--alpha") ?? 0.05
    let level = try probability(parsed, "--ci") ?? 0.95
    var seed: UInt64 = 0
    if let s = parsed["--seed"] {
      guard let v = UInt64(s) else { throw UsageError(description: "--seed must be an integer >= 0 (got '\(s)')") }
      seed = v
    }
    let design = ComparisonDesign(
      permutations: try parsed.int("--permutations") ?? 10_000,
      bootstrapReplicates: try parsed.int("--bootstrap") ?? 1_000,
      level: level, seed: seed)
    let inputPaths = files + [labels] + (parsed["--weights"].map { [$0] } ?? []) + (parsed["--exclude"].map { [$0] } ?? [])
    let sharding = try ShardOptions(parsed)
    if sharding.shard != nil && sharding.statePath == nil {
      throw UsageError(description: "--shard needs --state FILE (the shard's sums, for 'mapk merge')")
    }
    if sharding.statePath != nil && design.permutations > CompareShards.maximumPermutations {
      throw UsageError(description: "--state holds one exact sum per permutation: --permutations must be at most "
                         + "\(CompareShards.maximumPermutations) with --state (got \(design.permutations))")
    }
    try OutputPaths.check(OutputPaths.given(parsed, ["--state", OutputOption.flag]), inputs: inputPaths)
    let output = try OutputOption.open(parsed, protecting: inputPaths)

    let clock = Stopwatch()
    let evaluator = Evaluator(threads: threads)
    var systems: [SystemRows] = []
    var weights: [Double]? = nil
    var stateFiles: [StateFile] = []
    var range = 0..<0
    for file in files {
      let inputs = try EvaluationInputs(predictions: file, labels: labels, weights: parsed["--weights"],
                                        labelFormat: labelFormat, threads: threads, exclude: parsed["--exclude"])
      ExclusionWarning.report(inputs)
      inputs.reportTruncationAsError()
      // The shard's rows (all without --shard); per-row values are the range's, from its first row.
      range = sharding.rows(of: inputs.rows) ?? 0..<inputs.rows
      let columns = configuration.pairs.count
      var values = [Double](repeating: .nan, count: range.count * columns)
      // A pooled metric is tested on its rows' (hits, n), which the sink gives beside the ratio.
      let pooled = configuration.metrics.contains { !SystemComparison.tTestApplies(to: $0) }
      var numerators = [Double](repeating: 0, count: pooled ? values.count : 0)
      var denominators = numerators
      let state: MAPState
      do {
        state = try values.withUnsafeMutableBufferPointer { buffer in
          try numerators.withUnsafeMutableBufferPointer { hits in
            try denominators.withUnsafeMutableBufferPointer { counts in
              // Any kind of predictions (dense or sparse scores, ranked ids).
              try evaluator.evaluate(inputs, configuration: configuration, rows: range,
                                     perRow: buffer.baseAddress.map { base in
                pooled ? PerRowSink(base: base, firstRow: range.lowerBound, numerators: hits.baseAddress!,
                                    denominators: counts.baseAddress!)
                  : PerRowSink(base: base, firstRow: range.lowerBound)
              })
            }
          }
        }
      } catch let error as MAPKError {
        throw FileError(path: error.isAboutScores ? file : labels, error)
      }
      try inputs.checkUnchanged()
      if weights == nil && !inputs.weights.isNone {
        weights = range.map { inputs.weights.weight(ofRow: $0) }
      }
      if sharding.statePath != nil {
        stateFiles.append(try StateFile(
          state: state, rows: range, totalRows: inputs.rows, shard: sharding.shard, classes: inputs.classes,
          inputs: StateFile.Inputs(of: inputs), threads: threads, seconds: 0))
      }
      systems.append(SystemRows(name: file, state: state, values: values,
                                parts: pooled ? (numerators, denominators) : nil))
    }
    let evaluated = clock.seconds
    let pairs = parsed.has("--all-pairs")
      ? SystemComparison.allPairs(systems: systems.count) : SystemComparison.againstFirst(systems: systems.count)
    let result: SystemComparisonResult
    if let statePath = sharding.statePath {
      // The shard's exact sums, saved; its report is the comparison of its rows.
      let sums = Result { () throws(ComparisonError) -> ComparisonShard in
        try SystemComparison.shard(systems, weights: weights, firstRow: range.lowerBound, pairs: pairs,
                                   design: design, threads: threads)
      }
      let shard: ComparisonShard
      switch sums {
      case .success(let s): shard = s
      case .failure(let error): throw message(error, labels: labels, weights: parsed["--weights"])
      }
      let seconds = clock.seconds
      let file = try CompareStateFile(
        names: files, systems: stateFiles.map { var s = $0; s.seconds = seconds; return s }, alpha: alpha,
        comparison: shard, evaluationSeconds: evaluated)
      try file.write(to: statePath, protecting: inputPaths)
      result = try CompareShards.result(of: file, labels: labels, weights: parsed["--weights"])
    } else {
      let outcome = Result { () throws(ComparisonError) -> SystemComparisonResult in
        try SystemComparison.compare(systems, weights: weights, pairs: pairs, design: design, threads: threads)
      }
      switch outcome {
      case .success(let r): result = r
      case .failure(let error): throw message(error, labels: labels, weights: parsed["--weights"])
      }
    }
    let report = CompareReport(
      names: files, configuration: configuration, rows: range.count, result: result, design: design, alpha: alpha,
      threads: threads, evaluationSeconds: evaluated, seconds: clock.seconds)
    try report.emit(json: parsed.has("--json"), format: format, to: output)
  }

  /// A number in (0, 1) given as `flag`, or nil.
  static func probability(_ parsed: Arguments, _ flag: String) throws -> Double? {
    guard let s = parsed[flag] else { return nil }
    guard let v = Double(s), v > 0, v < 1 else {
      throw UsageError(description: "\(flag) must be a number between 0 and 1 (got '\(s)')")
    }
    return v
  }

  /// The comparison's refusal as one line naming the file at fault and the way out.
  static func message(_ error: ComparisonError, labels: String, weights: String?) -> FileError {
    switch error {
    case .mismatchedSystems(let problem):
      return FileError(path: labels, problem: "cannot compare: \(problem)", kind: .shapeMismatch)
    case .undefinedMetric(let rows):
      return FileError(path: labels, problem: "\(rows) rows have no labels, so every metric is NaN (as in "
                         + "TensorFlow) and there is nothing to test (use --empty-rows skip or zero)",
                       kind: .invalidValue)
    case .weights(.unequalWeights(let first, let other)):
      return FileError(path: weights ?? labels,
                       problem: "the paired tests need one common weight for all rows of nonzero weight "
                         + "(found \(first) and \(other)); rows of weight 0 are left out", kind: .invalidValue)
    case .weights(.invalidWeight(let w)):
      return FileError(path: weights ?? labels, problem: "invalid weight \(w)", kind: .invalidValue)
    }
  }
}
