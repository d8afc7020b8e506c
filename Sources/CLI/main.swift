import Foundation
import MAPKShards

/// mapk's entry point: dispatch to a subcommand and turn errors into one
/// line on stderr and an exit code (1: bad input or runtime error, 2: usage).
let version = "0.1.0"

let usage = """
  USAGE: mapk <subcommand> [options]

  Mean average precision at k, exactly as TensorFlow's
  tf.compat.v1.metrics.average_precision_at_k, over memory-mapped dumps.

  SUBCOMMANDS:
    eval        MAP@k of a predictions dump against its labels
    merge       merge the states of 'eval --shard I/N --state FILE' runs exactly
    generate    write a realistic synthetic dump to try mapk on
    inspect     show what a .npy / .txt / .npz file holds

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
  case "eval": try EvalCommand.run(rest)
  case "merge": try MergeCommand.run(rest)
  case "generate": try GenerateCommand.run(rest)
  case "inspect": try InspectCommand.run(rest)
  case let other:
    let hint = Arguments.closest(to: other, in: ["eval", "merge", "generate", "inspect"]).map { " (did you mean \($0)?)" } ?? ""
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
