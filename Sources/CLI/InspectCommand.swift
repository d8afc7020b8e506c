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
    options: [Option("--threads", value: "N", help: "worker threads for scanning scores (default: active processors)")],
    epilog: """
      EXAMPLES:
        mapk inspect demo.pred.npy demo.labels.npy
        mapk inspect labels.npz
      """)

  /// Runs `mapk inspect` with its parsed options.
  static func run(_ parsed: Arguments) throws {
    guard !parsed.positional.isEmpty else { throw UsageError(description: "missing FILE (see mapk inspect --help)") }
    if parsed.positional.contains("") { throw UsageError(description: "a file name is empty") }
    let threads = try ThreadsOption.value(parsed)
    for (i, path) in parsed.positional.enumerated() {
      if i > 0 { print("") }
      for line in try Inspection.describe(path: path, threads: threads) { print(line) }
    }
  }
}
