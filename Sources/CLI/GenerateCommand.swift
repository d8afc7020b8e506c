import Foundation
import MAPKShards
import MAPKTooling

/// `mapk generate`: a realistic synthetic dump to try mapk on.
enum GenerateCommand {
  static let help = """
    USAGE: mapk generate --rows N --classes C --labels-per-row L --out PREFIX [options]

    Writes a synthetic dump that looks like a real model's output: PREFIX.pred.npy
    (scores [N, C], correlated with the labels, rows of varying difficulty, ties)
    and PREFIX.labels.npy|.txt|.npz (each row has 1 to L distinct labels).
    The same seed gives the same bytes, whatever the threads; memory stays
    bounded (a few tens of MB) however large the dump.

    OPTIONS:
      --rows N               rows (>= 0)
      --classes C            classes, the scores per row (>= 1)
      --labels-per-row L     the most labels a row has, 1 <= L <= C
      --out PREFIX           output prefix: PREFIX.pred.npy, PREFIX.labels.*
      --seed S               random seed, an unsigned integer (default 1)
      --dtype T              f32 (default) | f16 | f64 score type
      --labels-format F      dense (.npy int64 [N, L], -1 padding; default) |
                             text (.txt, one line of ids per row) |
                             csr (.npz, scipy.sparse CSR [N, C], stored)
      --threads N            worker threads (default: active processors)
      --no-progress          no progress line (it shows only on a terminal, after ~1 s)
      -h, --help             show this help

    EXAMPLES:
      mapk generate --rows 100000 --classes 1000 --labels-per-row 5 --out demo
      mapk generate --rows 1000 --classes 50 --labels-per-row 3 --labels-format text --out small --seed 7
    """

  /// The `--dtype` names.
  enum DType: String, CaseIterable {
    case f16, f32, f64

    var scoreType: ScoreType {
      switch self {
      case .f16: return .float16
      case .f32: return .float32
      case .f64: return .float64
      }
    }
  }

  static func run(_ args: ArraySlice<String>) throws {
    let parsed = try Arguments(
      args,
      valued: ["--rows", "--classes", "--labels-per-row", "--out", "--seed", "--dtype", "--labels-format",
               "--threads"],
      boolean: ["--help", "--no-progress"],
      aliases: ["-h": "--help"])
    if parsed.has("--help") {
      print(help)
      return
    }
    if let extra = parsed.positional.first { throw UsageError(description: "unexpected argument '\(extra)'") }
    guard let rows = try parsed.int("--rows", minimum: 0) else { throw UsageError(description: "missing --rows") }
    guard let classes = try parsed.int("--classes") else { throw UsageError(description: "missing --classes") }
    guard let labelsPerRow = try parsed.int("--labels-per-row") else {
      throw UsageError(description: "missing --labels-per-row")
    }
    guard labelsPerRow <= classes else {
      throw UsageError(description: "--labels-per-row (\(labelsPerRow)) must be at most --classes (\(classes))")
    }
    guard classes <= Int(Int32.max) else { throw UsageError(description: "--classes must be below 2^31") }
    let prefix = try parsed.required("--out")
    var seed: UInt64 = 1
    if let text = parsed["--seed"] {
      guard let s = UInt64(text) else {
        throw UsageError(description: "--seed must be an unsigned integer (got '\(text)')")
      }
      seed = s
    }
    let dtype = try parsed.choice("--dtype", DType.self) ?? .f32
    let labelFormat = try parsed.choice("--labels-format", LabelFormat.self) ?? .dense
    let threads = try parsed.int("--threads") ?? Evaluator.activeProcessorCount
    let (bytes, overflow) = rows.multipliedReportingOverflow(by: classes * dtype.scoreType.byteWidth)
    guard !overflow else { throw UsageError(description: "--rows x --classes is too large") }

    let generator = try Generator(rows: rows, classes: classes, labelsPerRow: labelsPerRow, seed: seed)
    let counter = EvaluationProgress()
    let reporter = ProgressReporter.started(
      total: rows, bytes: bytes, unit: "rows", counter: counter, disabled: parsed.has("--no-progress"), json: false)
    let start = DispatchTime.now()
    let files: Generator.Files
    do {
      defer { reporter?.stop() }
      files = try generator.write(prefix: prefix, scoreType: dtype.scoreType, labelFormat: labelFormat, threads: threads,
                                  progress: counter)
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    print("wrote \(files.predictions) (\(dtype.scoreType.rawValue) [\(rows), \(classes)])")
    print("wrote \(files.labels) (\(labelFormat.rawValue) labels, 1 to \(labelsPerRow) per row, seed \(seed), "
          + "\(format(seconds, 2)) s)")
  }
}
