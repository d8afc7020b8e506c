import MAPKShards
import MAPKTooling

/// The checks every output of one run passes before anything is computed:
/// the file type its name says, a destination that may be replaced, and no
/// two outputs (or an output and an input) naming one file.
enum OutputPaths {
  /// The file name endings an output option's format has, by option; an
  /// option not listed (`--state`, `--output`) takes any name. A format an
  /// option learns to write is one more ending here.
  static let endings: [String: [String]] = [
    "--per-row": [".npy", ".tsv"],
    "--plot": [".svg"],
  ]

  /// Checks `outputs` (each with the option that named it) against each
  /// other and against `inputs`.
  ///
  /// - Throws: ``UsageError`` for a name whose ending is not its option's
  ///   format (`--plot out.png` would be SVG bytes in a `.png`), or two
  ///   outputs that are one file (`a.npy` and `./a.npy`: the second rename
  ///   would replace the first output while the report named both);
  ///   ``FileError`` for a destination ``AtomicOutputFile`` refuses (not a
  ///   regular file, or an input).
  static func check(_ outputs: [(option: String, path: String)], inputs: [String]) throws {
    for (option, path) in outputs {
      if let allowed = endings[option], !allowed.contains(where: { path.lowercased().hasSuffix($0) }) {
        throw UsageError(description: "\(option) writes \(allowed.joined(separator: " or ")) files: "
                         + "'\(path)' has another ending")
      }
      try AtomicOutputFile.checkDestination(path, protecting: inputs)
    }
    let destinations = outputs.map { AtomicOutputFile.destination(of: $0.path) }
    for i in outputs.indices {
      for j in outputs.indices where j > i {
        guard let a = destinations[i], a == destinations[j] else { continue }
        let same = outputs[i].path == outputs[j].path
          ? "'\(outputs[i].path)'" : "'\(outputs[i].path)' and '\(outputs[j].path)'"
        throw UsageError(description: "\(outputs[i].option) and \(outputs[j].option) name the same file (\(same))")
      }
    }
  }

  /// The outputs `parsed` names among `options`, in that order.
  static func given(_ parsed: Arguments, _ options: [String]) -> [(option: String, path: String)] {
    options.compactMap { o in parsed[o].map { (o, $0) } }
  }
}
