@testable import MAPKShards
import MAPKKernel
import TestSupport
import Testing

/// Thread counts from 1 to `Int.max`: clamped to ``Evaluator/maximumThreads``,
/// no arithmetic overflows, and the bits never change.
@Suite struct ThreadLimitTests {
  @Test func threadCountsAreClamped() {
    #expect(Evaluator(threads: 1 << 58).threads == Evaluator.maximumThreads)
    #expect(Evaluator(threads: .max).threads == Evaluator.maximumThreads)
    #expect(Evaluator(threads: 0).threads == 1)
    #expect(Evaluator(threads: .min).threads == 1)
    var e = Evaluator(threads: 3)
    e.threads = .max
    #expect(e.threads == Evaluator.maximumThreads)
    let huge = Evaluator(threads: .max, chunkBytes: .max, chunksPerThread: .max)
    #expect(huge.rowsPerChunk(rows: .max, rowBytes: .max) >= 1)
    #expect(huge.rowsPerChunk(rows: 100, rowBytes: 1) >= 1)
  }

  @Test(arguments: [7, 8] as [UInt64])
  func theBitsDoNotDependOnTheThreads(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let rows = 300, classes = 40
    let scores = (0..<(rows * classes)).map { _ in Float(Int.random(in: 0..<16, using: &rng)) / 16 }
    let labels = (0..<rows).map { _ in [Int32.random(in: 0..<Int32(classes), using: &rng)] }
    let c = try MAPConfiguration(ks: [1, 5, 40])
    let one = try Evaluator(threads: 1).evaluate(scores: scores, classes: classes, labels: .dense(rows: labels),
                                                 configuration: c)
    for threads in [2, 4096, 1 << 58, .max] {
      let many = try Evaluator(threads: threads, chunksPerThread: 1 << 40)
        .evaluate(scores: scores, classes: classes, labels: .dense(rows: labels), configuration: c)
      #expect(many == one, "seed \(seed), \(threads) threads")
    }
  }

  @Test func textLabelsParseWithAnyThreadCount() throws {
    let text = Array("1 2\n\n3\n".utf8)
    for threads in [1, 4096, 1 << 61, .max] {
      let (offsets, values) = try text.withUnsafeBytes {
        try TextLabels.parse($0, rows: 3, threads: threads, path: "l.txt")
      }
      defer {
        offsets.deallocate()
        values.deallocate()
      }
      #expect(Array(offsets) == [0, 2, 2, 3] && Array(values.prefix(3)) == [1, 2, 3], "\(threads) threads")
    }
  }
}
