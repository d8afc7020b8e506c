import Foundation
@testable import mapk
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

  func testExclusionsAreDescribedAsEvalReadsThem() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    _ = try ProcessRunner.mapk(["generate", "--rows", "300", "--classes", "30", "--labels-per-row", "4", "--out", "d"],
                               in: dir.path)
    // Hand-made exclusions: row r excludes r % 5 distinct classes, the class 30 (>= C), a -1 pad, and label 0 of
    // the row when r % 7 == 0.
    let labels = try NPYArray(path: dir.file("d.labels.npy"))
    let l = labels.data.assumingMemoryBound(to: Int64.self)
    var values: [Int64] = []
    var alsoLabels = 0, total = 0, fewest = Int.max, most = 0, none = 0
    for r in 0..<300 {
      let rowLabels = Set((0..<4).map { l[r * 4 + $0] }.filter { $0 >= 0 })
      var row: [Int64] = (0..<Int64(r % 5)).map { 20 + $0 }
      if r % 7 == 0 { row.append(l[r * 4]) }
      let distinct = Set(row)
      total += distinct.count
      fewest = min(fewest, distinct.count)
      most = max(most, distinct.count)
      none += distinct.isEmpty ? 1 : 0
      alsoLabels += distinct.intersection(rowLabels).count
      row += [30, -1]
      values += row + Array(repeating: -1, count: 7 - row.count)
    }
    let e = try NPYWriter(path: dir.file("e.npy"), type: .int64, shape: [300, 7])
    try e.append(contentsOf: values)
    try e.finish()
    let r = try ProcessRunner.mapk(["inspect", "--exclude", "e.npy", "--predictions", "d.pred.npy",
                                    "--labels", "d.labels.npy"], in: dir.path)
    XCTAssertEqual(r.status, 0, r.stderr)
    let negatives = values.filter { $0 < 0 }.count
    assertLines(r.stdout, [
      "e.npy: exclusions (--exclude) as mapk eval reads them with d.pred.npy and d.labels.npy",
      "  read as  dense labels, 300 rows (one per row of labels)",
      "  per row  \(fewest) to \(most) distinct classes in [0, 30) removed from the ranking, mean "
        + format(Double(total) / 300, 2) + ", \(none) rows remove none",
      "  exclude nothing: \(Inspection.grouped(negatives)) negative entries (-1 pads included), 300 entries >= 30",
      "  labels also excluded: \(alsoLabels) (never hit, still counted in n: eval warns)",
      "  rows keep at least \(30 - most) candidates",
    ])
    let usage = try ProcessRunner.mapk(["inspect", "--exclude", "e.npy", "--labels", "d.labels.npy"], in: dir.path)
    XCTAssertEqual(usage.status, 2)
    XCTAssertTrue(usage.stderr.contains("--exclude needs --predictions and --labels"), usage.stderr)
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
      "  scores   min -inf, max 0.5",
      "  NaN      1  (mapk eval needs --nan largest|lowest)",
      "  +-inf    1",
    ])
  }

  func testSparseLabels() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // Rows: {3, 3, 12}, {}, {-2, 0}: by sparse rules (eval's), distinct values, negatives included: 2, 0, 2.
    try Data("3 3,12\n\n-2\t0\n".utf8).write(to: URL(fileURLWithPath: dir.file("l.txt")))
    let r = try ProcessRunner.mapk(["inspect", "l.txt"], in: dir.path)
    XCTAssertEqual(r.status, 0, r.stderr)
    assertLines(r.stdout, [
      "l.txt: text labels, one line per row, 13 bytes",
      "  as sparse labels: 3 rows (TensorFlow SparseTensor rules)",
      "  labels per row  min 0, max 2, mean 1.33",
      "  rows without labels  1",
      "  label values  0 ... 12  (need classes > 12)",
      "  negative labels  1 (each counts as a label of its row, never found: it lowers the row's AP)",
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

  /// Issue 10: inspect describes what eval does with the file.
  func testInspectAgreesWithEvalOnTextLabelsWeightsAndInfinities() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // A -1 line is a row with one label (never found) under eval's sparse rules, not an empty row.
    try Data("0 9\n1\n-1\n\n7 8\n".utf8).write(to: URL(fileURLWithPath: dir.file("t.txt")))
    let scores = try NPYWriter(path: dir.file("p.npy"), type: .float32, shape: [5, 6])
    try scores.append(contentsOf: (0..<30).map { i -> Float in i == 3 ? .infinity : i == 4 ? -.infinity : Float(i % 7) / 7 })
    try scores.finish()
    let weights = try NPYWriter(path: dir.file("w.npy"), type: .float32, shape: [1000])
    try weights.append(contentsOf: [Float](repeating: 1, count: 1000))
    try weights.finish()
    let r = try ProcessRunner.mapk(["inspect", "t.txt", "p.npy", "w.npy"], in: dir.path)
    XCTAssertEqual(r.status, 0, r.stderr)
    assertLines(r.stdout, [
      "  labels per row  min 0, max 2, mean 1.20",
      "  rows without labels  1  (their AP is NaN, as in TensorFlow; see --empty-rows)",
      "  negative labels  1 (each counts",
      "  scores   min -inf, max +inf",
      "  as --weights: 1,000 rows, one weight each",
      "  or as predictions: 1 row x 1,000 classes",
      "  values   min 1.0, max 1.0",
    ])
    XCTAssertFalse(r.stdout.contains("1 rows"), r.stdout)
    let e = try ProcessRunner.mapk(["eval", "--predictions", "p.npy", "--labels", "t.txt", "-k", "2", "--json"],
                                   in: dir.path)
    XCTAssertEqual(e.status, 0, e.stderr)
    XCTAssertTrue(e.stdout.contains("\"empty_rows\": 1,"), e.stdout)
  }

  /// The count of labels >= C over 3.2 million label entries, which
  /// the workers split among them: the same count for any thread count, and
  /// the count an independent loop over the written labels finds.
  func testLabelsAtOrAboveTheClassesAreCountedAcrossWorkers() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let rows = 800_001, width = 4, classes = 3  // 3.2 M entries: 3 parts of a million and more
    let scores = try NPYWriter(path: dir.file("p.npy"), type: .float32, shape: [rows, classes])
    try scores.append(contentsOf: (0..<(rows * classes)).map { Float($0 % 7) })
    try scores.finish()
    // Nearly every label is 3 or 4 (>= C), so an entry a worker skipped or counted twice changes the
    // count; every 1,000th is padding -1 and every 777th a class.
    let values: [Int32] = (0..<(rows * width)).map { (i: Int) -> Int32 in
      if i % 1000 == 0 { return -1 }
      return i % 777 == 0 ? 1 : Int32(3 + i % 2)
    }
    let want = values.filter { $0 >= Int32(classes) }.count
    let labels = try NPYWriter(path: dir.file("l.npy"), type: .int32, shape: [rows, width])
    try labels.append(contentsOf: values)
    try labels.finish()
    for threads in [1, 2, 3, 8] {
      let e = try ProcessRunner.mapk(["eval", "--predictions", "p.npy", "--labels", "l.npy", "-k", "2", "--no-progress",
                                      "--threads", "\(threads)"], in: dir.path)
      XCTAssertEqual(e.status, 0, e.stderr)
      XCTAssertTrue(e.stderr.contains("mapk: warning: \(want) labels are >= 3"), "threads \(threads): \(e.stderr)")
    }
  }

  /// Issue 10: labels >= C are ignored as in TensorFlow, with a warning that counts them.
  func testLabelsAtOrAboveTheClassesAreCountedInAWarning() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try Data("0 9\n1\n6 7 8\n2\n".utf8).write(to: URL(fileURLWithPath: dir.file("t.txt")))
    let scores = try NPYWriter(path: dir.file("p.npy"), type: .float32, shape: [4, 6])
    try scores.append(contentsOf: (0..<24).map { Float($0 % 5) })
    try scores.finish()
    let dense = try NPYWriter(path: dir.file("l.npy"), type: .int64, shape: [4, 2])
    try dense.append(contentsOf: [Int64](arrayLiteral: 0, 6, 1, -1, 100, 2, 3, 4))
    try dense.finish()
    let text = try ProcessRunner.mapk(["eval", "--predictions", "p.npy", "--labels", "t.txt", "-k", "2"], in: dir.path)
    XCTAssertEqual(text.status, 0, text.stderr)
    XCTAssertEqual(text.stderrLines, ["mapk: warning: 4 labels are >= 6, the number of classes (the predictions' last "
      + "dimension): in each row they count as one label that matches no class, as in TensorFlow"])
    let npy = try ProcessRunner.mapk(["eval", "--predictions", "p.npy", "--labels", "l.npy", "-k", "2"], in: dir.path)
    XCTAssertEqual(npy.status, 0, npy.stderr)
    XCTAssertTrue(npy.stderr.contains("mapk: warning: 2 labels are >= 6") && npy.stderr.contains("count nowhere"),
                  npy.stderr)
    // A shard counts its own rows only: rows 2 and 3 hold one of the dense file's two.
    let shard = try ProcessRunner.mapk(["eval", "--predictions", "p.npy", "--labels", "l.npy", "-k", "2", "--shard", "1/2"],
                                       in: dir.path)
    XCTAssertTrue(shard.stderr.contains("mapk: warning: 1 label is >= 6"), shard.stderr)
    let clean = try ProcessRunner.mapk(["eval", "--predictions", "p.npy", "--labels", "l.npy", "-k", "2", "--shard", "0/2"],
                                       in: dir.path)
    XCTAssertTrue(clean.stderr.contains("1 label is >= 6"), clean.stderr)
    // The same dense labels as int32, and the text file's explicit offsets split into shards:
    // rows 0 - 1 hold one of its four (9), rows 2 - 3 the other three (6, 7, 8).
    let narrow = try NPYWriter(path: dir.file("l32.npy"), type: .int32, shape: [4, 2])
    try narrow.append(contentsOf: [Int32](arrayLiteral: 0, 6, 1, -1, 100, 2, 3, 4))
    try narrow.finish()
    let npy32 = try ProcessRunner.mapk(["eval", "--predictions", "p.npy", "--labels", "l32.npy", "-k", "2"], in: dir.path)
    XCTAssertTrue(npy32.stderr.contains("mapk: warning: 2 labels are >= 6"), npy32.stderr)
    for (shard, count) in [("0/2", "1 label is"), ("1/2", "3 labels are")] {
      let t = try ProcessRunner.mapk(["eval", "--predictions", "p.npy", "--labels", "t.txt", "-k", "2", "--shard", shard],
                                     in: dir.path)
      XCTAssertTrue(t.stderr.contains("mapk: warning: \(count) >= 6"), "\(shard): \(t.stderr)")
    }
  }

  func testThroughputIsInAUnitThatShows() {
    XCTAssertEqual(Report.throughput(bytes: 2_000_000_000, seconds: 1), "2.0 GB/s")
    XCTAssertEqual(Report.throughput(bytes: 15_000_000_000, seconds: 1), "15 GB/s")
    XCTAssertEqual(Report.throughput(bytes: 340_000_000, seconds: 1), "340 MB/s")
    XCTAssertEqual(Report.throughput(bytes: 608, seconds: 0.002), "304 kB/s")
    XCTAssertEqual(Report.throughput(bytes: 5, seconds: 1), "5 B/s")
    XCTAssertNil(Report.throughput(bytes: 608, seconds: 0.0001))
    XCTAssertNil(Report.throughput(bytes: 0, seconds: 1))
  }
}
