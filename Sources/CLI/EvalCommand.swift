import Foundation
import MAPKShards
import MAPKTooling

/// `mapk eval`: MAP@k of a predictions dump against its labels.
enum EvalCommand {
  /// `mapk eval`'s description and options: its help, parsing and suggestions.
  static let command = Command(
    name: "eval", summary: "MAP@k of a predictions dump against its labels",
    synopsis: """
      USAGE: mapk eval --predictions P.npy --labels L.npy -k K [options]

      Computes TensorFlow's average_precision_at_k (mean over rows) for each k,
      memory-mapping the predictions and evaluating rows on all cores.
      """,
    options: [
      Option("--predictions", value: "FILE", help: ".npy scores, float16/32/64, shape [D1..DN, C]"),
      Option("--labels", value: "FILE", help: "labels: .npy dense int32/int64 [D1..DN, L] or [D1..DN]",
             "(-1 pads), .txt one line of ids per row, .npz scipy CSR"),
      Option("--labels-format", value: "F", help: "dense|text|csr (default: from the extension)"),
      Option("--k", aliases: ["-k"], value: "LIST", help: "k values: a list and ranges, e.g. 10 or 1,5,10 or 1-20,50"),
      Option("--weights", value: "FILE", help: ".npy float32/64 weights, shape [] or broadcastable to [D1..DN]"),
      ThreadsOption.option,
      Option("--empty-rows", value: "P", help: "rows without labels: nan (TensorFlow, default) | skip | zero"),
      Option("--nan", value: "P", help: "NaN scores: error (default) | largest | lowest"),
      Option("--per-row", value: "OUT.npy", help: "write every row's AP@k (float64, shape [D1..DN] for one k,",
             "[D1..DN, number of ks] for several; NaN: row without labels)"),
      Option("--plot", value: "OUT.svg", help: "draw MAP@k against k and a histogram of per-row AP@(largest k)"),
      Option("--no-progress", help: "no progress line (it shows only on a terminal, after ~1 s)"),
      Option("--json", help: "print one JSON object on stdout"),
      OutputOption.option,
    ] + EvalInterval.options + ShardOptions.options,
    epilog: """
      EXAMPLES:
        mapk eval --predictions Examples/demo.pred.npy --labels Examples/demo.labels.npy -k 10
        mapk eval --predictions p.npy --labels l.txt -k 1,5,10 --json
        mapk eval --predictions p.npy --labels l.npy -k 1-20,50 --per-row ap.npy --plot map.svg
      """)

  /// Runs `mapk eval` with its parsed options.
  static func run(_ parsed: Arguments) throws {
    if let extra = parsed.positional.first { throw UsageError(description: "unexpected argument '\(extra)'") }
    let predictions = try parsed.required("--predictions")
    let labels = try parsed.required("--labels")
    let ks = try parseKList(try parsed.required("--k"))
    let threads = try ThreadsOption.value(parsed)
    let configuration = try MAPConfiguration(
      ks: ks,
      emptyRows: try parsed.choice("--empty-rows", EmptyRowPolicy.self) ?? .nan,
      nanScores: try parsed.choice("--nan", NaNScorePolicy.self) ?? .error)
    let labelFormat = try parsed.choice("--labels-format", LabelFormat.self)
    let sharding = try ShardOptions(parsed)

    let clock = Stopwatch()
    let inputs = try EvaluationInputs(
      predictions: predictions, labels: labels, weights: parsed["--weights"], labelFormat: labelFormat,
      threads: threads)
    inputs.reportTruncationAsError()  // a file truncated under the mapping: one error line, not a crash
    let inputPaths = [predictions, labels] + (parsed["--weights"].map { [$0] } ?? [])
    if let plot = parsed["--plot"], plot == parsed["--per-row"] {
      throw UsageError(description: "--per-row and --plot name the same file '\(plot)'")
    }
    // Created before the pass so that an unwritable path fails at once, not after it.
    let plotFile = try parsed["--plot"].map { try AtomicOutputFile(path: $0, protecting: inputPaths) }
    let output = try OutputOption.open(parsed, protecting: inputPaths)
    let counter = EvaluationProgress()
    let interval = try EvalInterval(parsed, sharded: parsed["--shard"] != nil || parsed["--state"] != nil)
    let pass = EvalPass(evaluator: Evaluator(threads: threads), perRowPath: parsed["--per-row"],
                        histogram: parsed["--plot"] != nil, progress: counter,
                        bootstrap: interval?.bootstrap(statistics: configuration.pairs.count))
    let reporter = ProgressReporter.started(
      total: inputs.rows, bytes: inputs.byteCount, unit: "rows", counter: counter,
      disabled: parsed.has("--no-progress"), json: parsed.has("--json"))
    let outcome: EvalPass.Outcome
    do {
      defer { reporter?.stop() }
      outcome = try pass.run(inputs, configuration: configuration, rows: sharding.rows(of: inputs.rows),
                             protecting: inputPaths)
    } catch let error as MAPKError {
      throw FileError(path: error.isAboutScores ? predictions : labels, error)
    }
    let state = outcome.state
    try inputs.checkUnchanged()
    let seconds = clock.seconds
    try sharding.save(state, inputs: inputs, threads: threads, seconds: seconds, protecting: inputPaths)

    if let file = plotFile, let histogram = outcome.histogram {
      try file.write(Array(EvalPlot.svg(state: state, histogram: histogram, name: predictions).utf8))
      try file.commit()
    }

    let report = Report(state: state, classes: inputs.classes, threads: threads, seconds: seconds,
                        bytes: inputs.byteCount,
                        perRow: parsed["--per-row"].flatMap { p in outcome.perRowShape.map { (p, $0) } },
                        plot: plotFile?.path,
                        intervals: interval.flatMap { i in outcome.bootstrap.map { i.intervals(of: $0, state: state) } })
    try report.emit(json: parsed.has("--json"), to: output)
  }
}

extension MAPKError {
  /// True for errors about the scores file (k vs classes, NaN scores).
  var isAboutScores: Bool {
    switch self {
    case .kAboveClasses, .nanScore: return true
    default: return false
    }
  }
}
