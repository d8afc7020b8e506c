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

// First, before anything can open a file or start a thread: a closed
// stdout must not become an output file's descriptor, and a signal must
// find the output temporaries it is to remove.
let stdoutWasClosed = System.openStandardDescriptors()
TemporaryFiles.removeAllOnTermination()

let argv = System.commandLineArguments  // the bytes given: file names need not be UTF-8
let rest = argv.dropFirst(2)
do {
  switch argv.count > 1 ? argv[1] : nil {
  case nil:
    // No subcommand is a usage error like any other: the usage on stderr, exit 2.
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
  case "--help", "-h": print(usage)
  case "help":
    // `mapk help eval` is `mapk eval --help`.
    if let name = rest.first {
      guard let entry = Subcommands.named(name) else { throw Subcommands.unknown(name) }
      if let extra = rest.dropFirst().first { throw UsageError(description: "unexpected argument '\(extra)'") }
      print(entry.command.help)
    } else {
      print(usage)
    }
  case "--version": print("mapk \(version)")
  case let name? where Subcommands.named(name) != nil: try Subcommands.named(name)!.run(rest)
  case let other?: throw Subcommands.unknown(other)
  }
  // What print wrote is in a buffer until now: a full disk or a closed
  // stdout must end in an error, not exit 0 with the result lost.
  try System.flushStandardOutput(closed: stdoutWasClosed)
} catch let e as UsageError {
  fail(e.description, code: 2)
} catch let e as FileError {
  fail(ErrorHints.message(e), code: 1)
} catch let e as MAPKError {
  fail(ErrorHints.message(e), code: 1)
} catch {
  fail("\(error)", code: 1)
}
