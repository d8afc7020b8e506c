import Foundation
@testable import MAPKShards
import TestSupport
import XCTest

/// Output temporaries are removed when a SIGBUS (an input truncated while
/// mapped) ends the run, and file names are carried as their bytes.
final class OutputTemporaryTests: XCTestCase {
  static let child = ChildTest("ShardsTests.OutputTemporaryTests/testChildFaultsWithAnOutputOpen",
                               variable: "MAPK_OUTPUT_TEMPORARY_CHILD_DIR")

  func testSIGBUSRemovesTheOutputTemporaries() throws {
    let dir = try TemporaryDirectory("mapk-sigbus-tmp")
    defer { dir.remove() }
    try TruncatedInputs.write(in: dir, seed: 78)
    let child = try Self.child.run(directory: dir.path)
    XCTAssertFalse(child.signaled, "killed by signal \(child.status): \(child.stderr)")
    XCTAssertEqual(child.status, 1, child.stdout + child.stderr)
    XCTAssertTrue(child.stderr.contains("bus error (SIGBUS)"), child.stderr)
    XCTAssertEqual(try dir.contents(), ["l.npy", "p.npy"], "the temporaries are gone")
  }

  /// Only runs as the child of the test above: opens two outputs, then faults.
  func testChildFaultsWithAnOutputOpen() throws {
    guard let dir = Self.child.directory else {
      throw XCTSkip("runs only as a child process of testSIGBUSRemovesTheOutputTemporaries")
    }
    try TruncatedInputs.evaluateTruncated(in: dir) {
      let a = try AtomicOutputFile(path: dir + "/a.npy")
      let b = try AtomicOutputFile(path: dir + "/b\u{10FFE9}.json")  // a name that is not UTF-8
      try a.write([1, 2, 3])
      XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tmp") }.count, 2)
      return (a, b)
    }
  }

  func testPathBytesAreABijection() {
    let samples: [[UInt8]] = [
      Array("plain.npy".utf8), [0x70, 0xE9, 0x2E], [0xFF, 0xFE, 0x80], Array("é ü 日本".utf8),
      [0xF4, 0x8F, 0xBF, 0xA9],  // U+10FFE9 itself, valid UTF-8: carried as its four bytes
      [0xED, 0xA0, 0x80],  // an encoded surrogate: not UTF-8
      [0xC0, 0xAF],  // an overlong "/": not UTF-8
      [0xE2, 0x82],  // cut short
    ]
    for bytes in samples {
      let s = PathBytes.string(bytes)
      XCTAssertEqual(PathBytes.bytes(s), bytes, "\(bytes)")
      XCTAssertEqual(PathBytes.string(PathBytes.bytes(s)), s)
    }
    XCTAssertEqual(PathBytes.string(Array("é".utf8)), "é")
    XCTAssertEqual(FileError.oneLine(PathBytes.string([0x70, 0xE9])), "p\\xE9")
    var rng = SplitMix64(seed: 10)
    for _ in 0..<2000 {
      let bytes = (0..<Int.random(in: 0..<12, using: &rng)).map { _ in UInt8.random(in: 1...255, using: &rng) }
      XCTAssertEqual(PathBytes.bytes(PathBytes.string(bytes)), bytes, "\(bytes)")
    }
  }

  func testDestinationsCompareByFileNotBySpelling() throws {
    let dir = try TemporaryDirectory("mapk-dest")
    defer { dir.remove() }
    try FileManager.default.createDirectory(atPath: dir.file("d"), withIntermediateDirectories: false)
    let new = AtomicOutputFile.destination(of: dir.file("x.npy"))
    XCTAssertNotNil(new)
    XCTAssertEqual(new, AtomicOutputFile.destination(of: dir.file("d/../x.npy")))
    XCTAssertNotEqual(new, AtomicOutputFile.destination(of: dir.file("y.npy")))
    try Data().write(to: URL(fileURLWithPath: dir.file("e")))
    try FileManager.default.linkItem(atPath: dir.file("e"), toPath: dir.file("f"))
    XCTAssertEqual(AtomicOutputFile.destination(of: dir.file("e")), AtomicOutputFile.destination(of: dir.file("./f")))
    XCTAssertNil(AtomicOutputFile.destination(of: dir.file("nowhere/x")))
  }
}
