import Foundation
import MAPKShards
import TestSupport
import XCTest

/// A mapped input truncated by another process mid-run raises SIGBUS on the
/// next read of a lost page. With `reportTruncationAsError()` installed, that
/// is one `mapk: error:` line naming the file and exit status 1. The fault
/// has to happen in a process of its own: the test runs
/// `testChildReadsATruncatedMapping` in a child copy of this test executable.
final class StateTruncationTests: XCTestCase {
  static let childVariable = "MAPK_TRUNCATION_CHILD_DIR"

  func testSIGBUSFromATruncatedInputIsOneErrorLine() throws {
    let dir = try TemporaryDirectory("mapk-sigbus")
    defer { dir.remove() }
    // 1000 × 64 float32 scores: 256 KB, many pages past the first.
    var rng = SplitMix64(seed: 77)
    try NPYBytes.write((0..<64000).map { _ in Float.random(in: 0..<1, using: &rng) }, descr: "<f4", shape: [1000, 64],
                       to: dir.file("p.npy"))
    try NPYBytes.write((0..<1000).map { Int64($0 % 64) }, descr: "<i8", shape: [1000], to: dir.file("l.npy"))
    let child = try ProcessRunner.run(
      ProcessRunner.testExecutable, ["ShardsTests.StateTruncationTests/testChildReadsATruncatedMapping"],
      environment: [Self.childVariable: dir.path], timeout: 120)
    XCTAssertFalse(child.timedOut)
    XCTAssertFalse(child.signaled, "killed by signal \(child.status): \(child.stderr)")
    XCTAssertEqual(child.status, 1, child.stdout + child.stderr)
    XCTAssertEqual(child.stderrLines, [
      "mapk: error: \(dir.file("p.npy")): bus error (SIGBUS) reading the mapped file: it shrank while being read, "
        + "or the device failed; no result"
    ], child.stderr)
  }

  /// Only runs as the child of the test above: maps the inputs, truncates the
  /// predictions to one page behind the mapping's back, and evaluates.
  func testChildReadsATruncatedMapping() throws {
    guard let dir = ProcessInfo.processInfo.environment[Self.childVariable] else {
      throw XCTSkip("runs only as a child process of testSIGBUSFromATruncatedInputIsOneErrorLine")
    }
    let inputs = try EvaluationInputs(predictions: dir + "/p.npy", labels: dir + "/l.npy")
    inputs.reportTruncationAsError()
    XCTAssertEqual(truncate(dir + "/p.npy", 4096), 0)
    _ = try Evaluator(threads: 2).evaluate(
      scores: inputs.scores, labels: inputs.labels, configuration: try MAPConfiguration(ks: [5]))
    XCTFail("the evaluation read truncated pages without a SIGBUS")
  }
}
