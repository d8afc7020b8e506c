import Foundation
import MAPKShards
import MAPKTooling

/// `mapk inspect`: what a file holds, in the terms `mapk eval` uses.
enum InspectCommand {
  /// `mapk inspect`'s description and options.
  static let command = Command(
    name: "inspect", summary: "show what a .npy / .txt / .npz file holds",
    synopsis: """
      USAGE: mapk inspect FILE... [options]

      Shows what a file holds: format, dtype, shape, size, rows; for labels the
      number of labels per row (min, max, mean), rows without labels and the
      label values' range; for scores their range and any NaN or infinity.
      Run it first when 'mapk eval' complains about a file.
      """,
    options: [
      Option("--threads", value: "N", help: "worker threads for scanning scores (default: active processors)"),
      Option("--exclude", value: "FILE", help: "exclusions to describe as eval reads them: classes removed per row,",
             "entries that remove nothing, labels also excluded (needs --predictions and --labels)"),
      Option("--predictions", value: "FILE", help: "with --exclude: the predictions eval would rank (C)"),
      Option("--labels", value: "FILE", help: "with --exclude: the labels eval would read"),
      Option("--labels-format", value: "F", help: "with --exclude: the labels' format, as for eval"),
      Option("--classes", value: "C", help: "with --exclude and ranked-id predictions: the classes, as for eval"),
    ],
    epilog: """
      EXAMPLES:
        mapk inspect demo.pred.npy demo.labels.npy
        mapk inspect labels.npz
        mapk inspect --exclude seen.npz --predictions demo.pred.npy --labels demo.labels.npy
      """)

  /// Runs `mapk inspect` with its parsed options.
  static func run(_ parsed: Arguments) throws {
    let exclude = parsed["--exclude"]
    guard !parsed.positional.isEmpty || exclude != nil else {
      throw UsageError(description: "missing FILE (see mapk inspect --help)")
    }
    if parsed.positional.contains("") { throw UsageError(description: "a file name is empty") }
    let context = ["--predictions", "--labels", "--labels-format", "--classes"]
    if exclude == nil, let flag = context.first(where: { parsed[$0] != nil }) {
      throw UsageError(description: "\(flag) applies with --exclude")
    }
    let threads = try ThreadsOption.value(parsed)
    for (i, path) in parsed.positional.enumerated() {
      if i > 0 { print("") }
      for line in try Inspection.describe(path: path, threads: threads) { print(line) }
    }
    if let exclude {
      guard let predictions = parsed["--predictions"], let labels = parsed["--labels"] else {
        throw UsageError(description: "--exclude needs --predictions and --labels (what eval reads it with)")
      }
      var reading = RankedIDReading()
      reading.classes = try parsed.int("--classes")
      let lines = try InspectExclusions.describe(
        exclude: exclude, predictions: predictions, labels: labels,
        labelFormat: try parsed.choice("--labels-format", LabelFormat.self), reading: reading, threads: threads)
      if !parsed.positional.isEmpty { print("") }
      for line in lines { print(line) }
    }
  }
}
