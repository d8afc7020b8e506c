import Foundation
import MAPKShards
import TestSupport
import Testing

/// `MAPState.encodedState()` and its strict reading: exact round trips,
/// canonical bytes, and refusals that name the problem.
@Suite struct MAPStateEncodingTests {
  /// A state of random rows with random weights, policies and ks.
  static func state(seed: UInt64) throws -> MAPState {
    var rng = SplitMix64(seed: seed)
    let rows = Int.random(in: 0...300, using: &rng), classes = Int.random(in: 5...40, using: &rng)
    let scores = (0..<(rows * classes)).map { _ in Float(Int.random(in: 0..<6, using: &rng)) }
    let labels = (0..<rows).map { _ in (0..<Int.random(in: 0...3, using: &rng)).map { _ in Int.random(in: 0..<classes, using: &rng) } }
    let weights = (0..<rows).map { _ in Double.random(in: 0..<1e6, using: &rng) }
    let configuration = try MAPConfiguration(
      ks: (0..<Int.random(in: 1...4, using: &rng)).map { _ in Int.random(in: 1...classes, using: &rng) },
      emptyRows: EmptyRowPolicy.allCases.randomElement(using: &rng)!)
    return try Evaluator(threads: 2).evaluate(scores: scores, classes: classes, labels: .sparse(rows: labels),
                                              weights: .perRow(weights), configuration: configuration)
  }

  @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
  func roundTripIsExact(seed: UInt64) throws {
    let state = try Self.state(seed: seed)
    let bytes = state.encodedState()
    let decoded = try MAPState(encodedState: bytes)
    #expect(decoded == state, "seed \(seed)")
    #expect(decoded.encodedState() == bytes, "seed \(seed): the same state gives the same bytes")
    #expect(decoded.values.map(\.bitPattern) == state.values.map(\.bitPattern), "seed \(seed)")
  }

  @Test func refusalsNameTheProblem() throws {
    let text = String(decoding: try Self.state(seed: 9).encodedState(), as: UTF8.self)
    func problem(_ edited: String) -> String? {
      do { _ = try MAPState(encodedState: Array(edited.utf8)); return nil } catch { return "\(error)" }
    }
    #expect(problem("") == "not a mapk metric state (not a JSON object)")
    #expect(problem("{\"format\": \"mapk-state\", \"version\": 2}")?.contains("no \"format\": \"mapk-metric-state\"") == true)
    #expect(problem(text.replacingOccurrences(of: "\"version\":1", with: "\"version\":3"))?.contains("version 3") == true)
    #expect(problem(text.replacingOccurrences(of: "\"nan_policy\":\"error\"", with: "\"nan_policy\":\"x\""))?
      .contains("nan_policy 'x' is not one of") == true)
    #expect(problem(text.replacingOccurrences(of: "\"nan_scores\":0", with: "\"nan_scores\":-1"))?.contains("counts out of range") == true)
    #expect(problem(text.replacingOccurrences(of: "\"exact\":\"0x", with: "\"exact\":\"0X"))?
      .hasPrefix("bad metric state: sums[0].totals[0]") == true)
  }
}
