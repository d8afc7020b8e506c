import Foundation
import MAPKShards
import TestSupport
import XCTest

/// The library side of shards: row ranges, the state file's JSON round trip
/// and strict reading, merging, and the size check after a run.
final class StateFileTests: XCTestCase {
  func testShardRangesPartitionTheRows() {
    // By hand: 10 rows in 3 shards.
    let ten = (0..<3).map { StateFile.Shard(index: $0, count: 3)!.rows(of: 10) }
    XCTAssertEqual(ten, [0..<3, 3..<6, 6..<10])
    XCTAssertEqual(StateFile.Shard(index: 4, count: 7)!.rows(of: 5), 2..<3)
    XCTAssertEqual(StateFile.Shard(index: 0, count: 7)!.rows(of: 5), 0..<0)
    withEvery(seed: 1...200) { seed, rng in
      let total = seed.isMultiple(of: 10) ? Int.random(in: (Int.max / 2)...Int.max, using: &rng)
        : Int.random(in: 0...100_000, using: &rng)
      let n = Int.random(in: 1...50, using: &rng)
      var next = 0
      for i in 0..<n {
        let r = StateFile.Shard(index: i, count: n)!.rows(of: total)
        XCTAssertEqual(r.lowerBound, next, "seed \(seed)")
        // Equal parts: every size is floor(R/N) or that plus one.
        XCTAssertTrue(r.count == total / n || r.count == total / n + 1, "seed \(seed): \(r) of \(total)/\(n)")
        next = r.upperBound
      }
      XCTAssertEqual(next, total, "seed \(seed)")
    }
    for bad in [(3, 3), (-1, 3), (0, 0)] { XCTAssertNil(StateFile.Shard(index: bad.0, count: bad.1)) }
    XCTAssertEqual(StateFile.Shard(parsing: "2/5"), StateFile.Shard(index: 2, count: 5))
    for bad in ["", "/", "1/", "/2", "2/2", "1/2/3", "a/2", " 1/2", "1/٢"] { XCTAssertNil(StateFile.Shard(parsing: bad), bad) }
  }

  /// A small dump on disk with weights; returns the directory and the opened inputs.
  func makeInputs(rows: Int, classes: Int, seed: UInt64) throws -> (TemporaryDirectory, EvaluationInputs) {
    var rng = SplitMix64(seed: seed)
    let dir = try TemporaryDirectory("mapk-statefile")
    let scores = (0..<(rows * classes)).map { _ in Float(Int.random(in: 0..<5, using: &rng)) }
    let labels = (0..<(rows * 2)).map { _ in Int64.random(in: -1..<Int64(classes), using: &rng) }
    let weights = (0..<rows).map { _ in Double.random(in: 0..<3, using: &rng) }
    try NPYBytes.write(scores, descr: "<f4", shape: [rows, classes], to: dir.file("p.npy"))
    try NPYBytes.write(labels, descr: "<i8", shape: [rows, 2], to: dir.file("l.npy"))
    try NPYBytes.write(weights, descr: "<f8", shape: [rows], to: dir.file("w.npy"))
    let inputs = try EvaluationInputs(predictions: dir.file("p.npy"), labels: dir.file("l.npy"),
                                      weights: dir.file("w.npy"))
    return (dir, inputs)
  }

