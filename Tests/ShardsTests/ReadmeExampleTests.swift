import MAPKShards
import TestSupport
import Testing

/// The README's Swift examples, as written there, compile and run.
@Suite struct ReadmeExampleTests {
  struct Batch {
    let scores: ArraySlice<Float>
    let labels: [[Int32]]
  }

  @Test func streamingExample() throws {
    var rng = SplitMix64(seed: 12)
    let classes = 1000
    let rows = 7
    let all = (0..<(rows * classes)).map { _ in Float.random(in: 0..<1, using: &rng) }
    let labels: [[Int32]] = (0..<rows).map { _ in (0..<3).map { _ in Int32.random(in: 0..<1000, using: &rng) } }
    let batches = [Batch(scores: all[0..<(3 * classes)], labels: Array(labels[0..<3])),
                   Batch(scores: all[(3 * classes)...], labels: Array(labels[3...]))]

    // README.md, "From Swift": the streaming example.
    var streaming = StreamingAveragePrecision(configuration: try MAPConfiguration(ks: [1, 10]))
    for batch in batches {  // batch.scores: ArraySlice<Float> (rows × classes), batch.labels: [[Int32]]
      try streaming.update(scores: batch.scores, classes: 1000, labels: .dense(rows: batch.labels))
    }
    print(streaming.value(k: 10)!)  // MAP@10

    // The same rows at once, in parallel, give the same bits.
    let once = try Evaluator(threads: 3).evaluate(scores: all, classes: classes, labels: .dense(rows: labels),
                                                  configuration: try MAPConfiguration(ks: [1, 10]))
    #expect(streaming.state == once)
    let doubles = (0..<rows).map { r in all[(r * classes)..<((r + 1) * classes)].map(Double.init) }
    let expected = ReferenceMAP.value(.averagePrecision, scores: doubles, labels: labels.map { $0.map(Int.init) },
                                      k: 10, semantics: .dense)
    #expect(abs(streaming.value(k: 10)! - expected) <= 1e-12)
  }

  @Test func parallelUpdateOfSlices() throws {
    let scores: [Float] = [0.1, 0.3, 0.2, 0.9, 0.5, 0.1]
    var metric = StreamingAveragePrecision(configuration: try MAPConfiguration(ks: [1, 2]))
    try metric.update(scores: scores[0..<3], classes: 3, labels: try .dense([2] as [Int32], width: 1),
                      evaluator: Evaluator(threads: 2))
    try metric.update(scores: scores[3...], classes: 3, labels: .dense(rows: [[0]] as [[Int64]]),
                      evaluator: Evaluator(threads: 2))
    // Row 0: the label at rank 2 (AP@1 0, AP@2 1/2); row 1: at rank 1.
    #expect(metric.value == [0.5, 0.75])
  }
}
