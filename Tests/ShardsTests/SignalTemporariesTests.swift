import Foundation
import MAPKShards
import TestSupport
import XCTest

/// Output temporaries are removed on every exit a signal causes: a SIGBUS
/// from an input truncated while mapped (one error line, exit 1) and a
/// crash (a fault, a Swift trap, an abort), which then goes on as it would
/// have (the process ends by the signal). Each runs in a child copy of this
/// test executable, which opens an output (`AtomicOutputFile`, a temporary
/// beside it) and then faults.
final class SignalTemporariesTests: XCTestCase {
  static let directoryVariable = "MAPK_SIGNAL_CHILD_DIR"
  static let crashVariable = "MAPK_SIGNAL_CHILD_CRASH"
  static let truncatingChild = ChildTest("ShardsTests.SignalTemporariesTests/testChildTruncatesWithOutputsOpen",
                                         variable: directoryVariable)
  static let crashingChild = ChildTest("ShardsTests.SignalTemporariesTests/testChildCrashesWithOutputsOpen",
                                       variable: directoryVariable)

  /// The names in `dir`.
  func names(_ dir: TemporaryDirectory) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
  }

  func testSIGBUSFromATruncatedInputRemovesTheOutputTemporaries() throws {
    let dir = try TemporaryDirectory("mapk-sigbus-tmp")
    defer { dir.remove() }
    try TruncatedInputs.write(in: dir, seed: 78)
    let child = try Self.truncatingChild.run(directory: dir.path)
    XCTAssertFalse(child.timedOut)
    XCTAssertFalse(child.signaled, "killed by signal \(child.status): \(child.stderr)")
    XCTAssertEqual(child.status, 1, child.stdout + child.stderr)
    XCTAssertTrue(child.stderr.contains("bus error (SIGBUS)"), child.stderr)
    // The two temporaries existed (the child checked) and are gone; the inputs stay.
    XCTAssertEqual(try names(dir), ["l.npy", "p.npy"])
  }

  func testCrashesRemoveTheOutputTemporariesAndStillEndByTheSignal() throws {
    for (crash, signals) in [("segv", [SIGSEGV]), ("abort", [SIGABRT]), ("trap", [SIGILL, SIGTRAP]),
                             ("kill-segv", [SIGSEGV])] {
      let dir = try TemporaryDirectory("mapk-crash-tmp")
      defer { dir.remove() }
      let child = try Self.crashingChild.run(
        directory: dir.path,
        // Under ThreadSanitizer (CI's last step) its own SIGSEGV handler would end the child with
        // status 66 before ours runs: `handle_segv=0` leaves SIGSEGV to the process, as without it.
        environment: [Self.crashVariable: crash, "SWIFT_BACKTRACE": "enable=no", "TSAN_OPTIONS": "handle_segv=0"])
      XCTAssertFalse(child.timedOut, crash)
      XCTAssertTrue(child.signaled && signals.contains(child.status), "\(crash): status \(child.status) \(child.stderr)")
      XCTAssertEqual(try names(dir), ["ready"], "\(crash): \(child.stderr)")
    }
  }

  /// Opens two outputs in the directory, checks their temporaries exist.
  private func openOutputs(_ dir: String) throws -> [AtomicOutputFile] {
    let outputs = try ["ap.npy", "s.json"].map { try AtomicOutputFile(path: dir + "/" + $0) }
    for o in outputs {
      try o.write(Array(repeating: 7, count: 100_000))
      XCTAssertTrue(FileManager.default.fileExists(atPath: o.temporaryPath))
    }
    return outputs
  }

  /// Only as the child of the SIGBUS test: outputs open, the predictions
  /// truncated behind the mapping's back, then evaluated.
  func testChildTruncatesWithOutputsOpen() throws {
    guard let dir = Self.truncatingChild.directory, ProcessInfo.processInfo.environment[Self.crashVariable] == nil else {
      throw XCTSkip("runs only as a child process of testSIGBUSFromATruncatedInputRemovesTheOutputTemporaries")
    }
    try TruncatedInputs.evaluateTruncated(in: dir) {
      TemporaryFiles.removeAllOnTermination()
      return try openOutputs(dir)
    }
  }

  /// Only as the child of the crash test: outputs open, then the crash named by the environment.
  func testChildCrashesWithOutputsOpen() throws {
    guard let dir = Self.crashingChild.directory, let crash = ProcessInfo.processInfo.environment[Self.crashVariable]
    else {
      throw XCTSkip("runs only as a child process of testCrashesRemoveTheOutputTemporariesAndStillEndByTheSignal")
    }
    TemporaryFiles.removeAllOnTermination()
    let outputs = try openOutputs(dir)
    XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/ready", contents: nil))
    switch crash {
    case "segv": UnsafeMutablePointer<Int>(bitPattern: 16)?.pointee = 1  // a real fault: si_code > 0
    case "abort": abort()
    case "kill-segv": _ = kill(getpid(), SIGSEGV)  // sent, not faulted: raised again after the handler
    default: fatalError("a Swift trap, on purpose")
    }
    XCTFail("\(crash) did not end the process")
    withExtendedLifetime(outputs) {}
  }
}
