@testable import mapk
import MAPKShards
import MAPKTooling
import TestSupport
import XCTest

/// The blocked pass behind `--per-row` and `--plot` against one plain call.
final class EvalPassTests: XCTestCase {
  func testBlocksGiveTheSameBitsAsOneCall() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let files = try Generator(rows: 1001, classes: 30, labelsPerRow: 4, seed: 2)
      .write(prefix: dir.file("d"), scoreType: .float32, labelFormat: .dense, threads: 2)
    let inputs = try EvaluationInputs(predictions: files.predictions, labels: files.labels)
    let configuration = try MAPConfiguration(ks: [1, 4, 9])
    let whole = try Evaluator(threads: 2).evaluate(
      scores: inputs.scores, labels: inputs.labels, configuration: configuration)
    let reference = UnsafeMutableBufferPointer<Double>.allocate(capacity: 1001 * 3)
    defer { reference.deallocate() }
    _ = try Evaluator(threads: 1).evaluate(
      scores: inputs.scores, labels: inputs.labels, configuration: configuration,
      perRow: PerRowSink(base: reference.baseAddress!))

    // 7 rows of 3 ks per block: 143 blocks, the last one short.
    var pass = EvalPass(evaluator: Evaluator(threads: 3), perRowPath: dir.file("ap.npy"), histogram: true)
    pass.blockBytes = 7 * 3 * 8
    let counter = EvaluationProgress()
    pass.progress = counter
    let outcome = try pass.run(inputs, configuration: configuration, protecting: [])
    XCTAssertEqual(outcome.state, whole)
    XCTAssertEqual(counter.rowsDone, 1001)
    XCTAssertEqual(outcome.perRowShape, [1001, 3])
    let written = try NPYArray(path: dir.file("ap.npy"))
    let values = written.data.assumingMemoryBound(to: Double.self)
    for i in 0..<(1001 * 3) where values[i].bitPattern != reference[i].bitPattern {
      return XCTFail("value \(i): \(values[i]) vs \(reference[i])")
    }
    var expected = APHistogram(bins: 20)
    for r in 0..<1001 { expected.add(reference[r * 3 + 2]) }
    XCTAssertEqual(outcome.histogram, expected)
    XCTAssertEqual(expected.total, 1001)

    // A shard's rows: shape [count, ks], the same values.
    pass.perRowPath = dir.file("part.npy")
    let part = try pass.run(inputs, configuration: configuration, rows: 100..<250, protecting: [])
    XCTAssertEqual(part.perRowShape, [150, 3])
    let partArray = try NPYArray(path: dir.file("part.npy"))  // keeps the mapping alive
    let partValues = partArray.data.assumingMemoryBound(to: Double.self)
    for i in 0..<(150 * 3) where partValues[i].bitPattern != reference[300 + i].bitPattern {
      return XCTFail("shard value \(i)")
    }
    withExtendedLifetime(partArray) {}
    withExtendedLifetime(written) {}
  }

  func testHistogramBins() {
    var h = APHistogram(bins: 4)
    for v in [0, 0.24, 0.25, 0.5, 0.99, 1, .nan] { h.add(v) }
    XCTAssertEqual(h.counts, [2, 1, 1, 2])
    XCTAssertEqual(h.missing, 1)
    XCTAssertEqual(h.total, 6)
  }
}
