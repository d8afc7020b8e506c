import Foundation

/// How a child process ended, and what it printed.
public struct ProcessOutcome: Sendable {
  /// The exit status, or the signal number if it was killed by one.
  public let status: Int32
  /// True if it ended by a signal (a crash), not by `exit`.
  public let signaled: Bool
  /// True if it outlived its timeout and was killed.
  public let timedOut: Bool
  /// Its standard output.
  public let stdout: String
  /// Its standard error.
  public let stderr: String

  /// The lines of standard error (without the last newline's empty line).
  public var stderrLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
}

/// Runs executables for end-to-end tests, with a timeout so that a hang is
/// a failure, not a stuck test run.
public enum ProcessRunner {
  /// The `mapk` binary, or nil if none is found: `$MAPK_BINARY` if set;
  /// else `mapk` next to the test product (the same build directory,
  /// whatever the configuration or `--scratch-path`); else
  /// `.build/debug/mapk` under the package root found from this file.
  public static let mapkBinary: URL? = {
    var candidates: [String] = []
    if let env = ProcessInfo.processInfo.environment["MAPK_BINARY"] { candidates.append(env) }
    var executables = [URL(fileURLWithPath: CommandLine.arguments[0])]
    executables += (Bundle.allBundles + [Bundle.main]).map(\.bundleURL)
    for product in executables {
      var dir = product
      for _ in 0..<3 {  // the .xctest may be a directory bundle (macOS) or a file (Linux)
        dir.deleteLastPathComponent()
        candidates.append(dir.appendingPathComponent("mapk").path)
      }
    }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    candidates.append(root.appendingPathComponent(".build/debug/mapk").path)
    return candidates.first { path in
      var isDirectory: ObjCBool = false
      return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        && FileManager.default.isExecutableFile(atPath: path)
    }.map { URL(fileURLWithPath: $0) }
  }()

  /// ``mapkBinary``, or where it should be (so that running it fails with a clear error).
  public static var mapkExecutable: URL {
    mapkBinary ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mapk")
  }

  /// Why ``mapk(_:in:environment:timeout:)`` could not give an outcome.
  public enum Failure: Error, CustomStringConvertible {
    /// No `mapk` binary was found.
    case noBinary
    /// The run outlived its timeout and was killed.
    case timedOut([String])

    public var description: String {
      switch self {
      case .noBinary: return "the mapk binary was not found (build it, or set MAPK_BINARY)"
      case .timedOut(let arguments): return "mapk \(arguments) timed out"
      }
    }
  }

  /// The running test executable itself (to run one of its tests in a child process).
  public static var testExecutable: URL { URL(fileURLWithPath: CommandLine.arguments[0]) }

  /// Starts `executable` with `arguments`; stdout and stderr go to files so
  /// that large outputs never block the child.
  public static func start(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                           directory: URL? = nil) throws -> Running {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mapk-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    let out = scratch.appendingPathComponent("stdout"), err = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    if let directory { process.currentDirectoryURL = directory }
    process.standardInput = FileHandle.nullDevice
    let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
    // The child has its own copies once started; closing ours keeps hundreds of runs within the fd limit.
    defer {
      try? outHandle.close()
      try? errHandle.close()
    }
    process.standardOutput = outHandle
    process.standardError = errHandle
    let done = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in done.signal() }
    try process.run()
    return Running(process: process, done: done, scratch: scratch)
  }

  /// A started child.
  public final class Running: @unchecked Sendable {
    // Sendable: used from the test's thread only; `done` is thread-safe.
    let process: Process
    let done: DispatchSemaphore
    let scratch: URL

    init(process: Process, done: DispatchSemaphore, scratch: URL) {
      self.process = process
      self.done = done
      self.scratch = scratch
    }

    /// Sends the child the signal `number` (SIGTERM, SIGINT...).
    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the end (killing the child after `timeout` seconds) and collects its output.
    public func wait(timeout: Double = 120) -> ProcessOutcome {
      var timedOut = false
      if done.wait(timeout: .now() + timeout) == .timedOut {
        timedOut = true
        kill(process.processIdentifier, SIGKILL)
        done.wait()
      }
      let out = (try? String(contentsOf: scratch.appendingPathComponent("stdout"), encoding: .utf8)) ?? ""
      let err = (try? String(contentsOf: scratch.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
      try? FileManager.default.removeItem(at: scratch)
      return ProcessOutcome(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                            timedOut: timedOut, stdout: out, stderr: err)
    }
  }

  /// Runs `executable` to its end (or its timeout).
  public static func run(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                         timeout: Double = 120) throws -> ProcessOutcome {
    try start(executable, arguments, environment: environment).wait(timeout: timeout)
  }

  /// Runs the built `mapk` with `arguments` in `directory`, as a user would:
  /// the one way the tests run the binary.
  /// - Throws: ``Failure`` if there is no binary or the run timed out.
  public static func mapk(_ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil,
                          timeout: Double = 120) throws -> ProcessOutcome {
    guard let binary = mapkBinary else { throw Failure.noBinary }
    let outcome = try start(binary, arguments, environment: environment,
                            directory: directory.map { URL(fileURLWithPath: $0) }).wait(timeout: timeout)
    if outcome.timedOut { throw Failure.timedOut(arguments) }
    return outcome
  }

  /// Runs `script` with `sh -c` in `directory`, `$MAPK` the built binary (for
  /// pipes and FIFOs fed by another process, as a user's shell makes them).
  /// - Throws: ``Failure`` if there is no binary.
  public static func shell(_ script: String, in directory: String) throws -> ProcessOutcome {
    guard let binary = mapkBinary else { throw Failure.noBinary }
    return try run(URL(fileURLWithPath: "/bin/sh"), ["-c", "cd '\(directory)' && " + script],
                   environment: ["MAPK": binary.path])
  }

  /// `mapk eval`'s report without its timing line (threads, seconds and speed
  /// differ run to run).
  public static func results(_ out: String) -> String {
    out.split(separator: "\n").filter { !$0.hasPrefix("(") }.joined(separator: "\n")
  }
}

/// Runs `python3 -c script arguments...` (through ``ProcessRunner``, so a
/// hang ends at `timeout`); nil when there is no python3, or when the script
/// exits with code 3 (its way to say "a module I need is missing: skip").
/// The output is its standard output, then its standard error.
public func runPython(_ script: String, arguments: [String] = [], timeout: Double = 300) throws
  -> (status: Int32, output: String)?
{
  let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
    + ["/usr/bin/python3", "/usr/local/bin/python3"]
  guard let python = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
  let outcome = try ProcessRunner.run(URL(fileURLWithPath: python), ["-c", script] + arguments, timeout: timeout)
  if outcome.status == 3 && !outcome.signaled { return nil }
  return (outcome.status, outcome.stdout + outcome.stderr + (outcome.timedOut ? "\n(timed out after \(timeout) s)" : ""))
}
