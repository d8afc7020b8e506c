import Foundation
import MAPKShards
import TestSupport
import XCTest

final class InspectTests: XCTestCase {
  /// Fails for each of `expected` that `output` does not contain.
  func assertLines(_ output: String, _ expected: [String], line: UInt = #line) {
    for e in expected where !output.contains(e) { XCTFail("missing \(e) in\n\(output)", line: line) }
  }

  func testPredictionsAndLabels() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    _ = try ProcessRunner.mapk(["generate", "--rows", "400", "--classes", "25", "--labels-per-row", "4", "--out", "d"],
                     in: dir.path)
    let r = try ProcessRunner.mapk(["inspect", "d.pred.npy", "d.labels.npy"], in: dir.path)
    XCTAssertEqual(r.status, 0, r.stderr)
    assertLines(r.stdout, [
      "d.pred.npy: .npy version 1.0, 40,128 bytes",
      "  dtype    <f4 (float32)",
      "  shape    [400, 25]  (10,000 elements, data at byte 128)",
      "  as predictions: 400 rows x 25 classes",
      "  NaN      0",
      "d.labels.npy: .npy version 1.0, 12,928 bytes",
      "  dtype    <i8 (int64)",
      "  as dense labels: 400 rows, up to 4 labels per row (-1 pads)",
      "  labels per row  min 1, max 4, mean ",
      "  rows without labels  0",
      "  label values  0 ... 24  (need classes > 24)",
    ])
  }

  func testEmptyRowsNaNAndOddEntriesAreCounted() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let labels = try NPYWriter(path: dir.file("l.npy"), type: .int32, shape: [4, 3])
    try labels.append(contentsOf: [Int32](arrayLiteral: 3, 7, -1, -1, -1, -1, 2, -5, 9, 1, 1, 1))
    try labels.finish()
    let scores = try NPYWriter(path: dir.file("s.npy"), type: .float64, shape: [2, 2])
    try scores.append(contentsOf: [0.5, .nan, -.infinity, -2])
    try scores.finish()
    let r = try ProcessRunner.mapk(["inspect", "l.npy", "s.npy"], in: dir.path)
    XCTAssertEqual(r.status, 0, r.stderr)
    assertLines(r.stdout, [
      "  labels per row  min 0, max 3, mean 1.75",
      "  rows without labels  1  (their AP is NaN, as in TensorFlow; see --empty-rows)",
      "  label values  1 ... 9  (need classes > 9)",
      "  negative entries other than -1  1 (ignored)",
      "  scores   min -2.0, max 0.5",
      "  NaN      1  (mapk eval needs --nan largest|lowest)",
      "  +-inf    1",
    ])
  }

  func testSparseLabels() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // Rows: {3, 3, 12}, {}, {-2, 0}: entries >= 0 per row 3, 0, 1.
    try Data("3 3,12\n\n-2\t0\n".utf8).write(to: URL(fileURLWithPath: dir.file("l.txt")))
    let r = try ProcessRunner.mapk(["inspect", "l.txt"], in: dir.path)
    XCTAssertEqual(r.status, 0, r.stderr)
    assertLines(r.stdout, [
      "l.txt: text labels, one line per row, 13 bytes",
      "  as sparse labels: 3 rows (TensorFlow SparseTensor rules)",
      "  labels per row  min 0, max 3, mean 1.33",
      "  rows without labels  1",
      "  label values  0 ... 12  (need classes > 12)",
    ])
    _ = try ProcessRunner.mapk(["generate", "--rows", "30", "--classes", "9", "--labels-per-row", "2",
                      "--labels-format", "csr", "--out", "g"], in: dir.path)
    let csr = try ProcessRunner.mapk(["inspect", "g.labels.npz"], in: dir.path)
    XCTAssertEqual(csr.status, 0, csr.stderr)
    assertLines(csr.stdout, ["scipy sparse matrix (.npz) labels", "  as sparse labels: 30 rows"])
    let bad = try ProcessRunner.mapk(["inspect", "g.pred.npy", "missing.txt"], in: dir.path)
    XCTAssertEqual(bad.status, 1)
    XCTAssertTrue(bad.stderr.hasPrefix("mapk: error: missing.txt: cannot open"), bad.stderr)
  }

  func testABadFileIsAOneLineError() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try Data("hello world, not numpy".utf8).write(to: URL(fileURLWithPath: dir.file("bad.npy")))
    let r = try ProcessRunner.mapk(["inspect", "bad.npy"], in: dir.path)
    XCTAssertEqual(r.status, 1)
    XCTAssertEqual(r.stderr, "mapk: error: bad.npy: not a .npy file (bad magic bytes)\n")
    let u = try ProcessRunner.mapk(["inspect", "x.csv"], in: dir.path)
    XCTAssertEqual(u.status, 1)
    XCTAssertTrue(u.stderr.contains("unknown extension"), u.stderr)
  }
}
