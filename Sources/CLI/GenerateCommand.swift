import Foundation
import MAPKShards
import MAPKTooling

/// `mapk generate`: a realistic synthetic dump to try mapk on.
enum GenerateCommand {
  /// `mapk generate`'s description and options.
  static let command = Command(
    name: "generate", summary: "write a realistic synthetic dump to try mapk on",
    synopsis: """
      USAGE: mapk generate --rows N --classes C --labels-per-row L --out PREFIX [options]

      Writes a synthetic dump that looks like a real model's output: PREFIX.pred.npy
      (scores [N, C], correlated with the labels, rows of varying difficulty, ties)
      and PREFIX.labels.npy|.txt|.npz (each row has 1 to L distinct labels).
      The same seed gives the same bytes, whatever the threads; memory stays
      bounded (a few tens of MB) however large the dump.
      """,
    options: [
      Option("--rows", value: "N", help: "rows (>= 0)"),
      Option("--classes", value: "C", help: "classes, the scores per row (>= 1)"),
      Option("--labels-per-row", value: "L", help: "the most labels a row has, 1 <= L <= C"),
      Option("--out", value: "PREFIX", help: "output prefix: PREFIX.pred.npy, PREFIX.labels.*"),
      Option("--seed", value: "S", help: "random seed, an unsigned integer (default 1)"),
      Option("--dtype", value: "T", help: "f32 (default) | f16 | f64 | bf16 score type (bf16: with --safetensors)"),
      Option("--labels-format", value: "F", help: "dense (.npy int64 [N, L], -1 padding; default) |",
             "text (.txt, one line of ids per row) |", "csr (.npz, scipy.sparse CSR [N, C], stored) |",
             "ivecs (.ivecs, FAISS, one vector of ids per row) |",
             "multihot (.npy bool [N, C], true at each label)"),
      Option("--predictions-format", value: "F", help: "scores (default) | ids (.npy int32 [N, K], each row's",
             "classes by those scores, best first: ranked ids) |",
             "csr (PREFIX.pred.npz, scipy CSR [N, C] of each row's K best scores: sparse scores)"),
      Option("--ids-per-row", value: "K", help: "with --predictions-format ids or csr: K (default min(C, 100))"),
      Option("--exclude-per-row", value: "E", help: "also write PREFIX.exclude.npy, int64 [N, E]: E distinct random",
             "classes per row to try --exclude with (1 <= E <= C; a label is excluded with chance ~E/C)"),
      Option("--safetensors", help: "write the scores as tensor \"scores\" of PREFIX.pred.safetensors, not a .npy"),
      Option("--threads", value: "N", help: "worker threads (default: active processors)"),
      Option("--no-progress", help: "no progress line (it shows only on a terminal, after ~1 s)"),
    ],
    epilog: """
      EXAMPLES:
        mapk generate --rows 100000 --classes 1000 --labels-per-row 5 --out demo
        mapk generate --rows 1000 --classes 50 --labels-per-row 3 --labels-format text --out small --seed 7
        mapk generate --rows 100000 --classes 1000 --labels-per-row 5 --exclude-per-row 20 --out seen
      """)

