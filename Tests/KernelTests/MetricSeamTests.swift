import Foundation
import MAPKKernel
import TestSupport
import Testing

/// The metric seam: the registry, the configuration's validation (in code
/// and on decoding), reading values per (metric, k), and streaming Swift
/// arrays, slices and 32-bit labels with no unsafe code.
@Suite struct MetricSeamTests {
  @Test func registryNamesAndAggregation() {
    #expect(Metric.allCases.map(\.name) == ["map", "map_trec", "map_torch", "precision", "precision_torch", "recall",
                                            "recall_macro", "recall_torch", "ndcg", "mrr", "mrr_torch", "hit"])
    #expect(Metric.allCases.map(\.displayName) == ["MAP", "MAP(trec)", "MAP(torch)", "P", "P(torch)", "R", "R(macro)",
                                                   "R(torch)", "nDCG", "MRR", "MRR(torch)", "Hit"])
    #expect(Metric.allCases.filter { $0.aggregation == .pooled } == [.precision, .torchPrecision, .recall])
    #expect(Metric.averagePrecision.name == "map")
    #expect(Metric.averagePrecision.displayName == "MAP")
    #expect(Metric.averagePrecision.rowName == "AP")
    #expect(Metric.averagePrecision.aggregation == .weightedMean)
    #expect(Metric(name: "map") == .averagePrecision)
    #expect(Metric(name: "MAP") == nil)
  }

  @Test func configurationCanonicalizesAndRefuses() throws {
    let c = try MAPConfiguration(ks: [10, 1, 10], metrics: [.averagePrecision, .averagePrecision])
    #expect(c.ks == [1, 10])
    #expect(c.metrics == [.averagePrecision])
    #expect(try MAPConfiguration(ks: [3]).metrics == [.averagePrecision])
    #expect(c.index(metric: .averagePrecision, k: 10) == 1)
    #expect(c.index(metric: .averagePrecision, k: 5) == nil)
    #expect(c.pairs.map(\.k) == [1, 10])
    #expect(throws: MAPKError.noMetric) { try MAPConfiguration(ks: [1], metrics: []) }
    #expect(throws: MAPKError.noK) { try MAPConfiguration(ks: []) }
    #expect(throws: MAPKError.kBelowOne(0)) { try MAPConfiguration(ks: [0, 2]) }
  }

  @Test func codableRoundTripsAndOldDataMeansAP() throws {
    let c = try MAPConfiguration(ks: [1, 5], emptyRows: .skip, nanScores: .lowest)
    let data = try JSONEncoder().encode(c)
    #expect(try JSONDecoder().decode(MAPConfiguration.self, from: data) == c)
    // Written before metrics existed: no "metrics" key.
    let old = #"{"ks": [1, 5], "empty_rows_policy": "skip", "nan_policy": "lowest"}"#
    #expect(try JSONDecoder().decode(MAPConfiguration.self, from: Data(old.utf8)) == c)
  }

  /// Each JSON is refused on decoding, with a reason naming the problem.
  @Test(arguments: [
    (#"{"ks": [], "empty_rows_policy": "nan", "nan_policy": "error"}"#, "ks [] must be ascending"),
    (#"{"ks": [5, 1], "empty_rows_policy": "nan", "nan_policy": "error"}"#, "ks [5, 1] must be ascending"),
    (#"{"ks": [1, 1], "empty_rows_policy": "nan", "nan_policy": "error"}"#, "ks [1, 1] must be ascending"),
    (#"{"ks": [0, 1], "empty_rows_policy": "nan", "nan_policy": "error"}"#, "at least 1"),
    (#"{"ks": [-3], "empty_rows_policy": "nan", "nan_policy": "error"}"#, "at least 1"),
    (#"{"ks": [1], "metrics": ["p"], "empty_rows_policy": "nan", "nan_policy": "error"}"#, "metric 'p' is not one of map"),
    (#"{"ks": [1], "metrics": [], "empty_rows_policy": "nan", "nan_policy": "error"}"#, "metrics [] must be one or more"),
    (#"{"ks": [1], "metrics": ["map", "map"], "empty_rows_policy": "nan", "nan_policy": "error"}"#, "distinct"),
    (#"{"ks": [1], "empty_rows_policy": "maybe", "nan_policy": "error"}"#, "empty_rows_policy 'maybe'"),
    (#"{"ks": [1], "empty_rows_policy": "nan", "nan_policy": "often"}"#, "nan_policy 'often'"),
  ])
  func decodingValidates(json: String, reason: String) {
    #expect {
      try JSONDecoder().decode(MAPConfiguration.self, from: Data(json.utf8))
    } throws: { error in
      guard case DecodingError.dataCorrupted(let context) = error else { return false }
      return context.debugDescription.contains(reason)
    }
  }

  @Test func missingFieldsAreDecodingErrors() {
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(MAPConfiguration.self, from: Data(#"{"ks": [1], "nan_policy": "error"}"#.utf8))
    }
  }

  @Test func oneWayToReadAValue() throws {
    // Row 0: label 2 at rank 2 (AP@1 0, AP@2 1/2); row 1: label 0 at rank 1 (1, 1).
    let scores: [Float] = [0.1, 0.3, 0.2, 0.9, 0.5, 0.1]
    var metric = StreamingAveragePrecision(configuration: try MAPConfiguration(ks: [1, 2]))
    let running = try metric.update(scores: scores, classes: 3, labels: .dense(rows: [[2], [0]]))
    #expect(running == [0.5, 0.75])
    #expect(metric.value == running)
    #expect(metric.value(k: 1) == 0.5)
    #expect(metric.value(metric: .averagePrecision, k: 2) == 0.75)
    #expect(metric.value(k: 3) == nil)
    #expect(metric.state.value(k: 2) == 0.75)
    let results = metric.state.results
    #expect(results.map(\.metric) == [.averagePrecision, .averagePrecision])
    #expect(results.map(\.k) == [1, 2])
    #expect(results.map(\.value) == [0.5, 0.75])
    #expect(results.map(\.total) == [1, 1.5])
    #expect(results.map(\.max) == [2, 2])
  }

  /// Streams `ArraySlice<Float>` batches with `[Int32]` labels (no unsafe
  /// code) and checks the running value against one update of all rows,
  /// the view-based update, and the plain reference.
  @Test(arguments: [UInt64(1), 2, 3, 17, 91])
  func streamingSlicesWithInt32Labels(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let rows = Int.random(in: 1...60, using: &rng)
    let classes = Int.random(in: 3...40, using: &rng)
    let width = Int.random(in: 1...4, using: &rng)
    // Few distinct scores, so ties (lower index first) are common.
    let scores = (0..<(rows * classes)).map { _ in Float(Int.random(in: 0..<6, using: &rng)) / 4 }
    let labels: [[Int32]] = (0..<rows).map { _ in
      (0..<width).map { _ in Int32.random(in: -1..<Int32(classes + 2), using: &rng) }
    }
    let configuration = try MAPConfiguration(ks: [1, min(3, classes), classes], emptyRows: .zero)

    var streamed = StreamingAveragePrecision(configuration: configuration)
    var lower = 0
    while lower < rows {
      let upper = min(rows, lower + Int.random(in: 1...9, using: &rng))
      let batch: ArraySlice<Float> = scores[(lower * classes)..<(upper * classes)]
      try streamed.update(scores: batch, classes: classes, labels: .dense(rows: Array(labels[lower..<upper])))
      lower = upper
    }
    var oneShot = StreamingAveragePrecision(configuration: configuration)
    try oneShot.update(scores: ContiguousArray(scores), classes: classes,
                       labels: try .dense(labels.flatMap { $0 }, width: width))
    #expect(streamed.state == oneShot.state, "seed \(seed)")

    // The same rows through the view-based update.
    var viewed = StreamingAveragePrecision(configuration: configuration)
    let flat = labels.flatMap { $0 }
    try scores.withUnsafeBytes { s in
      try flat.withUnsafeBufferPointer { l in
        try viewed.update(
          scores: ScoreMatrix(base: s.baseAddress!, rows: rows, classes: classes, type: .float32),
          labels: LabelRows(rows: rows, offsets: .uniform(width: width), values: .int32(l.baseAddress!),
                            semantics: .dense))
      }
    }
    #expect(viewed.state == streamed.state, "seed \(seed)")

    let doubles = (0..<rows).map { r in scores[(r * classes)..<((r + 1) * classes)].map(Double.init) }
    for k in configuration.ks {
      let expected = ReferenceMAP.value(.averagePrecision, scores: doubles, labels: labels.map { $0.map(Int.init) },
                                        k: k, semantics: .dense, emptyRows: .zero)
      let got = try #require(streamed.value(k: k))
      #expect(abs(got - expected) <= 1e-12, "seed \(seed) k \(k): \(got) vs \(expected)")
    }
  }

  /// Every metric with counts held across calls (`holdingCounts`, as a
  /// worker's chunks): random chunks into one state, then `finish(into:)`,
  /// give the bits of one call over all rows; before `finish` the held rows
  /// are missing from the sums (so the test sees the holding), and the
  /// values match the plain reference.
  @Test(arguments: [UInt64(5), 13, 77])
  func heldCountsAcrossChunksGiveOneCallsBits(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let rows = Int.random(in: 200...400, using: &rng), classes = Int.random(in: 12...40, using: &rng), width = 3
    let scores = (0..<(rows * classes)).map { _ in Float(Int.random(in: -3..<9, using: &rng)) / 4 }
    let labels: [Int32] = (0..<(rows * width)).map { _ in Int32.random(in: -1..<Int32(classes + 1), using: &rng) }
    let configuration = try MAPConfiguration(ks: [1, 3, 10], metrics: Metric.allCases, emptyRows: .zero)
    var whole = MAPState(configuration: configuration)
    try scores.withUnsafeBytes { s in
      try labels.withUnsafeBufferPointer { l in
        let matrix = ScoreMatrix(base: s.baseAddress!, rows: rows, classes: classes, type: .float32)
        let rowsView = LabelRows(rows: rows, offsets: .uniform(width: width), values: .int32(l.baseAddress!),
                                 semantics: .dense)
        try RowEvaluator(configuration: configuration, classes: classes, scoreType: .float32)
          .evaluate(rows: 0..<rows, scores: matrix, labels: rowsView, weights: .none, into: &whole)
        let engine = try RowEvaluator(configuration: configuration, classes: classes, scoreType: .float32)
        var held = MAPState(configuration: configuration)
        var lower = 0
        while lower < rows {
          let upper = min(rows, lower + Int.random(in: 1...50, using: &rng))
          try engine.evaluate(rows: lower..<upper, scores: matrix, labels: rowsView, weights: .none, into: &held,
                              holdingCounts: true)
          lower = upper
        }
        #expect(held.rows == rows && held != whole, "seed \(seed): nothing was held")
        engine.finish(into: &held)
        #expect(held == whole, "seed \(seed)")
        engine.finish(into: &held)  // nothing left: a second finish adds nothing
        #expect(held == whole, "seed \(seed)")
      }
    }
    let doubles = (0..<rows).map { r in scores[(r * classes)..<((r + 1) * classes)].map(Double.init) }
    let rowLabels = (0..<rows).map { r in labels[(r * width)..<((r + 1) * width)].map(Int.init) }
    for metric in [Metric.averagePrecision, .ndcg, .recall] {
      for k in configuration.ks {
        let expected = ReferenceMAP.value(metric, scores: doubles, labels: rowLabels, k: k, semantics: .dense,
                                          emptyRows: .zero)
        let got = try #require(whole.value(metric: metric, k: k))
        #expect(abs(got - expected) <= 1e-12, "seed \(seed) \(metric.name)@\(k): \(got) vs \(expected)")
      }
    }
  }

  @Test func labelFormsAgree() throws {
    let scores: [Double] = [0.1, 0.3, 0.2, 0.9, 0.5, 0.1, 0.2, 0.2, 0.7]
    let configuration = try MAPConfiguration(ks: [1, 2, 3])
    func state(_ labels: Labels) throws -> MAPState {
      var metric = StreamingAveragePrecision(configuration: configuration)
      try metric.update(scores: scores[...], classes: 3, labels: labels)
      return metric.state
    }
    let int = try state(.dense(rows: [[2, 1], [0, -1], [2, 2]]))
    // Hand-computed: row 0 ranks 2 (hit), 1 (hit); row 1 ranks 0 (hit); row 2
    // ranks 2 (hit, n = 2 as dense labels count repeats).
    let twoAndAHalf: Double = 2.5 / 3
    #expect(int.values == [1, twoAndAHalf, twoAndAHalf])
    var buffered = StreamingAveragePrecision(configuration: configuration)
    try scores.withUnsafeBufferPointer { s in
      try buffered.update(scores: s, classes: 3, labels: .dense(rows: [[2, 1], [0, -1], [2, 2]]))
    }
    #expect(buffered.state == int)
    #expect(try state(.dense(rows: [[2, 1], [0, -1], [2, 2]] as [[Int32]])) == int)
    #expect(try state(.dense(rows: [[2, 1], [0, -1], [2, 2]] as [[Int64]])) == int)
    #expect(try state(.dense([2, 1, 0, -1, 2, 2] as [Int32], width: 2)) == int)
    #expect(try state(.dense([2, 1, 0, -1, 2, 2] as [Int64], width: 2)) == int)
    #expect(try state(.dense(ContiguousArray<Int32>([2, 1, 0, -1, 2, 2])[...], width: 2)) == int)
    // A huge unsigned label is beyond every class: ignored, as -1 padding is.
    #expect(try state(.dense(rows: [[2, 1], [0, UInt64.max], [2, 2]])) == int)
    #expect(throws: MAPKError.self) { try Labels.dense([1, 2, 3] as [Int32], width: 2) }
    let sparse = try state(.sparse(rows: [[2, 1], [0], [2]]))
    #expect(try state(.sparse(rows: [[2, 1], [0], [2]] as [[Int32]])) == sparse)
  }

  @Test func shapeMismatchLeavesTheStateUnchanged() throws {
    var metric = StreamingAveragePrecision(configuration: try MAPConfiguration(ks: [1]))
    try metric.update(scores: [Float](repeating: 0, count: 4), classes: 2, labels: .dense(rows: [[0], [1]]))
    let before = metric.state
    #expect(throws: MAPKError.self) {
      try metric.update(scores: [Float](repeating: 0, count: 5), classes: 2, labels: .dense(rows: [[0], [1]]))
    }
    #expect(metric.state == before)
  }
}
