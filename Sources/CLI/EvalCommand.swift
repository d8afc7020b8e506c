import Foundation
import MAPKShards

/// `mapk eval`: MAP@k of a predictions dump against its labels.
enum EvalCommand {
  static let help = """
    USAGE: mapk eval --predictions P.npy --labels L.npy -k K [options]

    Computes TensorFlow's average_precision_at_k (mean over rows) for each k,
    memory-mapping the predictions and evaluating rows on all cores.

    OPTIONS:
      --predictions FILE     .npy scores, float16/32/64, shape [D1..DN, C]
      --labels FILE          labels: .npy dense int32/int64 [D1..DN, L] or [D1..DN]
                             (-1 pads), .txt one line of ids per row, .npz scipy CSR
      --labels-format F      dense|text|csr (default: from the extension)
      -k, --k LIST           k values: a list and ranges, e.g. 10 or 1,5,10 or 1-20,50
      --weights FILE         .npy float32/64 weights, shape [] or broadcastable to [D1..DN]
      --threads N            worker threads (default: active processors)
      --empty-rows P         rows without labels: nan (TensorFlow, default) | skip | zero
      --nan P                NaN scores: error (default) | largest | lowest
      --json                 print one JSON object on stdout
    \(ShardOptions.help)
      -h, --help             show this help

    EXAMPLES:
      mapk eval --predictions Examples/demo.pred.npy --labels Examples/demo.labels.npy -k 10
      mapk eval --predictions p.npy --labels l.txt -k 1,5,10 --json
    """

  static func run(_ args: ArraySlice<String>) throws {
    let parsed = try Arguments(
      args,
      valued: (["--predictions", "--labels", "--labels-format", "--k", "--weights", "--threads",
               "--empty-rows", "--nan"] as Set<String>).union(ShardOptions.flags),
      boolean: ["--json", "--help"],
      aliases: ["-k": "--k", "-h": "--help"])
    if parsed.has("--help") {
      print(help)
      return
    }
    if let extra = parsed.positional.first { throw UsageError(description: "unexpected argument '\(extra)'") }
    let predictions = try parsed.required("--predictions")
    let labels = try parsed.required("--labels")
    let ks = try parseKList(try parsed.required("--k"))
    let threads = try parsed.int("--threads") ?? Evaluator.activeProcessorCount
    let configuration = try MAPConfiguration(
      ks: ks,
      emptyRows: try parsed.choice("--empty-rows", EmptyRowPolicy.self) ?? .nan,
      nanScores: try parsed.choice("--nan", NaNScorePolicy.self) ?? .error)
    let labelFormat = try parsed.choice("--labels-format", LabelFormat.self)
    let sharding = try ShardOptions(parsed)

    let start = DispatchTime.now()
    let inputs = try EvaluationInputs(
      predictions: predictions, labels: labels, weights: parsed["--weights"], labelFormat: labelFormat,
      threads: threads)
    inputs.reportTruncationAsError()  // a file truncated under the mapping: one error line, not a crash
    let evaluator = Evaluator(threads: threads)
    let state: MAPState
    do {
      state = try evaluator.evaluate(
        scores: inputs.scores, labels: inputs.labels, weights: inputs.weights, configuration: configuration,
        rows: sharding.rows(of: inputs.rows))
    } catch let error as MAPKError {
      throw FileError(path: error.isAboutScores ? predictions : labels, problem: error.description)
    }
    try inputs.checkUnchanged()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    try sharding.save(state, inputs: inputs, threads: threads, seconds: seconds)

    let report = Report(state: state, classes: inputs.classes, threads: threads, seconds: seconds,
                        bytes: inputs.byteCount)
    report.emit(json: parsed.has("--json"))
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
