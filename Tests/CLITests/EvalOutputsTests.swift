import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import MAPKShards
import TestSupport
import XCTest

/// `mapk generate` then `mapk eval` with many k, `--per-row` and `--plot`,
/// checked against an independent computation.
final class EvalOutputsTests: XCTestCase {
  /// Rows of a .npy as doubles (any dtype mapk reads).
  func rows(_ path: String) throws -> (shape: [Int], values: [[Double]]) {
    let a = try NPYArray(path: path)
    let width = a.shape.count >= 2 ? a.shape[a.shape.count - 1] : 1
    let count = a.header.count
    var flat: [Double] = []
    for i in 0..<count {
      switch a.type {
      case .float16, .bfloat16: flat.append(Double(a.data.load(fromByteOffset: 2 * i, as: UInt16.self)))  // only used for labels
      case .float32: flat.append(Double(a.data.load(fromByteOffset: 4 * i, as: Float.self)))
      case .float64: flat.append(a.data.load(fromByteOffset: 8 * i, as: Double.self))
      case .int32: flat.append(Double(a.data.load(fromByteOffset: 4 * i, as: Int32.self)))
      case .int64: flat.append(Double(a.data.load(fromByteOffset: 8 * i, as: Int64.self)))
      case .bool, .uint8: flat.append(Double(a.data.load(fromByteOffset: i, as: UInt8.self)))
      case .uint16: flat.append(Double(a.data.load(fromByteOffset: 2 * i, as: UInt16.self)))
      case .uint32: flat.append(Double(a.data.load(fromByteOffset: 4 * i, as: UInt32.self)))
      case .uint64: flat.append(Double(a.data.load(fromByteOffset: 8 * i, as: UInt64.self)))
      }
    }
    let n = width == 0 ? 0 : count / width
    return (a.shape, (0..<n).map { Array(flat[($0 * width)..<(($0 + 1) * width)]) })
  }

  func testPerRowValuesAndMAPMatchAPlainReference() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try ProcessRunner.mapk(["generate", "--rows", "300", "--classes", "40", "--labels-per-row", "4", "--seed", "5",
                          "--out", "d"], in: dir.path)
    XCTAssertEqual(g.status, 0, g.stderr)
    XCTAssertTrue(g.stdout.hasPrefix("wrote d.pred.npy (float32 [300, 40])\nwrote d.labels.npy (dense labels, "
                                     + "1 to 4 per row, seed 5, "), g.stdout)
    let r = try ProcessRunner.mapk(["eval", "--predictions", "d.pred.npy", "--labels", "d.labels.npy", "-k", "10,1-3", "--per-row", "ap.npy", "--plot", "map.svg"],
                         in: dir.path)
    XCTAssertEqual(r.status, 0, r.stderr)
    let lines = r.stdout.split(separator: "\n").map(String.init)
    guard lines.count == 4 + 1 + 2 else { return XCTFail(r.stdout) }
    XCTAssertTrue(lines[3].hasPrefix("MAP@10 = "), r.stdout)
    XCTAssertEqual(lines[5], "wrote per-row AP (float64, shape [300, 4]) to ap.npy")
    XCTAssertEqual(lines[6], "wrote the plot to map.svg")

    let scores = try rows(dir.file("d.pred.npy")), labels = try rows(dir.file("d.labels.npy"))
    let perRow = try rows(dir.file("ap.npy"))
    XCTAssertEqual(perRow.shape, [300, 4])
    XCTAssertEqual(try NPYArray(path: dir.file("ap.npy")).type, .float64)
    let ks = [1, 2, 3, 10]
    var sums = [Double](repeating: 0, count: 4)
    for row in 0..<300 {
      let l = labels.values[row].map(Int.init)
      for (j, k) in ks.enumerated() {
        let expected = ReferenceMAP.averagePrecision(scores: scores.values[row], labels: l, k: k, semantics: .dense)
        XCTAssertEqual(perRow.values[row][j], expected, accuracy: 1e-15, "row \(row) k \(k)")
        sums[j] += expected
      }
    }
    for (j, k) in ks.enumerated() {
      let value = Double(lines[j].split(separator: "=")[1].trimmingCharacters(in: .whitespaces))!
      XCTAssertEqual(value, sums[j] / 300, accuracy: 1e-12, "k \(k)")
    }
    XCTAssertFalse(try dir.contents().contains { $0.hasSuffix(".tmp") })

