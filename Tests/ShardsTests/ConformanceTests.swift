import Foundation
import MAPKShards
import XCTest

/// Every case TensorFlow produced in Fixtures/conformance (copied from
/// ../shared/conformance): the metric, the per-row AP and the streaming
/// updates, within 1e-12 relative, through the file readers and the parallel
/// evaluator.
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

  static var directory: URL {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/conformance")
  }

  static func loadCases() throws -> [Case] {
    let data = try Data(contentsOf: directory.appendingPathComponent("cases.json"))
    return try JSONDecoder().decode(Suite.self, from: data).cases
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

  func open(_ c: Case, threads: Int = 3) throws -> EvaluationInputs {
    let dir = Self.directory
    return try EvaluationInputs(
      predictions: dir.appendingPathComponent(c.predictions).path,
      labels: dir.appendingPathComponent(c.labels).path,
      weights: c.weights.map { dir.appendingPathComponent($0).path }, threads: threads)
  }

  func testEveryCaseHasTheExpectedSemantics() throws {
    for c in try Self.loadCases() {
      let inputs = try open(c)
      XCTAssertEqual(inputs.labels.semantics.rawValue, c.label_semantics, c.name)
    }
  }

  func testMetricMatchesTensorFlow() throws {
    let cases = try Self.loadCases()
    XCTAssertGreaterThanOrEqual(cases.count, 31)
    for c in cases {
      let inputs = try open(c)
      for threads in [1, 4] {
        let state = try Evaluator(threads: threads).evaluate(
          scores: inputs.scores, labels: inputs.labels, weights: inputs.weights,
          configuration: MAPConfiguration(ks: [c.k]))
        assertClose(state.values[0], c.expected_map, "\(c.name) map (\(threads) threads)")
      }
    }
  }

  func testPerRowMatchesTensorFlow() throws {
    for c in try Self.loadCases() {
      guard let expected = c.expected_per_row else { continue }
      let inputs = try open(c)
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
    let streaming = try Self.loadCases().filter { $0.batch_bounds != nil }
    XCTAssertFalse(streaming.isEmpty)
    for c in streaming {
      let inputs = try open(c)
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