  func testShardsRoundTripAndMergeToTheWholeRun() throws {
    let (dir, inputs) = try makeInputs(rows: 257, classes: 9, seed: 5)
    defer { dir.remove() }
    let configuration = try MAPConfiguration(ks: [1, 4, 9], emptyRows: .zero)
    let whole = try StateFile(evaluating: inputs, configuration: configuration, evaluator: Evaluator(threads: 3))
    XCTAssertEqual(whole.rows, 0..<257)
    for n in [1, 2, 5, 300] {
      var parts: [(path: String, state: StateFile)] = []
      for i in 0..<n {
        let shard = StateFile.Shard(index: i, count: n)!
        let state = try StateFile(evaluating: inputs, configuration: configuration, shard: shard,
                                  evaluator: Evaluator(threads: 1 + i % 3))
        let path = dir.file("s\(i).json")
        try state.write(to: path)
        let back = try StateFile(contentsOf: path)
        XCTAssertEqual(back, state, "N=\(n) shard \(i)")
        XCTAssertEqual(back.encoded(), state.encoded(), "N=\(n) shard \(i)")
        parts.append((path, back))
      }
      let merged = try StateFile.merge(parts.reversed())
      XCTAssertEqual(merged.state, whole.state, "N=\(n)")
      XCTAssertEqual(merged.state.values.map(\.bitPattern), whole.state.values.map(\.bitPattern), "N=\(n)")
      XCTAssertEqual(merged.rows, 0..<257)
      XCTAssertNil(merged.shard)
    }
    // No temporary files are left behind by the atomic writes.
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }
    XCTAssertEqual(leftovers, [])
  }

  func testPartialMergeNeedsOneContiguousRange() throws {
    let (dir, inputs) = try makeInputs(rows: 40, classes: 5, seed: 6)
    defer { dir.remove() }
    let configuration = try MAPConfiguration(ks: [2])
    let parts = try (0..<4).map { i in
      ("s\(i)", try StateFile(evaluating: inputs, configuration: configuration,
                               shard: StateFile.Shard(index: i, count: 4)))
    }
    let middle = try StateFile.merge([parts[1], parts[2]], requireAllRows: false)
    XCTAssertEqual(middle.rows, 10..<30)
    XCTAssertEqual(middle.state.rows, 20)
    XCTAssertThrowsError(try StateFile.merge([parts[1], parts[2]])) { error in
      XCTAssertEqual("\(error)", "cannot merge: 20 of 40 rows are not covered: rows 0..<10, 30..<40 (missing shards 0/4, 3/4)")
    }
    XCTAssertThrowsError(try StateFile.merge([parts[0], parts[2]], requireAllRows: false)) { error in
      XCTAssertTrue("\(error)".contains("rows 10..<20"), "\(error)")
    }
    // A merged partial state is itself a state: it merges with the rest.
    let all = try StateFile.merge([parts[0], ("middle", middle), parts[3]])
    XCTAssertEqual(all.state, try StateFile(evaluating: inputs, configuration: configuration).state)
  }

  func testDecodingIsStrictAndNamesTheFile() throws {
    let (dir, inputs) = try makeInputs(rows: 12, classes: 4, seed: 7)
    defer { dir.remove() }
    let state = try StateFile(evaluating: inputs, configuration: try MAPConfiguration(ks: [1, 2]),
                              shard: StateFile.Shard(index: 1, count: 2))
    let text = String(decoding: state.encoded(), as: UTF8.self)
    let cases: [(String, String)] = [
      ("{", "not valid JSON"),
      ("[]", "not a mapk state"),
      ("{\"format\": \"mapk-state\"}", "no version"),
      (text.replacingOccurrences(of: "\"version\" : 2", with: "\"version\" : 0"), "version 0"),
      (text.replacingOccurrences(of: "\"ks\" : [\n    1,\n    2\n  ]", with: "\"ks\" : [2, 1]"), "ascending"),
      (text.replacingOccurrences(of: "\"nan_policy\" : \"error\"", with: "\"nan_policy\" : \"maybe\""), "nan_policy 'maybe'"),
      (text.replacingOccurrences(of: "\"exact\" : \"0x", with: "\"exact\" : \"-0x0"), "leading zeros"),
      (text.replacingOccurrences(of: "\"nan\" : 0", with: "\"nan\" : -1"), "negative count"),
      (text.replacingOccurrences(of: "\"lower\" : 6", with: "\"lower\" : 7"), "shard 1/2 of 12 rows is rows 6..<12, not 7..<12"),
      (text.replacingOccurrences(of: "\"total\" : 12", with: "\"total\" : 13"), "of 13 rows"),
      (text.replacingOccurrences(of: "\"threads\" : ", with: "\"threads\" : -"), "run.threads"),
      (text.replacingOccurrences(of: "\"lower\" : 6", with: "\"lower\" : 6.5"), "not an integer"),
      (text.replacingOccurrences(of: "\"lower\" : 6", with: "\"lower\" : 6e40"), "not an integer"),
      (text.replacingOccurrences(of: "\"lower\" : 6", with: "\"lower\" : \"6\""), "'rows.lower'"),
    ]
    for (bad, needle) in cases {
      XCTAssertNotEqual(bad, text, needle)
      XCTAssertThrowsError(try StateFile(decoding: Array(bad.utf8), path: "x/state.json"), needle) { error in
        guard let e = error as? FileError else { return XCTFail("\(error)") }
        XCTAssertEqual(e.path, "x/state.json")
        XCTAssertTrue(e.problem.contains(needle), "'\(needle)' not in '\(e.problem)'")
        XCTAssertFalse(e.problem.contains("\n"), e.problem)
      }
    }
    XCTAssertThrowsError(try state.write(to: dir.file("no/such/dir/s.json"))) { error in
      XCTAssertEqual((error as? FileError)?.path, dir.file("no/such/dir/s.json"), "\(error)")
    }
  }

  /// The size check after a run (SIGBUS's cousin): a file that changed size
  /// between opening and the end of the run is an error naming it.
  func testInputThatChangesSizeDuringTheRunIsAnError() throws {
    let (dir, inputs) = try makeInputs(rows: 20, classes: 5, seed: 8)
    defer { dir.remove() }
    let configuration = try MAPConfiguration(ks: [1])
    XCTAssertNoThrow(try inputs.checkUnchanged())
    // Growing the labels keeps every mapped page readable: the run completes, then the check fails.
    let handle = try XCTUnwrap(FileHandle(forWritingAtPath: dir.file("l.npy")))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data([0, 0, 0, 0, 0, 0, 0, 0]))
    try handle.close()
    XCTAssertThrowsError(try StateFile(evaluating: inputs, configuration: configuration)) { error in
      XCTAssertEqual((error as? FileError)?.path, dir.file("l.npy"))
      XCTAssertTrue("\(error)".contains("changed size while being read (448 -> 456 bytes)"), "\(error)")
    }
    // Shrinking: checked without reading the lost pages (reading them would raise SIGBUS).
    XCTAssertEqual(truncate(dir.file("w.npy"), 10), 0)
    XCTAssertThrowsError(try inputs.checkUnchanged())
  }
}
