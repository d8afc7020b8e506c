import Foundation
import MAPKShards
import TestSupport
import Testing

/// The result has the same bits for any thread count, chunk size and input
/// path (mapped file, or any contiguous collection of Swift scores and any
/// form of Swift labels), on data with many ties.
@Suite struct ThreadInvarianceTests {
  func tieHeavy(rows: Int, classes: Int, seed: UInt64) -> (scores: [Float], labels: [[Int]], weights: [Double]) {
    var rng = SplitMix64(seed: seed)
    let scores = (0..<(rows * classes)).map { _ in Float(Int.random(in: 0..<5, using: &rng)) * 0.25 }
    let labels = (0..<rows).map { _ in
      (0..<Int.random(in: 0...4, using: &rng)).map { _ in Int.random(in: 0..<classes, using: &rng) }
    }
    let weights = (0..<rows).map { _ in Double(Int.random(in: 0...7, using: &rng)) / 3 }
    return (scores, labels, weights)
  }

  @Test(arguments: [1, 2, 3] as [UInt64])
  func identicalBitsForAnyThreadCountAndChunk(seed: UInt64) throws {
    let (scores, labelRows, weights) = tieHeavy(rows: 1_003, classes: 37, seed: seed)
    let configuration = try MAPConfiguration(ks: [1, 5, 10, 37], emptyRows: .zero)
    var reference: [UInt64]? = nil
    for threads in [1, 2, 3, 8, 64] {
      for chunkBytes in [1, 4_096, 1 << 22] {
        let state = try Evaluator(threads: threads, chunkBytes: chunkBytes).evaluate(
          scores: scores, classes: 37, labels: .dense(rows: labelRows), weights: .perRow(weights),
          configuration: configuration)
        let bits = state.values.map(\.bitPattern) + state.results.map(\.total.bitPattern)
        if let reference {
          #expect(bits == reference, "seed \(seed), \(threads) threads, chunk \(chunkBytes)")
        } else {
          reference = bits
        }
        #expect(state.rows == 1_003)
      }
    }
  }

  @Test func moreThreadsThanRows() throws {
    let (scores, labelRows, _) = tieHeavy(rows: 3, classes: 5, seed: 9)
    let configuration = try MAPConfiguration(ks: [2])
    let one = try Evaluator(threads: 1).evaluate(scores: scores, classes: 5, labels: .sparse(rows: labelRows),
                                                 configuration: configuration)
    let many = try Evaluator(threads: 64).evaluate(scores: scores, classes: 5, labels: .sparse(rows: labelRows),
                                                   configuration: configuration)
    #expect(one == many)
    let none = try Evaluator(threads: 8).evaluate(scores: [Float](), classes: 5, labels: .dense(rows: []),
                                                  configuration: configuration)
    #expect(none.values == [0])
  }

  @Test func arraysOfEveryTypeMatchAMappedFile() throws {
    let (scores, labelRows, weights) = tieHeavy(rows: 500, classes: 20, seed: 4)
    let dir = try TemporaryDirectory().url
    defer { try? FileManager.default.removeItem(at: dir) }
    let width = labelRows.map(\.count).max()!
    let flat = labelRows.flatMap { $0.map(Int64.init) + Array(repeating: -1, count: width - $0.count) }
    let configuration = try MAPConfiguration(ks: [3, 20], emptyRows: .skip)
    // Scores in 1/4 steps are exact in every float type: all three give the same ranking.
    let f16 = scores.map { Float16($0) }, f64 = scores.map { Double($0) }
    for (descr, payload) in [("<f4", NPYBytes.bytes(of: scores)), ("<f2", NPYBytes.bytes(of: f16)),
                             ("<f8", NPYBytes.bytes(of: f64))] {
      let pred = dir.appendingPathComponent("p\(descr.dropFirst()).npy").path
      try Data(NPYBytes.file(descr: descr, shape: [500, 20], payload: payload)).write(to: URL(fileURLWithPath: pred))
      let lab = try NPYBytes.write(flat, descr: "<i8", shape: [500, width], to: dir.appendingPathComponent("l.npy").path)
      let w = try NPYBytes.write(weights, descr: "<f8", shape: [500], to: dir.appendingPathComponent("w.npy").path)
      let inputs = try EvaluationInputs(predictions: pred, labels: lab, weights: w)
      let mapped = try Evaluator(threads: 3).evaluate(scores: inputs.scores, labels: inputs.labels,
                                                      weights: inputs.weights, configuration: configuration)
      let labels = Labels.dense(rows: labelRows)
      let fromFloat = try Evaluator(threads: 2).evaluate(scores: scores, classes: 20, labels: labels,
                                                         weights: .perRow(weights), configuration: configuration)
      let fromHalf = try Evaluator(threads: 5).evaluate(scores: f16, classes: 20, labels: labels,
                                                        weights: .perRow(weights), configuration: configuration)
      let fromDouble = try Evaluator(threads: 1).evaluate(scores: f64, classes: 20, labels: labels,
                                                          weights: .perRow(weights), configuration: configuration)
      #expect(mapped == fromFloat, "\(descr)")
      #expect(mapped == fromHalf, "\(descr)")
      #expect(mapped == fromDouble, "\(descr)")
    }
  }

