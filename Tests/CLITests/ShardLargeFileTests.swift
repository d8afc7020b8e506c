import Foundation
import MAPKKernel
import TestSupport
import XCTest

/// Files over 4 GiB: 64-bit offsets end to end. The predictions are a sparse
/// file (holes read as zeros, so it costs no disk) of 4 GiB + 1 KiB whose
/// last rows hold real scores; `--shard` picks those rows, so the run reads
/// only them, past the 4 GiB mark, and must rank them exactly.
///
/// The whole-file run (reading all 4 GiB through the page cache) is in
/// `Scripts/large-file-test.sh`, which sets `MAPK_LARGE_FILE_FULL=1`.
final class ShardLargeFileTests: XCTestCase {
  static let classes = 256
  /// rows · classes · 4 = 4 GiB + 1 KiB of scores.
  static let rows = (1 << 30) / classes + 1
  /// `--shard 262143/262144` of 4,194,305 rows is rows 4,194,288..<4,194,305.
  static let shard = (index: 262_143, count: 262_144)
  static let realRows = 17

  struct LargeDump {
    let dir: TemporaryDirectory
    let predictions: String
    let labels: String
    /// AP@k of the real rows, from the plain reference, per k in `ks`.
    let realAP: [[Double]]
  }

  static let ks = [1, 5, 100]

  /// Sparse predictions `[rows, 256]` `<f4` and labels `[rows, 2]` `<i8`, all
  /// zeros (holes) but the last `realRows` rows.
  func makeLargeDump() throws -> LargeDump {
    let dir = try TemporaryDirectory("mapk-large")
    let predictions = dir.file("big.pred.npy"), labels = dir.file("big.labels.npy")
    var rng = SplitMix64(seed: 4096)
    var realScores: [Float] = [], realLabels: [Int64] = [], realAP: [[Double]] = []
    for _ in 0..<Self.realRows {
      let row = (0..<Self.classes).map { _ in Float(Int.random(in: 0..<64, using: &rng)) / 64 }
      let rowLabels = [Int64.random(in: 0..<Int64(Self.classes), using: &rng), Int64.random(in: -1..<8, using: &rng)]
      realScores += row
      realLabels += rowLabels
      realAP.append(Self.ks.map { k in
        ReferenceMAP.averagePrecision(scores: row.map(Double.init), labels: rowLabels.map(Int.init), k: k,
                                      semantics: .dense)
      })
    }
    try writeSparse(predictions, descr: "<f4", shape: [Self.rows, Self.classes], tail: NPYBytes.bytes(of: realScores))
    try writeSparse(labels, descr: "<i8", shape: [Self.rows, 2], tail: NPYBytes.bytes(of: realLabels))
    return LargeDump(dir: dir, predictions: predictions, labels: labels, realAP: realAP)
  }

  /// A `.npy` of `shape` whose data is a hole followed by `tail`.
  func writeSparse(_ path: String, descr: String, shape: [Int], tail: [UInt8]) throws {
    let header = NPYBytes.file(descr: descr, shape: shape, payload: [])
    let width = descr.hasSuffix("8") ? 8 : 4
    let size = UInt64(header.count + shape.reduce(1, *) * width)
    XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(header)))
    let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
    try handle.truncate(atOffset: size)  // ftruncate: the data is one hole
    try handle.seek(toOffset: size - UInt64(tail.count))
    try handle.write(contentsOf: Data(tail))
    try handle.close()
  }

  func testLastShardOfAFileOver4GiB() throws {
    let dump = try makeLargeDump()
    defer { dump.dir.remove() }
    let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: dump.predictions)[.size] as? Int)
    XCTAssertGreaterThan(size, 1 << 32)
    let state = dump.dir.file("last.json")
    let outcome = try ProcessRunner.mapk([
      "eval", "--predictions", dump.predictions, "--labels", dump.labels, "-k", "1,5,100", "--json",
      "--shard", "\(Self.shard.index)/\(Self.shard.count)", "--state", state,
    ])
    XCTAssertEqual(outcome.status, 0, outcome.stderr)
    let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
    XCTAssertEqual(json["rows"] as? Int, Self.realRows)
    let results = try XCTUnwrap(json["results"] as? [[String: Any]])
    for (j, k) in Self.ks.enumerated() {
      let expected = dump.realAP.map { $0[j] }.reduce(0, +) / Double(Self.realRows)
      let got = try XCTUnwrap(results[j]["map"] as? Double)
      XCTAssertEqual(got, expected, accuracy: 1e-12, "k = \(k)")
      XCTAssertEqual(results[j]["max"] as? Double, Double(Self.realRows))
    }
    let saved = try String(contentsOfFile: state, encoding: .utf8)
    XCTAssertTrue(saved.contains("\"lower\" : 4194288"), saved)
    XCTAssertTrue(saved.contains("\"size\" : \(size)"), saved)
  }

  /// Every row, all 4 GiB: run by Scripts/large-file-test.sh (too slow for every CI run).
  func testWholeFileOver4GiB() throws {
    guard ProcessInfo.processInfo.environment["MAPK_LARGE_FILE_FULL"] == "1" else {
      throw XCTSkip("reads 4 GiB: run Scripts/large-file-test.sh")
    }
    let dump = try makeLargeDump()
    defer { dump.dir.remove() }
    let start = Date()
    let outcome = try ProcessRunner.mapk(
      ["eval", "--predictions", dump.predictions, "--labels", dump.labels, "-k", "1,5,100", "--json"], timeout: 1800)
    XCTAssertEqual(outcome.status, 0, outcome.stderr)
    let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
    XCTAssertEqual(json["rows"] as? Int, Self.rows)
    let results = try XCTUnwrap(json["results"] as? [[String: Any]])
    for (j, k) in Self.ks.enumerated() {
      // A hole row: all scores 0 and labels [0, 0]; the tie order ranks class 0 first,
      // and the dense rules count both labels, so AP = 1 / min(2, k) at any k.
      let holeAP = 1 / Double(min(2, k))
      let total = Double(Self.rows - Self.realRows) * holeAP + dump.realAP.map { $0[j] }.reduce(0, +)
      let got = try XCTUnwrap(results[j]["map"] as? Double)
      XCTAssertEqual(got, total / Double(Self.rows), accuracy: 1e-12, "k = \(k)")
    }
    print("ShardLargeFileTests: whole 4 GiB file in \(Date().timeIntervalSince(start)) s: \(outcome.stdout)")
  }
}