  /// Runs `mapk generate` with its parsed options.
  static func run(_ parsed: Arguments) throws {
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
    guard labelsPerRow <= Generator.maximumLabelsPerRow else {
      throw UsageError(description: "--labels-per-row must be at most \(Generator.maximumLabelsPerRow) (got \(labelsPerRow))")
    }
    let prefix = try parsed.required("--out")
    var seed: UInt64 = 1
    if let text = parsed["--seed"] {
      guard let s = UInt64(text) else {
        throw UsageError(description: "--seed must be an unsigned integer (got '\(text)')")
      }
      seed = s
    }
    let dtype = try parsed.choice("--dtype", ScoreTypeName.self) ?? .f32
    let labelFormat = try parsed.choice("--labels-format", LabelFormat.self) ?? .dense
    let threads = try ThreadsOption.value(parsed)
    let rankedIDs: Int?
    var sparseScores: Int? = nil
    switch try parsed.choice("--predictions-format", PredictionsFormatName.self) ?? .scores {
    case .scores:
      if parsed["--ids-per-row"] != nil {
        throw UsageError(description: "--ids-per-row needs --predictions-format ids or csr")
      }
      rankedIDs = nil
    case .csr:
      let k = try parsed.int("--ids-per-row") ?? min(classes, 100)
      guard k <= classes else {
        throw UsageError(description: "--ids-per-row (\(k)) must be at most --classes (\(classes))")
      }
      if dtype.scoreType != .float32 && dtype.scoreType != .float64 {
        throw UsageError(description: "--predictions-format csr writes f32 or f64 (scipy has no float16 matrices)")
      }
      if classes > Generator.blockBytes / 4 {
        throw UsageError(description: "--predictions-format csr ranks whole rows: at most "
                         + "\(Generator.blockBytes / 4) classes")
      }
      if parsed.has("--safetensors") {
        throw UsageError(description: "--safetensors writes dense scores; csr writes an .npz")
      }
      rankedIDs = nil
      sparseScores = k
    case .ids:
      let k = try parsed.int("--ids-per-row") ?? min(classes, 100)
      guard k <= classes else {
        throw UsageError(description: "--ids-per-row (\(k)) must be at most --classes (\(classes))")
      }
      rankedIDs = k
      if classes > Generator.blockBytes / dtype.scoreType.byteWidth {
        throw UsageError(description: "--predictions-format ids ranks whole rows: at most "
                         + "\(Generator.blockBytes / dtype.scoreType.byteWidth) classes of \(dtype.rawValue)")
      }
      if parsed.has("--safetensors") {
        throw UsageError(description: "--safetensors writes scores; ranked ids are written as .npy")
      }
    }
    let excludePerRow = try parsed.int("--exclude-per-row")
    if let e = excludePerRow, e > min(classes, Generator.maximumExclusionsPerRow) {
      throw UsageError(description: "--exclude-per-row (\(e)) must be at most --classes (\(classes)) and "
                       + "\(Generator.maximumExclusionsPerRow)")
    }
    if dtype == .bf16 && (rankedIDs != nil || !parsed.has("--safetensors")) {
      throw UsageError(description: "--dtype bf16 needs --safetensors (numpy has no bfloat16 dtype: a .npy cannot hold it)")
    }
    let (bytes, overflow) = rows.multipliedReportingOverflow(by: classes * dtype.scoreType.byteWidth)
    guard !overflow else { throw UsageError(description: "--rows x --classes is too large") }

    let generator = try Generator(rows: rows, classes: classes, labelsPerRow: labelsPerRow, seed: seed)
    let counter = EvaluationProgress()
    let reporter = ProgressReporter.started(
      total: rows, bytes: bytes, unit: "rows", counter: counter, disabled: parsed.has("--no-progress"), json: false)
    let clock = Stopwatch()
    let files: Generator.Files
    do {
      defer { reporter?.stop() }
      files = try generator.write(prefix: prefix, scoreType: dtype.scoreType, labelFormat: labelFormat,
                                  safetensors: parsed.has("--safetensors"), threads: threads,
                                  progress: counter, rankedIDs: rankedIDs, sparseScores: sparseScores)
    }
    let exclusionsPath = prefix + ".exclude.npy"
    if let e = excludePerRow { try generator.writeExclusions(to: exclusionsPath, perRow: e) }
    let seconds = clock.seconds
    if let k = rankedIDs {
      print("wrote \(FileError.oneLine(files.predictions)) (int32 [\(rows), \(k)] ranked ids, best first)")
    } else if let k = sparseScores {
      print("wrote \(FileError.oneLine(files.predictions)) (scipy CSR [\(rows), \(classes)] of \(dtype.scoreType.rawValue), "
            + "each row's \(k) best scores: sparse scores)")
    } else {
      print("wrote \(FileError.oneLine(files.predictions)) (\(dtype.scoreType.rawValue) [\(rows), \(classes)])")
    }
    print("wrote \(FileError.oneLine(files.labels)) (\(labelFormat.rawValue) labels, 1 to \(labelsPerRow) per row, seed \(seed), "
          + "\(format(seconds, 2)) s)")
    if let e = excludePerRow {
      print("wrote \(FileError.oneLine(exclusionsPath)) (int64 [\(rows), \(e)] excluded classes, distinct per row: "
            + "--exclude \(FileError.oneLine(exclusionsPath)))")
    }
  }
}

/// What `mapk generate --predictions-format` names.
enum PredictionsFormatName: String, CaseIterable {
  /// Dense scores `[N, C]`.
  case scores
  /// Ranked ids `[N, K]`, best first.
  case ids
  /// Sparse scores: a scipy CSR `.npz` of each row's K best scores.
  case csr
}
