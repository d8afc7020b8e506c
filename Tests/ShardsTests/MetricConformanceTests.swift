import Foundation
import MAPKShards
import Testing
import TestSupport

/// Every library's numbers on the cases it produced (Fixtures/metrics, made
/// by Scripts/oracle/metrics_cases.py running TensorFlow 2.21, pytrec_eval,
/// ranx 0.3.21 and torchmetrics 1.9), reproduced through the library API
/// with that library's convention (its metric variants and its rule for rows
/// without labels), at 1 and 3 threads.
@Suite struct MetricConformanceTests {
  struct Case: Decodable {
    let name: String
    let predictions: String
    let labels: String
    let weights: String?
    let ks: [Int]
    let label_semantics: String
    /// Library → metric → k → value (nil: NaN).
    let expected: [String: [String: [String: Double?]]]
    /// Ranked-id cases (Fixtures/ranked-metrics): the pad and the classes, if given.
    let pad: Int64?
    let classes: Int?
  }

  /// Also the ranked-id cases' file (Fixtures/ranked-metrics).
  struct Cases: Decodable {
    let oracles: [String: String]
    let cases: [Case]
  }

  static let folder = FixtureFolder("metrics")

  static func load() throws -> Cases { try folder.load(Cases.self) }

  /// TensorFlow's `_at_top_k` variants are the same numbers as `precision` and `recall`.
  static func metric(named name: String) -> Metric? {
    Metric(name: ["precision_at_top_k": "precision", "recall_at_top_k": "recall"][name] ?? name)
  }

  /// Relative tolerance: torchmetrics computes in float32; the others in float64, in their own order.
  static func tolerance(_ library: String) -> Double { library == "torchmetrics" ? 2e-5 : 1e-12 }

  static func close(_ got: Double, _ want: Double?, tolerance: Double) -> Bool {
    guard let want else { return got.isNaN }
    return abs(got - want) <= tolerance * Swift.max(abs(want), Double.leastNormalMagnitude)
  }

  @Test func everyLibraryAndCaseIsThere() throws {
    let all = try Self.load()
    #expect(all.oracles["tensorflow"] == "2.21.0")
    #expect(Set(all.oracles.keys) == ["tensorflow", "trec_eval", "ranx", "torchmetrics"])
    #expect(all.cases.count == 5)
    for library in ["tensorflow", "trec_eval", "ranx", "torchmetrics"] {
      #expect(all.cases.filter { $0.expected[library] != nil }.count >= 2, "\(library)")
    }
    for c in all.cases {
      for (library, metrics) in c.expected {
        let convention = try #require(MetricConvention(rawValue: library))
        for name in metrics.keys {
          let metric = try #require(Self.metric(named: name), "\(name)")
          #expect(convention.metrics.contains(metric), "\(library) \(name)")
        }
      }
    }
  }

  @Test(arguments: ["tensorflow", "trec_eval", "ranx", "torchmetrics"])
  func libraryNumbersThroughTheAPI(library: String) throws {
    let convention = try #require(MetricConvention(rawValue: library))
    var compared = 0
    for c in try Self.load().cases {
      guard let expected = c.expected[library] else { continue }
      let path = Self.folder.path
      let inputs = try EvaluationInputs(
        predictions: path(c.predictions), labels: path(c.labels), weights: c.weights.map(path), threads: 2)
      #expect(inputs.labels.semantics.rawValue == c.label_semantics)
      let configuration = try MAPConfiguration(ks: c.ks, metrics: convention.metrics, emptyRows: convention.emptyRows)
      for threads in [1, 3] {
        let state = try Evaluator(threads: threads).evaluate(
          scores: inputs.scores, labels: inputs.labels, weights: inputs.weights, configuration: configuration)
        for (name, byK) in expected {
          let metric = try #require(Self.metric(named: name))
          for (k, want) in byK {
            let got = try #require(state.value(metric: metric, k: Int(k)!))
            #expect(Self.close(got, want, tolerance: Self.tolerance(library)),
                    "\(c.name) \(library) \(name)@\(k) (\(threads) threads): got \(got), expected \(String(describing: want))")
            compared += 1
          }
        }
      }
    }
    #expect(compared >= 2 * 2 * 4 * 3, "\(library): \(compared) numbers compared")
  }
}
