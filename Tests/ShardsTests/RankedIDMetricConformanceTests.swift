import Foundation
import MAPKKernel
import MAPKShards
import Testing
import TestSupport

/// Ranked ids, every metric: each library's numbers on the ranked-id cases
/// it produced (Fixtures/ranked-metrics, made by
/// `Scripts/oracle/metrics_cases.py --ids`, seed 1313: TensorFlow 2.21's
/// `_streaming_sparse_average_precision_at_top_k`, `precision_at_top_k`,
/// `recall_at_top_k`; pytrec_eval; ranx 0.3.21; torchmetrics 1.9), evaluated
/// from the ids with that library's convention (its metric variants and its
/// rule for rows without labels), at 1 and 3 threads and tiny chunks, with
/// and without per-row output (the counted and the direct path).
@Suite struct RankedIDMetricConformanceTests {
  typealias Cases = MetricConformanceTests.Cases

  static let folder = FixtureFolder("ranked-metrics")

  @Test func everyLibraryAndMetricIsThere() throws {
    let all = try Self.folder.load(Cases.self)
    #expect(all.oracles["tensorflow"] == "2.21.0")
    #expect(all.cases.count == 4)
    #expect(Set(all.cases.map(\.label_semantics)) == ["dense", "sparse"])
    #expect(all.cases.contains { $0.weights != nil } && all.cases.contains { $0.classes != nil })
    for library in ["tensorflow", "trec_eval", "ranx", "torchmetrics"] {
      let convention = try #require(MetricConvention(rawValue: library))
      let cases = all.cases.filter { $0.expected[library] != nil }
      #expect(cases.count >= 3, "\(library)")
      // Every metric of the library's convention has its numbers in every case it produced.
      for c in cases {
        let names = Set(try #require(c.expected[library]).keys)
        #expect(names == Set(convention.metrics.map(\.name)), "\(c.name) \(library): \(names.sorted())")
      }
    }
  }

  @Test(arguments: ["tensorflow", "trec_eval", "ranx", "torchmetrics"])
  func libraryNumbersFromRankedIDs(library: String) throws {
    let convention = try #require(MetricConvention(rawValue: library))
    var compared = 0
    for c in try Self.folder.load(Cases.self).cases {
      guard let expected = c.expected[library] else { continue }
      let path = Self.folder.path
      let configuration = try MAPConfiguration(ks: c.ks, metrics: convention.metrics, emptyRows: convention.emptyRows)
      var states: [MAPState] = []
      for threads in [1, 3] {
        let inputs = try EvaluationInputs(
          predictions: path(c.predictions), labels: path(c.labels), weights: c.weights.map(path), threads: threads,
          rankedIDs: RankedIDReading(pad: try #require(c.pad), classes: c.classes))
        #expect(inputs.rankedIDs != nil && inputs.labels.semantics.rawValue == c.label_semantics, "\(c.name)")
        // 64-byte chunks: a few rows each, so chunks and workers split the rows.
        let state = try Evaluator(threads: threads, chunkBytes: 64).evaluate(inputs, configuration: configuration)
        states.append(state)
        for (name, byK) in expected {
          let metric = try #require(Metric(name: name), "\(name)")
          for (k, want) in byK {
            let got = try #require(state.value(metric: metric, k: Int(k)!))
            // The tolerances: torchmetrics in float32, the others in float64.
            #expect(MetricConformanceTests.close(got, want, tolerance: MetricConformanceTests.tolerance(library)),
                    "\(c.name) \(library) \(name)@\(k) (\(threads) threads): got \(got), expected \(String(describing: want))")
            compared += 1
          }
        }
      }
      // The same bits for any thread count and chunking.
      #expect(states[0] == states[1], "\(c.name) \(library)")
    }
    #expect(compared >= 3 * 2 * 4 * 3, "\(library): \(compared) numbers compared")
  }

  /// Per-row output takes the direct path (no counting by outcome): the
  /// same state, bit for bit, and per-row values whose mean is the metric.
  @Test func perRowOutputGivesTheSameState() throws {
    let c = try #require(try Self.folder.load(Cases.self).cases.first { $0.name == "ids_sparse" })
    let path = Self.folder.path
    let inputs = try EvaluationInputs(predictions: path(c.predictions), labels: path(c.labels), weights: nil,
                                      threads: 2, rankedIDs: RankedIDReading(pad: try #require(c.pad), classes: c.classes))
    let convention = MetricConvention.ranx
    let configuration = try MAPConfiguration(ks: c.ks, metrics: convention.metrics, emptyRows: convention.emptyRows)
    let rows = inputs.labels.rows
    let columns = configuration.metrics.count * c.ks.count
    let buffer = UnsafeMutablePointer<Double>.allocate(capacity: rows * columns)
    defer { buffer.deallocate() }
    let counted = try Evaluator(threads: 2, chunkBytes: 64).evaluate(inputs, configuration: configuration)
    let direct = try Evaluator(threads: 2, chunkBytes: 64).evaluate(
      inputs, configuration: configuration, perRow: PerRowSink(base: buffer, firstRow: 0))
    #expect(counted == direct)
    // ranx: every row counts (rows without labels score 0), so each metric is the plain mean of its column.
    for j in 0..<columns {
      var sum = 0.0
      for r in 0..<rows { sum += buffer[r * columns + j] }
      let metric = configuration.metrics[j / c.ks.count], k = c.ks[j % c.ks.count]
      let got = try #require(direct.value(metric: metric, k: k))
      #expect(abs(got - sum / Double(rows)) <= 1e-12, "\(metric.name)@\(k)")
    }
  }
}