  /// Every collection of scores and every form of labels gives the bits of
  /// `[Float]` with `[[Int]]` labels, for any thread count, with no unsafe
  /// code (but the `UnsafeBufferPointer` a caller may already hold).
  @Test(arguments: [6, 7] as [UInt64])
  func everyCollectionAndLabelFormGivesTheSameBits(seed: UInt64) throws {
    let rows = 300, classes = 20
    let (scores, labelRows, weights) = tieHeavy(rows: rows + 40, classes: classes, seed: seed)
    let configuration = try MAPConfiguration(ks: [1, 3, 20], emptyRows: .zero)
    // Rows 40..<340 of the generated ones: a slice that does not start at index 0.
    let slice = scores[(40 * classes)...]
    let labels = Array(labelRows[40...])
    let w = Array(weights[40...])
    let reference = try Evaluator(threads: 1).evaluate(
      scores: Array(slice), classes: classes, labels: .dense(rows: labels), weights: .perRow(w),
      configuration: configuration)
    let width = labels.map(\.count).max()!
    let padded32 = labels.flatMap { $0.map(Int32.init) + Array(repeating: -1, count: width - $0.count) }
    let labelForms: [(String, Labels)] = [
      ("[[Int32]]", .dense(rows: labels.map { $0.map(Int32.init) })),
      ("[[Int64]]", .dense(rows: labels.map { $0.map(Int64.init) })),
      ("[Int32] width", try .dense(padded32, width: width)),
      ("ArraySlice<Int64> width", try .dense(padded32.map(Int64.init)[...], width: width)),
    ]
    for threads in [1, 3, 8] {
      let evaluator = Evaluator(threads: threads, chunkBytes: 4_096)
      func check(_ what: String, _ state: MAPState) {
        #expect(state == reference, "seed \(seed), \(threads) threads: \(what)")
      }
      check("ArraySlice<Float>", try evaluator.evaluate(scores: slice, classes: classes, labels: .dense(rows: labels),
                                                         weights: .perRow(w), configuration: configuration))
      check("ContiguousArray<Float>", try evaluator.evaluate(
        scores: ContiguousArray(slice), classes: classes, labels: .dense(rows: labels), weights: .perRow(w),
        configuration: configuration))
      try Array(slice).withUnsafeBufferPointer { buffer in
        check("UnsafeBufferPointer<Float>", try evaluator.evaluate(
          scores: buffer, classes: classes, labels: .dense(rows: labels), weights: .perRow(w),
          configuration: configuration))
      }
      // Not contiguous: copied once, the same bits.
      check("lazy map", try evaluator.evaluate(scores: slice.lazy.map { $0 }, classes: classes,
                                               labels: .dense(rows: labels), weights: .perRow(w),
                                               configuration: configuration))
      for (name, form) in labelForms {
        check(name, try evaluator.evaluate(scores: slice, classes: classes, labels: form, weights: .perRow(w),
                                           configuration: configuration))
      }
      var streamed = StreamingAveragePrecision(configuration: configuration)
      for lower in stride(from: 0, to: rows, by: 70) {
        let upper = min(rows, lower + 70)
        try streamed.update(scores: slice[(slice.startIndex + lower * classes)..<(slice.startIndex + upper * classes)],
                            classes: classes, labels: .dense(rows: labels[lower..<upper].map { $0.map(Int32.init) }),
                            weights: .perRow(Array(w[lower..<upper])), evaluator: evaluator)
      }
      check("streamed ArraySlice<Float> with [[Int32]]", streamed.state)
    }
  }

  @Test func firstNaNIsReportedWhateverTheThreads() throws {
    var (scores, labelRows, _) = tieHeavy(rows: 2_000, classes: 16, seed: 5)
    scores[1_500 * 16 + 7] = .nan
    scores[700 * 16 + 3] = .nan
    scores[1_999 * 16] = .nan
    for threads in [1, 2, 8, 64] {
      #expect(throws: MAPKError.nanScore(row: 700, classIndex: 3), "\(threads) threads") {
        try Evaluator(threads: threads, chunkBytes: 64).evaluate(
          scores: scores, classes: 16, labels: .dense(rows: labelRows), configuration: MAPConfiguration(ks: [4]))
      }
    }
    let counted = try Evaluator(threads: 3).evaluate(
      scores: scores, classes: 16, labels: .dense(rows: labelRows),
      configuration: MAPConfiguration(ks: [4], emptyRows: .zero, nanScores: .largest))
    #expect(counted.nanScores == 3)
  }
}
