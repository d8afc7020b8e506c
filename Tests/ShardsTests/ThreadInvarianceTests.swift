import Foundation
import MAPKShards
import TestSupport
import XCTest

/// The result has the same bits for any thread count, chunk size and input
/// path (mapped file or Swift arrays), on data with many ties.
final class ThreadInvarianceTests: XCTestCase {
  func tieHeavy(rows: Int, classes: Int, seed: UInt64) -> (scores: [Float], labels: [[Int]], weights: [Double]) {
    var rng = SplitMix64(seed: seed)
    let scores = (0..<(rows * classes)).map { _ in Float(Int.random(in: 0..<5, using: &rng)) * 0.25 }
    let labels = (0..<rows).map { _ in
      (0..<Int.random(in: 0...4, using: &rng)).map { _ in Int.random(in: 0..<classes, using: &rng) }
    }
    let weights = (0..<rows).map { _ in Double(Int.random(in: 0...7, using: &rng)) / 3 }
    return (scores, labels, weights)
  }

  func testIdenticalBitsForAnyThreadCountAndChunk() throws {
    for seed: UInt64 in [1, 2, 3] {
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
            XCTAssertEqual(bits, reference, "seed \(seed), \(threads) threads, chunk \(chunkBytes)")
          } else {
            reference = bits
          }
          XCTAssertEqual(state.rows, 1_003)
        }
      }
    }
  }

  func testMoreThreadsThanRows() throws {
    let (scores, labelRows, _) = tieHeavy(rows: 3, classes: 5, seed: 9)
    let configuration = try MAPConfiguration(ks: [2])
    let one = try Evaluator(threads: 1).evaluate(scores: scores, classes: 5, labels: .sparse(rows: labelRows),
                                                 configuration: configuration)
    let many = try Evaluator(threads: 64).evaluate(scores: scores, classes: 5, labels: .sparse(rows: labelRows),
                                                   configuration: configuration)
    XCTAssertEqual(one, many)
    let none = try Evaluator(threads: 8).evaluate(scores: [Float](), classes: 5, labels: .dense(rows: []),
                                                  configuration: configuration)
    XCTAssertEqual(none.values, [0])
  }

  func testArraysOfEveryTypeMatchAMappedFile() throws {
    let (scores, labelRows, weights) = tieHeavy(rows: 500, classes: 20, seed: 4)
    let dir = try makeTemporaryDirectory()
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
      XCTAssertEqual(mapped, fromFloat, descr)
      XCTAssertEqual(mapped, fromHalf, descr)
      XCTAssertEqual(mapped, fromDouble, descr)
    }
  }

  func testFirstNaNIsReportedWhateverTheThreads() throws {
    var (scores, labelRows, _) = tieHeavy(rows: 2_000, classes: 16, seed: 5)
    scores[1_500 * 16 + 7] = .nan
    scores[700 * 16 + 3] = .nan
    scores[1_999 * 16] = .nan
    for threads in [1, 2, 8, 64] {
      XCTAssertThrowsError(try Evaluator(threads: threads, chunkBytes: 64).evaluate(
        scores: scores, classes: 16, labels: .dense(rows: labelRows), configuration: MAPConfiguration(ks: [4]))
      ) { XCTAssertEqual($0 as? MAPKError, .nanScore(row: 700, classIndex: 3), "\(threads) threads") }
    }
    let counted = try Evaluator(threads: 3).evaluate(
      scores: scores, classes: 16, labels: .dense(rows: labelRows),
      configuration: MAPConfiguration(ks: [4], emptyRows: .zero, nanScores: .largest))
    XCTAssertEqual(counted.nanScores, 3)
  }
}
