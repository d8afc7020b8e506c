import MAPKShards
@testable import MAPKTooling
import TestSupport
import Testing

/// `-k` lists are bounded before they are built, and generated rows longer
/// than a block are made in pieces with the same values.
@Suite struct HostileArgumentTests {
  @Test func kListsAreTheirDistinctKsAscending() throws {
    #expect(try parseKList("10,1-3,2,3-4,100") == [1, 2, 3, 4, 10, 100])
    #expect(try parseKList("5") == [5])
    let copies = Array(repeating: "1-999999", count: 1000).joined(separator: ",")
    let ks = try parseKList(copies)
    #expect(ks.count == 999_999 && ks.first == 1 && ks.last == 999_999)
    #expect(try parseKList("1-500000,500001-1000000").count == StateFile.maximumKCount)
    // One past the limit, however it is spelled (checked on the count, before any list is built).
    #expect((try? parseKList("1-500000,500002-1000002"))?.count == nil)
    #expect((try? parseKList("1-1000001"))?.count == nil)
    #expect((try? parseKList("2147483648"))?.count == nil)
    #expect((try? parseKList("1-9223372036854775807"))?.count == nil)
    #expect(try parseKList("2147483647") == [2_147_483_647])
    #expect(throws: UsageError.self) { try parseKList("3-1") }
    #expect(throws: UsageError.self) { try parseKList("0") }
  }

  @Test(arguments: [1, 2, 3] as [UInt64])
  func rowsMadeInPiecesHaveTheSameScores(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let classes = Int.random(in: 1...5000, using: &rng)
    let g = try Generator(rows: 5, classes: classes, labelsPerRow: min(classes, 7), seed: seed)
    let labels = UnsafeMutablePointer<Int32>.allocate(capacity: 7)
    let whole = UnsafeMutablePointer<Float>.allocate(capacity: classes)
    let piece = UnsafeMutablePointer<Float>.allocate(capacity: classes)
    defer { labels.deallocate(); whole.deallocate(); piece.deallocate() }
    for r in 0..<5 {
      let m = g.labels(ofRow: r, into: labels)
      let rowLabels = UnsafeBufferPointer(start: labels, count: m)
      g.scores(ofRow: r, labels: rowLabels, into: whole)
      var start = 0
      while start < classes {
        let end = min(classes, start + Int.random(in: 1...700, using: &rng))
        g.scores(ofRow: r, labels: rowLabels, columns: start..<end, into: piece)
        for c in start..<end where piece[c - start] != whole[c] {
          Issue.record("seed \(seed): row \(r) class \(c): \(piece[c - start]) in pieces, \(whole[c]) whole")
        }
        start = end
      }
    }
  }

  @Test func tooManyLabelsPerRowAreRefused() {
    #expect(throws: (any Error).self) {
      try Generator(rows: 1, classes: 1 << 20, labelsPerRow: Generator.maximumLabelsPerRow + 1, seed: 1)
    }
    #expect((try? Generator(rows: 1, classes: 1 << 20, labelsPerRow: Generator.maximumLabelsPerRow, seed: 1)) != nil)
  }
}
