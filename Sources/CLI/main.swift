import Foundation
import MAPKShards
import MAPKTooling

/// mapk's entry point: dispatch to a subcommand and turn errors into one
/// line on stderr and an exit code (1: bad input or runtime error, 2: usage).
let version = "0.1.0"

let usage = """
  USAGE: mapk <subcommand> [options]

  Mean average precision at k, exactly as TensorFlow's
  tf.compat.v1.metrics.average_precision_at_k, over memory-mapped dumps.

  SUBCOMMANDS:
  \(Subcommands.list)

  EXAMPLES:
    mapk generate --rows 100000 --classes 1000 --labels-per-row 5 --out demo
    mapk eval --predictions demo.pred.npy --labels demo.labels.npy -k 1-20 --plot demo.svg
    mapk inspect demo.labels.npy

  Run 'mapk <subcommand> --help' for its options. 'mapk --version' prints the version.
  """

func fail(_ message: String, code: Int32) -> Never {
  FileHandle.standardError.write(Data("mapk: error: \(FileError.oneLine(message))\n".utf8))
  exit(code)
}

let argv = CommandLine.arguments
let rest = argv.dropFirst(2)
do {
  switch argv.count > 1 ? argv[1] : "--help" {
  case "--help", "-h", "help": print(usage)
  case "--version": print("mapk \(version)")
  case let name where Subcommands.named(name) != nil: try Subcommands.named(name)!.run(rest)
  case let other:
    let hint = Arguments.closest(to: other, in: Set(Subcommands.all.map(\.command.name))).map { " (did you mean \($0)?)" } ?? ""
    throw UsageError(description: "unknown subcommand '\(other)'\(hint); see mapk --help")
  }
} catch let e as UsageError {
  fail(e.description, code: 2)
} catch let e as FileError {
  fail(ErrorHints.message(e), code: 1)
} catch let e as MAPKError {
  fail(ErrorHints.message(e), code: 1)
} catch {
  fail("\(error)", code: 1)
}
