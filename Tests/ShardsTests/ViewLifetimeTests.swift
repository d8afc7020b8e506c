import Foundation
import TestSupport
import Testing

@testable import MAPKShards

/// Views handed out by ``EvaluationInputs`` hold the owner of their memory:
/// returned from a function, with the inputs object gone and the files
/// deleted, they still evaluate to the right values.
@Suite struct ViewLifetimeTests {
  // Scores, ranked per row: r0 0 2 3 1; r1 1 2 3 0; r2 3 2 1 0.
  // Labels: r0 {2} (hit at rank 2), r1 {1, 0} (ranks 1 and 4), r2 {3} (rank 1).
  // AP@1: 0, 1, 1; AP@2: 1/2 / 1, 1/1 / 2, 1 = 0.5, 0.5, 1.
  // Unweighted MAP@1 = 2/3, MAP@2 = 2/3; weights 1, 2, 0: MAP@1 = 2/3, MAP@2 = (0.5 + 1) / 3 = 0.5.
  static let scores: [Float] = [0.9, 0.1, 0.5, 0.3, 0.2, 0.8, 0.6, 0.4, 0.1, 0.2, 0.3, 0.4]

  /// Writes the labels in `format` and returns their path.
  static func writeLabels(_ format: LabelFormat, in dir: TemporaryDirectory) throws -> String {
    switch format {
    case .dense:
      return try NPYBytes.write([Int64](arrayLiteral: 2, -1, 1, 0, 3, -1), descr: "<i8", shape: [3, 2],
                                to: dir.file("l.npy"))
    case .text:
      try Data("2\n1 0\n3\n".utf8).write(to: URL(fileURLWithPath: dir.file("l.txt")))
      return dir.file("l.txt")
    case .csr:
      let p: [Int32] = [0, 1, 3, 4], c: [Int32] = [2, 1, 0, 3]
      let members = [
        TestZip.Member("indices.npy", NPYBytes.file(descr: "<i4", shape: [4], payload: NPYBytes.bytes(of: c))),
        TestZip.Member("indptr.npy", NPYBytes.file(descr: "<i4", shape: [4], payload: NPYBytes.bytes(of: p))),
        TestZip.Member("format.npy", NPYBytes.file(descr: "|S3", shape: [], payload: Array("csr".utf8))),
        TestZip.Member("shape.npy", NPYBytes.file(descr: "<i8", shape: [2], payload: NPYBytes.bytes(of: [Int64(3), 4]))),
        TestZip.Member("data.npy", NPYBytes.file(descr: "<f4", shape: [4],
                                                 payload: NPYBytes.bytes(of: [Float](repeating: 1, count: 4)))),
      ]
      try Data(TestZip(members: members).bytes()).write(to: URL(fileURLWithPath: dir.file("l.npz")))
      return dir.file("l.npz")
    case .ivecs:
      let words: [Int32] = [1, 2, 2, 1, 0, 1, 3]
      try words.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: dir.file("l.ivecs")))
      return dir.file("l.ivecs")
    case .multihot:
      let flags: [UInt8] = [0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1]
      return try NPYBytes.write(flags, descr: "|b1", shape: [3, 4], to: dir.file("l.npy"))
    }
  }

  /// Opens the inputs, keeps only their views, and reports whether the inputs object is gone.
  static func views(_ format: LabelFormat, weighted: Bool, in dir: TemporaryDirectory) throws
    -> (scores: ScoreMatrix, labels: LabelRows, weights: RowWeights, inputsDropped: Bool)
  {
    weak var dropped: EvaluationInputs?
    let (scores, labels, weights) = try { () throws -> (ScoreMatrix, LabelRows, RowWeights) in
      let pred = try NPYBytes.write(Self.scores, descr: "<f4", shape: [3, 4], to: dir.file("p.npy"))
      let weights = weighted
        ? try NPYBytes.write([Double](arrayLiteral: 1, 2, 0), descr: "<f8", shape: [3], to: dir.file("w.npy")) : nil
      let inputs = try EvaluationInputs(predictions: pred, labels: try writeLabels(format, in: dir), weights: weights)
      dropped = inputs
      return (inputs.scores, inputs.labels, inputs.weights)
    }()
    return (scores, labels, weights, dropped == nil)
  }

  @Test(arguments: LabelFormat.allCases, [false, true])
  func viewsOutliveTheirInputs(format: LabelFormat, weighted: Bool) throws {
    let dir = try TemporaryDirectory("ViewLifetime-\(format)-\(weighted)")
    defer { dir.remove() }
    let v = try Self.views(format, weighted: weighted, in: dir)
    #expect(v.inputsDropped)
    dir.remove()  // the mappings stay; the parsed labels are in memory
    #expect(v.scores.owner != nil && v.labels.owner != nil && (v.weights.owner != nil) == weighted)
    let state = try Evaluator(threads: 2).evaluate(
      scores: v.scores, labels: v.labels, weights: v.weights, configuration: MAPConfiguration(ks: [1, 2]))
    let expected = weighted ? [2.0 / 3, 0.5] : [2.0 / 3, 2.0 / 3]
    #expect(zip(state.values, expected).allSatisfy { abs($0 - $1) < 1e-12 }, "\(state.values) vs \(expected)")
    #expect(state.values.count == 2)
  }
}
