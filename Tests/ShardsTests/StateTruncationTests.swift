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
  static let child = ChildTest("ShardsTests.StateTruncationTests/testChildReadsATruncatedMapping",
                               variable: "MAPK_TRUNCATION_CHILD_DIR")

  func testSIGBUSFromATruncatedInputIsOneErrorLine() throws {
    let dir = try TemporaryDirectory("mapk-sigbus")
    defer { dir.remove() }
    try TruncatedInputs.write(in: dir, seed: 77)
    let child = try Self.child.run(directory: dir.path)
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
    guard let dir = Self.child.directory else {
      throw XCTSkip("runs only as a child process of testSIGBUSFromATruncatedInputIsOneErrorLine")
    }
    try TruncatedInputs.evaluateTruncated(in: dir) {}
  }
}