    // The plot: well-formed, titled, with both charts.
    let svg = try String(contentsOfFile: dir.file("map.svg"), encoding: .utf8)
    XCTAssertTrue(XMLParser(data: Data(svg.utf8)).parse())
    for text in ["mapk eval: d.pred.npy", "MAP@k against k", "Per-row AP@10", ">k<", ">rows<"] {
      XCTAssertTrue(svg.contains(text), text)
    }
  }

  func testJSONNamesTheFilesWritten() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    _ = try ProcessRunner.mapk(["generate", "--rows", "50", "--classes", "8", "--labels-per-row", "2", "--out", "d"],
                     in: dir.path)
    let r = try ProcessRunner.mapk(["eval", "--predictions", "d.pred.npy", "--labels", "d.labels.npy", "-k", "1-3", "--json",
                          "--per-row", "ap.npy", "--plot", "p.svg"], in: dir.path)
    XCTAssertEqual(r.status, 0, r.stderr)
    let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    XCTAssertEqual(object?["per_row"] as? String, "ap.npy")
    XCTAssertEqual(object?["plot"] as? String, "p.svg")
    XCTAssertEqual((object?["results"] as? [Any])?.count, 3)
  }

  /// A rank-3 dump written by hand: predictions [2, 3, 6], labels [2, 3, 2]
  /// with row (1, 2) empty.
  func writeRank3(_ dir: TemporaryDirectory) throws {
    let p = try NPYWriter(path: dir.file("p.npy"), type: .float64, shape: [2, 3, 6])
    try p.append(contentsOf: (0..<36).map { Double(($0 * 7) % 11) })
    try p.finish()
    let l = try NPYWriter(path: dir.file("l.npy"), type: .int32, shape: [2, 3, 2])
    try l.append(contentsOf: [Int32](arrayLiteral: 0, 1, 2, -1, 5, 5, 3, 4, 1, -1, -1, -1))
    try l.finish()
  }

  func testPerRowShapeFollowsTheRowsAndNaNMarksEmptyRows() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try writeRank3(dir)
    let base = ["eval", "--predictions", "p.npy", "--labels", "l.npy"]
    let one = try ProcessRunner.mapk(base + ["-k", "2", "--per-row", "one.npy", "--empty-rows", "skip"], in: dir.path)
    XCTAssertEqual(one.status, 0, one.stderr)
    let oneRows = try rows(dir.file("one.npy"))
    XCTAssertEqual(oneRows.shape, [2, 3])
    let flat = oneRows.values.flatMap { $0 }  // row-major [2, 3]: row (1, 2) is the last
    XCTAssertEqual(flat.count, 6)
    XCTAssertTrue(flat.last?.isNaN == true)
    XCTAssertEqual(flat.filter { $0.isNaN }.count, 1)

    let nan = try ProcessRunner.mapk(base + ["-k", "1,3", "--per-row", "two.npy"], in: dir.path)
    XCTAssertEqual(nan.status, 0, nan.stderr)
    XCTAssertTrue(nan.stderr.contains("1 of 6 rows have no labels"), nan.stderr)
    let twoRows = try rows(dir.file("two.npy"))
    XCTAssertEqual(twoRows.shape, [2, 3, 2])
    XCTAssertTrue(twoRows.values[5].allSatisfy(\.isNaN))

    let zero = try ProcessRunner.mapk(base + ["-k", "1,3", "--per-row", "zero.npy", "--empty-rows", "zero"], in: dir.path)
    XCTAssertEqual(zero.status, 0, zero.stderr)
    XCTAssertEqual(try rows(dir.file("zero.npy")).values[5], [0, 0])

    // Row (0, 0): scores 0 7 3 10 6 2, labels {0, 1}: the top 3 is 3, 1, 4, so class 1 at rank 2:
    // AP@1 = 0, AP@3 = (1/2) / min(2, 3) = 0.25.
    // Row (0, 1): scores 9 5 1 8 4 0, labels {2}: rank 5, outside the top 3.
    // Row (0, 2): scores 7 3 10 6 2 9, labels {5, 5} (dense: n = 2): class 5 is rank 2:
    // AP@1 = 0, AP@3 = (1/2) / min(2, 3) = 0.25.
    XCTAssertEqual(twoRows.values[0], [0, 0.25])
    XCTAssertEqual(twoRows.values[1], [0, 0])
    XCTAssertEqual(twoRows.values[2], [0, 0.25])
  }

  func testOutputsNeverReplaceInputsOrAppearHalfWritten() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try writeRank3(dir)
    let before = try Data(contentsOf: URL(fileURLWithPath: dir.file("p.npy")))
    let base = ["eval", "--predictions", "p.npy", "--labels", "l.npy", "-k", "2"]
    let same = try ProcessRunner.mapk(base + ["--per-row", "p.npy"], in: dir.path)
    XCTAssertEqual(same.status, 1)
    XCTAssertEqual(same.stderr, "mapk: error: p.npy: is also an input (p.npy); refusing to overwrite it\n")
    XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir.file("p.npy"))), before)

    let missing = try ProcessRunner.mapk(base + ["--plot", "no/such/dir/p.svg"], in: dir.path)
    XCTAssertEqual(missing.status, 1)
    XCTAssertTrue(missing.stderr.hasPrefix("mapk: error: no/such/dir/p.svg: cannot create: No such file"),
                  missing.stderr)

    let twice = try ProcessRunner.mapk(base + ["--plot", "x", "--per-row", "x"], in: dir.path)
    XCTAssertEqual(twice.status, 2)

    // A NaN score stops the run: no per-row file, no plot, no temporary file.
    let nanScores = try NPYWriter(path: dir.file("nan.npy"), type: .float64, shape: [2, 3, 6])
    try nanScores.append(contentsOf: (0..<36).map { $0 == 20 ? Double.nan : Double($0) })
    try nanScores.finish()
    let failed = try ProcessRunner.mapk(["eval", "--predictions", "nan.npy", "--labels", "l.npy", "-k", "2", "--per-row",
                               "ap.npy", "--plot", "ap.svg"], in: dir.path)
    XCTAssertEqual(failed.status, 1)
    XCTAssertEqual(failed.stderr, "mapk: error: nan.npy: NaN score at row 3, class 2 "
                   + "(use --nan largest|lowest to rank NaN instead)\n")
    XCTAssertEqual(try dir.contents(), ["l.npy", "nan.npy", "p.npy"])
  }

  func testTheSameSeedGivesTheSameFiles() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    for (name, threads) in [("a", "1"), ("b", "2")] {
      let r = try ProcessRunner.mapk(["generate", "--rows", "500", "--classes", "30", "--labels-per-row", "3", "--seed", "11",
                            "--dtype", "f16", "--labels-format", "text", "--threads", threads, "--out", name],
                           in: dir.path)
      XCTAssertEqual(r.status, 0, r.stderr)
    }
    for suffix in [".pred.npy", ".labels.txt"] {
      XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir.file("a" + suffix))),
                     try Data(contentsOf: URL(fileURLWithPath: dir.file("b" + suffix))), suffix)
    }
    XCTAssertEqual(try NPYArray(path: dir.file("a.pred.npy")).type, .float16)
  }
}
