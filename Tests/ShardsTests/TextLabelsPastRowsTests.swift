@testable import MAPKShards
import TestSupport
import Testing

/// With the rows known, text labels are parsed up to the last row's line:
/// what follows is scanned, never stored, and its first labelled (or bad)
/// line is named as a full parse would name it.
@Suite struct TextLabelsPastRowsTests {
  func parse(_ text: String, rows: Int?, threads: Int = 2) -> Result<[[Int64]], FileError> {
    Result {
      let (offsets, values) = try Array(text.utf8).withUnsafeBytes {
        try TextLabels.parse($0, rows: rows, threads: threads, path: "l.txt")
      }
      defer {
        offsets.deallocate()
        values.deallocate()
      }
      return (0..<(offsets.count - 1)).map { Array(values[Int(offsets[$0])..<Int(offsets[$0 + 1])]) }
    }.mapError { $0 as! FileError }
  }

  func problem(_ text: String, rows: Int) -> String {
    if case .failure(let e) = parse(text, rows: rows) { return e.problem }
    return "parsed"
  }

  @Test func blankLinesAfterTheRowsAreTheEnd() throws {
    #expect(try parse("1 2\n3\n\n  \n,\t\r\n\n", rows: 2).get() == [[1, 2], [3]])
    #expect(try parse("\n\n", rows: 0).get() == [])
    #expect(try parse("1\n2", rows: 2).get() == [[1], [2]])
    #expect(try parse("1\n\n", rows: 2).get() == [[1], []])
  }

  @Test func theFirstLineAfterTheRowsWithLabelsIsNamed() {
    let many = "1\n" + String(repeating: "1\n", count: 10_000)
    #expect(problem(many, rows: 1) == "has 10001 lines but the predictions have 1 row (one line per row; an empty "
      + "line is a row without labels); line 2, after the last row, has labels")
    #expect(problem("1\n2\n\n \n7", rows: 2).hasSuffix("has 5 lines but the predictions have 2 rows (one line per "
      + "row; an empty line is a row without labels); line 5, after the last row, has labels"))
    #expect(problem("1\n2\n\nx 1\n", rows: 2) == "line 4: bad label 'x' (not a base-10 integer)")
    #expect(problem("1\n2\n\r\r\n", rows: 2).hasPrefix("line 3: a carriage return not followed by a line feed"))
    // A bad line among the rows is still the one named first.
    #expect(problem("1\nz\n5\n", rows: 2) == "line 2: bad label 'z' (not a base-10 integer)")
  }

  @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
  func theRowsParseAsInAFullParse(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let pieces = ["", "1", "2 3", " ,7\t", "-4", "12,13", "\r"]
    for _ in 0..<200 {
      let lines = (0..<Int.random(in: 0...30, using: &rng)).map { _ in
        pieces[Int.random(in: 0..<(pieces.count - 1), using: &rng)]
      }
      let text = lines.joined(separator: "\n") + (Bool.random(using: &rng) ? "\n" : "")
      let rows = Int.random(in: 0...lines.count, using: &rng)
      let whole = try parse(text, rows: nil).get()
      let trailingLabels = whole.count > rows && whole[rows...].contains { !$0.isEmpty }
      switch parse(text, rows: rows, threads: Int.random(in: 1...4, using: &rng)) {
      case .success(let got):
        #expect(!trailingLabels && got == Array(whole.prefix(rows)), "seed \(seed): \(text.debugDescription)")
      case .failure(let e):
        #expect(trailingLabels || whole.count < rows, "seed \(seed): \(e) for \(text.debugDescription)")
      }
    }
  }
}
