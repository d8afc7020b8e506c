import Foundation
import TestSupport
import Testing
import XCTest

@testable import MAPKShards

/// The text label parser: the grammar's edge cases, one by one, then large
/// randomized files cut into many chunks, against rows written independently.
final class TextLabelsTests: XCTestCase {
  /// Parses `bytes` as labels of `rows` rows and returns the rows.
  func parse(_ bytes: [UInt8], rows: Int, threads: Int = 2) throws -> [[Int64]] {
    let (offsets, values) = try bytes.withUnsafeBytes {
      try TextLabels.parse($0, rows: rows, threads: threads, path: "l.txt")
    }
    defer {
      offsets.deallocate()
      values.deallocate()
    }
    XCTAssertEqual(offsets.count, rows + 1)
    XCTAssertEqual(offsets[0], 0)
    return (0..<rows).map { r in Array(values[Int(offsets[r])..<Int(offsets[r + 1])]) }
  }

  func parse(_ text: String, rows: Int, threads: Int = 2) throws -> [[Int64]] {
    try parse(Array(text.utf8), rows: rows, threads: threads)
  }

  /// The problem of the error parsing `text` throws (fails the test if it parses).
  func problem(_ bytes: [UInt8], rows: Int, threads: Int = 2, file: StaticString = #filePath,
               line: UInt = #line) -> String {
    do {
      let parsed = try parse(bytes, rows: rows, threads: threads)
      XCTFail("parsed as \(parsed), expected an error", file: file, line: line)
      return ""
    } catch let e as FileError {
      XCTAssertEqual(e.path, "l.txt", file: file, line: line)
      XCTAssertFalse(e.problem.contains("\n"), "one line: \(e.problem)", file: file, line: line)
      return e.problem
    } catch {
      XCTFail("unexpected error \(error)", file: file, line: line)
      return ""
    }
  }

