import Foundation
import MAPKShards
import MAPKTooling

/// `--output FILE` of `mapk eval` and `mapk merge`: the report (JSON or the
/// human lines) goes to FILE instead of stdout, atomically.
///
/// A shell redirect (`mapk merge ... > result.json`) creates the file before
/// mapk runs, so a merge that fails leaves an empty `result.json` that looks
/// like a result; an `AtomicOutputFile` appears whole after success, or not
/// at all (an earlier file of that name is then left as it was).
enum OutputOption {
  /// The flag.
  static let flag = "--output"
  /// The option, in the tables of `mapk eval` and `mapk merge`.
  static let option = Option(flag, value: "FILE",
                             help: "write the report (with --json, the JSON) to FILE instead of stdout,",
                             "atomically: whole on success, untouched on failure")

  /// The output file `parsed` asks for, created now (so that an unwritable
  /// path fails before the work), never over one of `inputs`.
  static func open(_ parsed: Arguments, protecting inputs: [String]) throws -> AtomicOutputFile? {
    guard let path = parsed[flag] else { return nil }
    if path.isEmpty { throw UsageError(description: "\(flag) needs a file name") }
    return try AtomicOutputFile(path: path, protecting: inputs)
  }
}

extension Report {
  /// Prints the report (``emit(json:)``), or, with `file`, writes the text
  /// stdout would have shown to it and commits it; warnings still go to stderr.
  func emit(json: Bool, to file: AtomicOutputFile?) throws {
    guard let file else { return emit(json: json) }
    let text = json ? self.json.text + "\n" : humanLines.map { $0 + "\n" }.joined()
    try file.write(Array(text.utf8))
    try file.commit()
    if !json {
      for warning in warnings { FileHandle.standardError.write(Data("mapk: warning: \(warning)\n".utf8)) }
    }
  }
}
