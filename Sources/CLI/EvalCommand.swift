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
      Option("--predictions", value: "FILE", help: ".npy scores, float16/32/64, shape [D1..DN, C]",
             "or .npy int32/int64 ranked ids [D1..DN, K], best first;",
             "or FILE.npz[:NAME], FILE.safetensors[:NAME]"),
      Option("--labels", value: "FILE", help: "labels: .npy dense int32/int64 [D1..DN, L] or [D1..DN]",
             "(-1 pads), .npy bool multi-hot [D1..DN, C], .txt one line of ids per row, .npz scipy CSR"),
      Option("--labels-format", value: "F", help: "dense|text|csr|multihot (default: from the extension;",
             "a bool .npy is multihot; multihot reads int 0/1 [D1..DN, C] as multi-hot)"),
      Option("--k", aliases: ["-k"], value: "LIST", help: "k values: a list and ranges, e.g. 10 or 1,5,10 or 1-20,50"),
      Option("--metric", value: "LIST", help: "metrics, e.g. map,ndcg,mrr or all (default map): map map_trec",
             "map_torch precision precision_torch recall recall_macro recall_torch", "ndcg mrr mrr_torch hit"),
      Option("--like", value: "LIB", help: "tensorflow|trec_eval|ranx|torchmetrics: that library's metrics",
             "and its rule for rows without labels (docs/semantics.md)"),
      Option("--weights", value: "FILE", help: ".npy float32/64 weights, shape [] or broadcastable to [D1..DN]"),
      Option("--exclude", value: "FILE", help: "classes to remove from each row's ranking before the top k",
             "(seen items, reciprocal pairs): labels in any format, one row per row"),
      ThreadsOption.option,
      Option("--empty-rows", value: "P", help: "rows without labels: nan (TensorFlow, default) | skip | zero"),
      Option("--nan", value: "P", help: "NaN scores: error (default) | largest | lowest"),
      Option("--pad-id", value: "V", help: "ranked ids: the id of an empty position, never a hit (default -1)"),
      Option("--duplicate-ids", value: "P", help: "ranked ids: a repeated id in a row: error (default) | first",
             "(later copies are misses)"),
      Option("--classes", value: "C", help: "ranked ids: the number of classes; labels >= C are ignored",
             "as for scores (default: labels compared as they are)"),
      Option("--per-row", value: "OUT.npy|tsv", help: "write every row's value per (metric, k): .npy float64, shape",
             "[D1..DN] for one column, [D1..DN, columns] for several (NaN: row",
             "without labels); .tsv: a header, the row index and a column each"),
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
    let convention = try parsed.choice("--like", MetricConvention.self)
    let metrics = try parsed["--metric"].map(parseMetricList) ?? convention?.metrics ?? [.averagePrecision]
    let configuration = try MAPConfiguration(
      ks: ks, metrics: metrics,
      emptyRows: try parsed.choice("--empty-rows", EmptyRowPolicy.self) ?? convention?.emptyRows ?? .nan,
      nanScores: try parsed.choice("--nan", NaNScorePolicy.self) ?? .error)
    let labelFormat = try parsed.choice("--labels-format", LabelFormat.self)
    let sharding = try ShardOptions(parsed)

    let clock = Stopwatch()
    let reading = try rankedIDReading(parsed)
    let inputs = try EvaluationInputs(
      predictions: predictions, labels: labels, weights: parsed["--weights"], labelFormat: labelFormat,
      threads: threads, rankedIDs: reading, exclude: parsed["--exclude"], streaming: true)
    ExclusionWarning.report(inputs)
    if inputs.rankedIDReading == nil, let flag = ["--pad-id", "--duplicate-ids", "--classes"].first(where: { parsed[$0] != nil }) {
      throw UsageError(description: "\(flag) applies to ranked-id predictions, and \(predictions) holds scores")
    }
    inputs.reportTruncationAsError()  // a file truncated under the mapping: one error line, not a crash
    for warning in inputs.warnings {
      FileHandle.standardError.write(Data("mapk: warning: \(ErrorHints.message(warning))\n".utf8))
    }
    let inputPaths = [predictions, labels] + (parsed["--weights"].map { [$0] } ?? [])
      + (parsed["--exclude"].map { [$0] } ?? [])
    try OutputPaths.check(OutputPaths.given(parsed, ["--per-row", "--plot", "--state", OutputOption.flag]),
                          inputs: inputPaths)
    // Created before the pass so that an unwritable path fails at once, not after it.
    let plotFile = try parsed["--plot"].map { try AtomicOutputFile(path: $0, protecting: inputPaths) }
    let output = try OutputOption.open(parsed, protecting: inputPaths)
    let counter = EvaluationProgress()
    let interval = try EvalInterval(parsed)
    let pass = EvalPass(evaluator: Evaluator(threads: threads), perRowPath: parsed["--per-row"],
                        histogram: parsed["--plot"] != nil, progress: counter,
                        bootstrap: interval?.bootstrap(configuration: configuration))
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
    let rows = sharding.rows(of: inputs.rows) ?? 0..<inputs.rows
    // Ranked ids have a C only when --classes gives one: without it labels are
    // compared as they are (the ids' width K is no bound on them), so none is out of range.
    let labelClasses: Int? = inputs.rankedIDReading.map { $0.classes } ?? inputs.classes
    let aboveClasses = labelClasses.map { LabelRange.countAtOrAbove($0, in: inputs.labels, rows: rows, threads: threads) } ?? 0
    try sharding.save(state, inputs: inputs, threads: threads, seconds: seconds,
                      labelsAtOrAboveClasses: aboveClasses, protecting: inputPaths,
                      bootstrap: interval.flatMap { i in outcome.bootstrap.map { StateFile.Bootstrap(level: i.level, replicates: $0) } })

    if let file = plotFile, let histogram = outcome.histogram {
      try file.write(Array(EvalPlot.svg(state: state, histogram: histogram, name: predictions).utf8))
      try file.commit()
    }

    var report = Report(state: state, classes: inputs.classes, threads: threads, seconds: seconds,
                        bytes: inputs.byteCount,
                        perRow: parsed["--per-row"].flatMap { p in outcome.perRowShape.map { (p, $0) } },
                        plot: plotFile?.path,
                        intervals: interval.flatMap { i in outcome.bootstrap.map { i.intervals(of: $0, state: state) } })
    report.namedResults = parsed["--metric"] != nil || convention != nil
    report.convention = convention
    report.paddedRecallRows = configuration.metrics.contains(.recall) ? paddedRows(inputs.labels) : 0
    report.extraWarnings += LabelRange.warning(aboveClasses, classes: labelClasses ?? inputs.classes,
                                               semantics: inputs.labels.semantics,
                                               source: inputs.rankedIDReading == nil ? "the predictions' last dimension"
                                                 : "--classes").map { [$0] } ?? []
    try report.emit(json: parsed.has("--json"), to: output)
  }
}