  func problem(_ text: String, rows: Int, threads: Int = 2, file: StaticString = #filePath, line: UInt = #line)
    -> String
  {
    problem(Array(text.utf8), rows: rows, threads: threads, file: file, line: line)
  }

  // MARK: - Grammar

  func testPlainLines() throws {
    XCTAssertEqual(try parse("1 2 3\n4\n", rows: 2), [[1, 2, 3], [4]])
    XCTAssertEqual(try parse("7", rows: 1), [[7]])
  }

  func testSeparatorsAreAnyMixOfSpacesTabsAndCommas() throws {
    XCTAssertEqual(try parse("1,\t2 ,, 3\n4\t\t5\n6,7\n", rows: 3), [[1, 2, 3], [4, 5], [6, 7]])
  }

  func testLeadingAndTrailingSeparators() throws {
    XCTAssertEqual(try parse(" ,1 2, \n\t3,\n", rows: 2), [[1, 2], [3]])
  }

  func testCRLFLineEnds() throws {
    XCTAssertEqual(try parse("1 2\r\n3\r\n", rows: 2), [[1, 2], [3]])
    XCTAssertEqual(try parse("1 2\r\n3", rows: 2), [[1, 2], [3]])
    XCTAssertEqual(try parse("1\r\n\r\n2\n", rows: 3), [[1], [], [2]])
  }

  func testEmptyLinesAreRowsWithoutLabels() throws {
    XCTAssertEqual(try parse("\n5\n\n", rows: 3), [[], [5], []])
    XCTAssertEqual(try parse(" , \t\n5\n", rows: 2), [[], [5]])
    XCTAssertEqual(try parse("\n", rows: 1), [[]])
    XCTAssertEqual(try parse("", rows: 0), [])
  }

  func testTheLastNewlineIsOptional() throws {
    XCTAssertEqual(try parse("1\n2", rows: 2), [[1], [2]])
    XCTAssertEqual(try parse("1\n2\n", rows: 2), [[1], [2]])
  }

  func testTrailingLinesWithoutLabelsAfterTheLastRowAreTheEndOfTheFile() throws {
    // An empty last line is a row when the predictions have one more row,
    // and the end of the file when they do not.
    XCTAssertEqual(try parse("1\n\n", rows: 2), [[1], []])
    XCTAssertEqual(try parse("1\n\n", rows: 1), [[1]])
    XCTAssertEqual(try parse("1\n\n \n\r\n", rows: 1), [[1]])
    XCTAssertEqual(try parse("\n\n", rows: 0), [])
  }

  func testSignsZerosAndLeadingZeros() throws {
    XCTAssertEqual(try parse("+3 -0 +0 007 -12 -007\n", rows: 1), [[3, 0, 0, 7, -12, -7]])
  }

  func testInt64Extremes() throws {
    XCTAssertEqual(try parse("9223372036854775807 -9223372036854775808 0009223372036854775807\n", rows: 1),
                   [[Int64.max, Int64.min, Int64.max]])
  }

  func testOutOfRangeTokensNameTheLineAndToken() {
    XCTAssertEqual(problem("1\n9223372036854775808\n", rows: 2),
                   "line 2: label '9223372036854775808' is outside the Int64 range")
    XCTAssertEqual(problem("-9223372036854775809", rows: 1),
                   "line 1: label '-9223372036854775809' is outside the Int64 range")
    XCTAssertEqual(problem("1 2\n3\n4 184467440737095516160\n", rows: 3),
                   "line 3: label '184467440737095516160' is outside the Int64 range")
  }

  func testBadTokensNameTheLineAndToken() {
    let cases: [(String, String)] = [
      ("1 2a\n", "2a"), ("1.5", "1.5"), ("abc", "abc"), ("+", "+"), ("-", "-"), ("+-3", "+-3"),
      ("1-2", "1-2"), ("0x10", "0x10"), ("1e3", "1e3"), ("3;4", "3;4"), ("[1]", "[1]"),
    ]
    for (text, token) in cases {
      XCTAssertEqual(problem("0\n" + text, rows: 2), "line 2: bad label '\(token)' (not a base-10 integer)", text)
    }
  }

  func testNonASCIIBytesAreBadTokensShownEscaped() {
    XCTAssertEqual(problem("1 é\n", rows: 1), "line 1: bad label '\\xC3\\xA9' (not a base-10 integer)")
    // A no-break space is not a separator.
    XCTAssertEqual(problem("1\u{A0}2\n", rows: 1), "line 1: bad label '1\\xC2\\xA02' (not a base-10 integer)")
    XCTAssertEqual(problem([0x31, 0x20, 0xFF, 0x0A], rows: 1), "line 1: bad label '\\xFF' (not a base-10 integer)")
  }

  func testOtherControlBytesAreBadTokens() {
    XCTAssertEqual(problem("1\u{0B}2", rows: 1), "line 1: bad label '1\\x0B2' (not a base-10 integer)")
    XCTAssertEqual(problem("1 \u{0C}", rows: 1), "line 1: bad label '\\x0C' (not a base-10 integer)")
    XCTAssertEqual(problem([0x31, 0x00], rows: 1), "line 1: bad label '1\\x00' (not a base-10 integer)")
  }

  func testLongBadTokensAreCut() {
    let token = String(repeating: "x", count: 100)
    XCTAssertEqual(problem(token, rows: 1),
                   "line 1: bad label '\(String(repeating: "x", count: 32))...' (not a base-10 integer)")
  }

  func testAByteOrderMarkIsSkippedOnlyAtTheStart() throws {
    XCTAssertEqual(try parse([0xEF, 0xBB, 0xBF] + Array("1 2\n3\n".utf8), rows: 2), [[1, 2], [3]])
    XCTAssertEqual(problem(Array("1\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("2\n".utf8), rows: 2),
                   "line 2: bad label '\\xEF\\xBB\\xBF2' (not a base-10 integer)")
  }

  func testALoneCarriageReturnIsAnError() {
    let expected = "a carriage return not followed by a line feed (line ends must be LF or CRLF)"
    XCTAssertEqual(problem("1\r2\n", rows: 1), "line 1: " + expected)
    XCTAssertEqual(problem("1\n2\r", rows: 2), "line 2: " + expected)
    XCTAssertEqual(problem("1\n2 \r 3\n", rows: 2), "line 2: " + expected)
  }

  func testLineCountMustMatchTheRows() {
    XCTAssertEqual(problem("1\n2\n", rows: 3),
                   "has 2 lines but the predictions have 3 rows (one line per row; an empty line is a row without labels)")
    XCTAssertEqual(problem("", rows: 1),
                   "has 0 lines but the predictions have 1 row (one line per row; an empty line is a row without labels)")
    XCTAssertEqual(problem("1\n2\n\n3\n", rows: 2),
                   "has 4 lines but the predictions have 2 rows (one line per row; an empty line is a row without labels)"
                   + "; line 4, after the last row, has labels")
    XCTAssertEqual(problem("1\n", rows: 0),
                   "has 1 line but the predictions have 0 rows (one line per row; an empty line is a row without labels)"
                   + "; line 1, after the last row, has labels")
  }

  func testABadTokenIsReportedBeforeTheLineCount() {
    XCTAssertEqual(problem("1\nx\n", rows: 5), "line 2: bad label 'x' (not a base-10 integer)")
  }

  // MARK: - Chunks and threads

  /// A random file of `rows` rows: random separators, CRLF or LF, some empty
  /// rows, a few long lines; returns the bytes and the rows as written.
  static func randomFile(rows: Int, rng: inout SplitMix64) -> (bytes: [UInt8], rows: [[Int64]]) {
    var bytes: [UInt8] = []
    var expected: [[Int64]] = []
    let separators: [[UInt8]] = [[0x20], [0x09], [0x2C], [0x2C, 0x20], [0x20, 0x20, 0x09]]
    for r in 0..<rows {
      let n = rng.next() % 10 == 0 ? 0 : Int(rng.next() % 6) + 1
      let long = rng.next() % 5000 == 0
      var row: [Int64] = []
      for _ in 0..<(long ? 20_000 : n) {
        let v: Int64
        switch rng.next() % 20 {
        case 0: v = Int64(bitPattern: rng.next())
        case 1: v = -Int64(rng.next() % 5) - 1
        default: v = Int64(rng.next() % 100_000)
        }
        if !row.isEmpty || rng.next() % 4 == 0 { bytes += separators[Int(rng.next() % 5)] }
        if v >= 0 && rng.next() % 10 == 0 { bytes.append(0x2B) }  // "+"
        bytes += Array(String(v).utf8)
        row.append(v)
      }
      if rng.next() % 7 == 0 { bytes += separators[Int(rng.next() % 5)] }
      // The last line may go without a newline, unless it is empty (it would vanish).
      if r < rows - 1 || row.isEmpty || rng.next() % 2 == 0 { bytes += rng.next() % 3 == 0 ? [0x0D, 0x0A] : [0x0A] }
      expected.append(row)
    }
    return (bytes, expected)
  }

  // MARK: - Through the file readers

  func testEvaluationInputsReadTextLabelsFromAFile() throws {
    let dir = try TemporaryDirectory().url
    defer { try? FileManager.default.removeItem(at: dir) }
    let pred = dir.appendingPathComponent("p.npy").path
    try NPYBytes.write([Float](repeating: 0, count: 6), descr: "<f4", shape: [2, 3], to: pred)
    let labels = dir.appendingPathComponent("l.txt").path
    try Data("2,0\r\n\r\n".utf8).write(to: URL(fileURLWithPath: labels))
    let inputs = try EvaluationInputs(predictions: pred, labels: labels)
    XCTAssertEqual(inputs.labelFormat, .text)
    XCTAssertEqual(inputs.labels.semantics, .sparse)
    XCTAssertEqual(inputs.labels.range(ofRow: 0), 0..<2)
    XCTAssertEqual(inputs.labels.range(ofRow: 1), 2..<2)
    XCTAssertEqual([inputs.labels.value(at: 0), inputs.labels.value(at: 1)], [2, 0])

    try Data("1\n2\n3\n".utf8).write(to: URL(fileURLWithPath: labels))
    XCTAssertThrowsError(try EvaluationInputs(predictions: pred, labels: labels)) {
      XCTAssertEqual(($0 as? FileError)?.path, labels)
    }
  }
}

/// Large random text label files, one test case per seed.
@Suite struct TextLabelsRandomTests {
  /// The rows of `bytes` parsed as `rows` rows on `threads` workers.
  static func parse(_ bytes: [UInt8], rows: Int, threads: Int) throws -> [[Int64]] {
    let (offsets, values) = try bytes.withUnsafeBytes {
      try TextLabels.parse($0, rows: rows, threads: threads, path: "l.txt")
    }
    defer {
      offsets.deallocate()
      values.deallocate()
    }
    #expect(offsets.count == rows + 1)
    #expect(offsets[0] == 0)
    return (0..<rows).map { r in Array(values[Int(offsets[r])..<Int(offsets[r + 1])]) }
  }

  /// The problem of the error parsing `bytes` throws (a failed expectation if it parses).
  static func problem(_ bytes: [UInt8], rows: Int, threads: Int) -> String {
    do {
      let parsed = try parse(bytes, rows: rows, threads: threads)
      Issue.record("parsed \(parsed.count) rows, expected an error")
    } catch let e as FileError {
      #expect(e.path == "l.txt")
      #expect(!e.problem.contains("\n"), "one line: \(e.problem)")
      return e.problem
    } catch {
      Issue.record("unexpected error \(error)")
    }
    return ""
  }

  @Test(arguments: 1...4 as ClosedRange<UInt64>)
  func largeRandomFilesParseTheSameWithAnyThreads(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let (bytes, expected) = TextLabelsTests.randomFile(rows: 30_000 + Int(rng.next() % 30_000), rng: &rng)
    #expect(bytes.count > 4 * (64 << 10), "several chunks (seed \(seed))")
    for threads in [1, 2, 3, 8] {
      let got = try Self.parse(bytes, rows: expected.count, threads: threads)
      #expect(got.count == expected.count, "seed \(seed), \(threads) threads")
      if let r = got.indices.first(where: { got[$0] != expected[$0] }) {
        Issue.record("seed \(seed), \(threads) threads: row \(r) is \(got[r]), wrote \(expected[r])")
      }
    }
  }

  @Test(arguments: 10...12 as ClosedRange<UInt64>)
  func chunkBoundariesAreLineStarts(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let (bytes, _) = TextLabelsTests.randomFile(rows: 40_000, rng: &rng)
    for threads in [1, 2, 16] {
      let starts = bytes.withUnsafeBufferPointer {
        TextLabels.chunkStarts($0.baseAddress!, from: 0, to: $0.count, threads: threads)
      }
      #expect(starts.first == 0)
      #expect(starts.last == bytes.count)
      #expect(starts == starts.sorted(), "seed \(seed)")
      #expect(Set(starts).count == starts.count, "no empty chunk (seed \(seed))")
      for s in starts.dropFirst().dropLast() {
        #expect(bytes[s - 1] == 0x0A, "chunk start \(s) follows an LF (seed \(seed))")
      }
      if threads == 16 { #expect(starts.count > 3, "seed \(seed)") }
    }
  }

  @Test(arguments: 20...23 as ClosedRange<UInt64>)
  func theLowestBadLineIsReportedWhateverTheThreads(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let file = TextLabelsTests.randomFile(rows: 50_000, rng: &rng)
    var bytes = file.bytes
    let expected = file.rows
    // Two bad tokens, at the start of two random lines: the first one wins.
    var lineStarts = [0]
    for (i, b) in bytes.enumerated() where b == 0x0A && i + 1 < bytes.count { lineStarts.append(i + 1) }
    #expect(lineStarts.count == expected.count, "seed \(seed)")
    let a = Int(rng.next() % UInt64(lineStarts.count)), b = Int(rng.next() % UInt64(lineStarts.count))
    for line in [max(a, b), min(a, b)] { bytes.insert(contentsOf: Array("x ".utf8), at: lineStarts[line]) }
    for threads in [1, 2, 5] {
      #expect(Self.problem(bytes, rows: expected.count, threads: threads)
                == "line \(min(a, b) + 1): bad label 'x' (not a base-10 integer)", "seed \(seed)")
    }
  }
}
