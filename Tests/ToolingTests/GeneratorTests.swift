import Foundation
import MAPKShards
@testable import MAPKTooling
import TestSupport
import Testing
import XCTest

final class GeneratorTests: XCTestCase {
  func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

  func testTheSameSeedGivesTheSameBytesWhateverTheThreads() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try Generator(rows: 257, classes: 31, labelsPerRow: 4, seed: 9)
    for format in LabelFormat.allCases {
      let one = try g.write(prefix: dir.file("one-\(format)"), scoreType: .float16, labelFormat: format, threads: 1)
      let many = try g.write(prefix: dir.file("many-\(format)"), scoreType: .float16, labelFormat: format, threads: 5)
      XCTAssertEqual(try bytes(one.predictions), try bytes(many.predictions), "\(format)")
      XCTAssertEqual(try bytes(one.labels), try bytes(many.labels), "\(format)")
    }
    let other = try Generator(rows: 257, classes: 31, labelsPerRow: 4, seed: 10)
      .write(prefix: dir.file("other"), scoreType: .float16, labelFormat: .dense, threads: 2)
    XCTAssertNotEqual(try bytes(other.predictions), try bytes(dir.file("one-dense.pred.npy")))
    XCTAssertFalse(try dir.contents().contains { $0.hasSuffix(".tmp") })
  }

  func testExclusionsAreDistinctAscendingSeededAndWrittenAsTheyAreDrawn() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try Generator(rows: 700, classes: 40, labelsPerRow: 3, seed: 12)
    let path = dir.file("e.npy")
    try g.writeExclusions(to: path, perRow: 40)  // every class: each row is 0..<40
    let all = try NPYArray(path: path)
    XCTAssertEqual(all.header.shape, [700, 40])
    let every = all.data.assumingMemoryBound(to: Int64.self)
    for r in 0..<700 { XCTAssertEqual((0..<40).map { every[r * 40 + $0] }, (0..<40).map(Int64.init), "row \(r)") }
    try g.writeExclusions(to: path, perRow: 7)
    let array = try NPYArray(path: path)
    XCTAssertEqual(array.header.type, .int64)
    XCTAssertEqual(array.header.shape, [700, 7])
    let values = array.data.assumingMemoryBound(to: Int64.self)
    let row = UnsafeMutablePointer<Int32>.allocate(capacity: 7)
    defer { row.deallocate() }
    var counts = [Int](repeating: 0, count: 40)
    for r in 0..<700 {
      g.exclusions(ofRow: r, count: 7, into: row)
      let drawn = (0..<7).map { Int64(row[$0]) }
      XCTAssertEqual((0..<7).map { values[r * 7 + $0] }, drawn, "row \(r)")
      XCTAssertEqual(drawn, Array(Set(drawn)).sorted(), "row \(r): distinct and ascending")
      XCTAssertTrue(drawn.allSatisfy { (0..<40).contains($0) })
      for v in drawn { counts[Int(v)] += 1 }
    }
    // Uniform: each class is drawn 700 · 7 / 40 = 122.5 times on average (seed 12: within 40%).
    XCTAssertTrue(counts.allSatisfy { $0 > 73 && $0 < 172 }, "\(counts)")
    // Another seed draws other exclusions.
    let other = try Generator(rows: 700, classes: 40, labelsPerRow: 3, seed: 13)
    other.exclusions(ofRow: 0, count: 7, into: row)
    XCTAssertNotEqual((0..<7).map { Int64(row[$0]) }, (0..<7).map { values[$0] })
  }

  func testSparseScoresEvaluateAsTheDenseScoresOfTheSameSeed() throws {
    // Each row stores its 12 best scores: for every k <= 12 the value is the dense scores' (the same bits).
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try Generator(rows: 900, classes: 70, labelsPerRow: 4, seed: 31)
    for type in [ScoreType.float32, .float64] {
      let dense = try g.write(prefix: dir.file("d\(type)"), scoreType: type, labelFormat: .dense, threads: 3)
      let sparse = try g.write(prefix: dir.file("s\(type)"), scoreType: type, labelFormat: .dense, threads: 2,
                               sparseScores: 12)
      XCTAssertTrue(sparse.predictions.hasSuffix(".pred.npz"))
      XCTAssertEqual(try bytes(dense.labels), try bytes(sparse.labels))
      let configuration = try MAPConfiguration(ks: [1, 5, 12], metrics: Metric.allCases)
      let a = try Evaluator(threads: 2).evaluate(
        EvaluationInputs(predictions: dense.predictions, labels: dense.labels), configuration: configuration)
      let inputs = try EvaluationInputs(predictions: sparse.predictions, labels: sparse.labels)
      guard case .sparseScores(let view) = inputs.predictions.view else { return XCTFail("not sparse scores") }
      XCTAssertEqual(view.storedCount, 900 * 12)
      for r in 0..<900 {
        let columns = (Int(view.offsets[r])..<Int(view.offsets[r + 1])).map { view.columns[$0] }
        XCTAssertEqual(columns, columns.sorted(), "row \(r): scipy's canonical order")
      }
      let b = try Evaluator(threads: 3).evaluate(inputs, configuration: configuration)
      XCTAssertEqual(a.values.map(\.bitPattern), b.values.map(\.bitPattern), "\(type)")
    }
  }

  func testBlocksDoNotChangeTheBytes() throws {
    // 3000 classes of float64: 24 KB a row, so ~700 rows a block and 3 blocks.
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try Generator(rows: 1500, classes: 3000, labelsPerRow: 2, seed: 3)
    let files = try g.write(prefix: dir.file("big"), scoreType: .float64, labelFormat: .dense, threads: 2)
    let array = try NPYArray(path: files.predictions)
    let scores = array.data.assumingMemoryBound(to: Double.self)
    let row = UnsafeMutablePointer<Float>.allocate(capacity: 3000)
    let labels = UnsafeMutablePointer<Int32>.allocate(capacity: 2)
    defer {
      row.deallocate()
      labels.deallocate()
    }
    for r in [0, 699, 700, 1400, 1499] {
      let m = g.labels(ofRow: r, into: labels)
      g.scores(ofRow: r, labels: UnsafeBufferPointer(start: labels, count: m), into: row)
      for c in 0..<3000 where scores[r * 3000 + c] != Double(row[c]) {
        XCTFail("row \(r) class \(c)")
        break
      }
    }
  }

  func testScoresLookLikeAModelsWithTies() throws {
    let classes = 200
    let g = try Generator(rows: 400, classes: classes, labelsPerRow: 5, seed: 1)
    let out = UnsafeMutablePointer<Int32>.allocate(capacity: 5)
    let row = UnsafeMutablePointer<Float>.allocate(capacity: classes)
    defer {
      out.deallocate()
      row.deallocate()
    }
    var apSum = 0.0, randomSum = 0.0, tiedRows = 0
    for r in 0..<400 {
      let m = g.labels(ofRow: r, into: out)
      let labels = (0..<m).map { Int(out[$0]) }
      g.scores(ofRow: r, labels: UnsafeBufferPointer(start: out, count: m), into: row)
      let scores = (0..<classes).map { Double(row[$0]) }
      XCTAssertTrue(scores.allSatisfy { $0 >= 0 && $0 <= 1 && ($0 * 1024).rounded() == $0 * 1024 }, "row \(r)")
      apSum += ReferenceMAP.averagePrecision(scores: scores, labels: labels, k: 10, semantics: .dense)
      // The same labels against scores that ignore them: what chance gives.
      let shuffled = (0..<classes).map { Double(Generator.mix(UInt64(r * classes + $0)) % 1024) }
      randomSum += ReferenceMAP.averagePrecision(scores: shuffled, labels: labels, k: 10, semantics: .dense)
      let top = ReferenceMAP.ranking(scores, nan: .largest).prefix(10).map { scores[$0] }
      if Set(top).count < top.count { tiedRows += 1 }
    }
    let map = apSum / 400
    XCTAssertGreaterThan(map, 0.5)
    XCTAssertLessThan(map, 0.95)
    XCTAssertLessThan(randomSum / 400, 0.2)
    XCTAssertGreaterThan(tiedRows, 10)
  }

  func testHalfBitsMatchTheRealConversion() {
    for k in 0...1024 {
      let x = Float(k) / 1024
      // float16 by hand: 1.f x 2^e with 10 fraction bits (every k/1024 is normal or 0).
      var expected: UInt16 = 0
      if k > 0 {
        var e = 0
        var v = Double(k) / 1024
        while v < 1 { v *= 2; e -= 1 }
        expected = UInt16(e + 15) << 10 | UInt16((v - 1) * 1024)
      }
      XCTAssertEqual(Generator.halfBits(x), expected, "\(k)/1024")
    }
  }

  func testTextAndCSRHoldTheDenseLabels() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try Generator(rows: 50, classes: 12, labelsPerRow: 3, seed: 4)
    let dense = try g.write(prefix: dir.file("d"), scoreType: .float32, labelFormat: .dense, threads: 2)
    let text = try g.write(prefix: dir.file("t"), scoreType: .float32, labelFormat: .text, threads: 2)
    let csr = try g.write(prefix: dir.file("c"), scoreType: .float32, labelFormat: .csr, threads: 2)
    XCTAssertEqual(text.labels, dir.file("t.labels.txt"))
    XCTAssertEqual(csr.labels, dir.file("c.labels.npz"))
    let array = try NPYArray(path: dense.labels)
    XCTAssertEqual(array.shape, [50, 3])
    let p = array.data.assumingMemoryBound(to: Int64.self)
    let rows = (0..<50).map { r in (0..<3).map { p[r * 3 + $0] }.filter { $0 >= 0 } }
    let lines = try String(contentsOfFile: text.labels, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    XCTAssertEqual(lines.count, 51)
    XCTAssertEqual(lines.last, "")
    for r in 0..<50 { XCTAssertEqual(lines[r].split(separator: " ").map { Int64($0)! }, rows[r], "row \(r)") }

    let script = """
      import sys, io
      try:
          import numpy as np, scipy.sparse as sp
      except ImportError:
          sys.exit(3)
      m = sp.load_npz(sys.argv[1])
      assert m.format == 'csr' and m.shape == (50, 12), (m.format, m.shape)
      b = io.BytesIO(); sp.save_npz(b, m, compressed=False)
      assert b.getvalue() == open(sys.argv[1], 'rb').read(), 'scipy writes other bytes'
      for r in range(50):
          print(' '.join(str(c) for c in sorted(m.indices[m.indptr[r]:m.indptr[r + 1]])))
      """
    guard let (status, output) = try runPython(script, arguments: [csr.labels]) else {
      throw XCTSkip("python3 with scipy is not available")
    }
    XCTAssertEqual(status, 0, output)
    let csrLines = output.split(separator: "\n", omittingEmptySubsequences: false)
    for r in 0..<50 { XCTAssertEqual(csrLines[r].split(separator: " ").map { Int64($0)! }, rows[r], "row \(r)") }
  }
}

/// The generator's labels, one case per seed.
@Suite struct GeneratorLabelTests {
  @Test("labels are distinct, sorted, in range, and their counts cover 1 to L", arguments: UInt64(1)...6)
  func labelsAreDistinctSortedInRangeAndCountsCoverOneToL(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let classes = Int.random(in: 1...60, using: &rng)
    let l = Int.random(in: 1...classes, using: &rng)
    let g = try Generator(rows: 400, classes: classes, labelsPerRow: l, seed: seed)
    let out = UnsafeMutablePointer<Int32>.allocate(capacity: l)
    defer { out.deallocate() }
    var seen = Set<Int>()
    for r in 0..<400 {
      let m = g.labels(ofRow: r, into: out)
      #expect(m == g.labelCount(ofRow: r), "row \(r)")
      let row = Array(UnsafeBufferPointer(start: out, count: m))
      #expect(row == Array(Set(row)).sorted(), "row \(r)")
      #expect(row.allSatisfy { $0 >= 0 && $0 < classes }, "row \(r)")
      seen.insert(m)
    }
    #expect(seen == Set(1...l))
  }
}
