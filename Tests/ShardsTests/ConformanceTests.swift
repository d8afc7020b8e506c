import Foundation
import MAPKShards
import XCTest

/// Every case TensorFlow 2.21 (CPU, graph mode) produced:
/// Fixtures/conformance (hand-picked cases, see its README),
/// Fixtures/oracle-seed7 (random cases of every input kind, generator seed 7,
/// scale 2, with held-out cases) and Fixtures/oracle-extra
/// (`Scripts/oracle-extra.py`, seed 11: large k, float16 at large k, huge
/// labels, -0.0, infinities, rank-1 predictions). The expected numbers are
/// facts recorded from TensorFlow; `Scripts/oracle-extra.py` shows how such a
/// case is computed and makes more with TensorFlow installed. The metric, the per-row AP and the
/// streaming updates must match within 1e-12 relative, through the file
/// readers and the parallel evaluator.
final class ConformanceTests: XCTestCase {
  struct Case: Decodable {
    let name: String
    let k: Int
    let predictions: String
    let labels: String
    let weights: String?
    let expected_map: Double?
    let expected_per_row: [Double?]?
    let label_semantics: String
    let batch_bounds: [Int]?
    let expected_updates: [Double]?
  }

  struct Suite: Decodable { let cases: [Case] }

  static let suites = ["conformance", "oracle-seed7", "oracle-extra"]

  static func directory(_ suite: String) -> URL {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(suite)")
  }

  static func loadCases() throws -> [(suite: String, Case)] {
    try suites.flatMap { suite in
      let data = try Data(contentsOf: directory(suite).appendingPathComponent("cases.json"))
      return try JSONDecoder().decode(Suite.self, from: data).cases.map { (suite, $0) }
    }
  }

  func assertClose(_ got: Double, _ expected: Double?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    guard let expected else {
      XCTAssertTrue(got.isNaN, "\(what): expected NaN, got \(got)", file: file, line: line)
      return
    }
    let tolerance = 1e-12 * Swift.max(abs(expected), Double.leastNormalMagnitude)
    XCTAssertLessThanOrEqual(abs(got - expected), tolerance, "\(what): got \(got), expected \(expected)",
                             file: file, line: line)
  }

  func open(_ suite: String, _ c: Case, threads: Int = 3) throws -> EvaluationInputs {
    let dir = Self.directory(suite)
    return try EvaluationInputs(
      predictions: dir.appendingPathComponent(c.predictions).path,
      labels: dir.appendingPathComponent(c.labels).path,
      weights: c.weights.map { dir.appendingPathComponent($0).path }, threads: threads)
  }

  func testEveryCaseHasTheExpectedSemantics() throws {
    for (suite, c) in try Self.loadCases() {
      let inputs = try open(suite, c)
      XCTAssertEqual(inputs.labels.semantics.rawValue, c.label_semantics, c.name)
    }
  }

  func testMetricMatchesTensorFlow() throws {
    let cases = try Self.loadCases()
    XCTAssertGreaterThanOrEqual(cases.count, 31 + 36 + 10)
    for (suite, c) in cases {
      let inputs = try open(suite, c)
      for threads in [1, 4] {
        let state = try Evaluator(threads: threads).evaluate(
          scores: inputs.scores, labels: inputs.labels, weights: inputs.weights,
          configuration: MAPConfiguration(ks: [c.k]))
        assertClose(state.values[0], c.expected_map, "\(c.name) map (\(threads) threads)")
      }
    }
  }

  func testPerRowMatchesTensorFlow() throws {
    for (suite, c) in try Self.loadCases() {
      guard let expected = c.expected_per_row else { continue }
      let inputs = try open(suite, c)
      var perRow = [Double](repeating: -1, count: inputs.rows)
      _ = try perRow.withUnsafeMutableBufferPointer { buffer in
        try Evaluator(threads: 2).evaluate(
          scores: inputs.scores, labels: inputs.labels, weights: inputs.weights,
          configuration: MAPConfiguration(ks: [c.k]), perRow: PerRowSink(base: buffer.baseAddress!))
      }
      XCTAssertEqual(perRow.count, expected.count, c.name)
      for (i, (got, want)) in zip(perRow, expected).enumerated() {
        assertClose(got, want, "\(c.name) row \(i)")
      }
    }
  }

  func testStreamingUpdatesMatchTensorFlow() throws {
    let streaming = try Self.loadCases().filter { $0.1.batch_bounds != nil }
    XCTAssertEqual(streaming.count, 2)
    for (suite, c) in streaming {
      let inputs = try open(suite, c)
      let bounds = c.batch_bounds!, expected = c.expected_updates!
      var metric = try StreamingAveragePrecision(configuration: MAPConfiguration(ks: [c.k]))
      for (i, (a, b)) in zip(bounds, bounds.dropFirst()).enumerated() {
        let batch = try Evaluator(threads: 3).evaluate(
          scores: inputs.scores, labels: inputs.labels, weights: inputs.weights,
          configuration: metric.configuration, rows: a..<b)
        let running = try metric.add(batch)
        assertClose(running[0], expected[i], "\(c.name) update \(i)")
      }
      assertClose(metric.value[0], c.expected_map, "\(c.name) final value")
    }
  }
}