extension EvalCommand {
  /// How ranked ids are read, from `--pad-id`, `--duplicate-ids` and `--classes`.
  static func rankedIDReading(_ parsed: Arguments) throws -> RankedIDReading {
    var reading = RankedIDReading()
    if let pad = parsed["--pad-id"] {
      guard let v = Int64(pad) else { throw UsageError(description: "--pad-id must be an integer (got '\(pad)')") }
      reading.pad = v
    }
    reading.duplicates = try parsed.choice("--duplicate-ids", DuplicateIDPolicy.self) ?? .error
    reading.classes = try parsed.int("--classes")
    return reading
  }
}

/// The metrics of a `--metric` list: names separated by commas, or `all`.
func parseMetricList(_ text: String) throws -> [Metric] {
  if text == "all" { return Metric.allCases }
  var out: [Metric] = []
  for name in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
    guard let metric = Metric(name: name) else {
      throw UsageError(description: "--metric: '\(name)' is not a metric; use all or a list of "
                         + Metric.allCases.map(\.name).joined(separator: ", "))
    }
    out.append(metric)
  }
  return out
}

/// The rows of dense labels holding a negative entry (`-1` padding):
/// TensorFlow's `recall_at_k` counts it as one label never retrieved.
func paddedRows(_ labels: LabelRows) -> Int {
  guard labels.semantics == .dense else { return 0 }
  var rows = 0
  for r in 0..<labels.rows {
    let span = labels.range(ofRow: r)
    var padded = false
    switch labels.values {
    case .int64(let p): for i in span where p[i] < 0 { padded = true }
    case .int32(let p): for i in span where p[i] < 0 { padded = true }
    }
    rows += padded ? 1 : 0
  }
  return rows
}

extension MAPKError {
  /// True for errors about the scores file (k vs classes, NaN scores).
  var isAboutScores: Bool {
    switch self {
    case .kAboveClasses, .nanScore: return true
    case .duplicateID, .invalidID: return true
    default: return false
    }
  }
}
