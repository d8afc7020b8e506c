import Foundation
import MAPKShards
import Testing
import TestSupport

/// `--exclude`: each row's excluded classes are removed from its ranking
/// before the top k. Checked against references that remove them from a
/// copy: for dense scores, the row's full ranking (sorted in the test) with
/// the excluded classes deleted, every metric computed from the definitions;
/// for ranked ids, the ids list with the excluded ids removed (later ids move
/// up); for sparse scores, the matrix with the excluded entries deleted.
@Suite struct ExclusionTests {
  /// Random exclusions: some of the row's labels, other classes, negatives and values >= C.
  func randomExclusions(labels: [[Int]], classes: Int, using rng: inout SplitMix64) -> [[Int]] {
    labels.map { row in
      var e: [Int] = []
      for l in row where l >= 0 && Int.random(in: 0..<3, using: &rng) == 0 { e.append(l) }
      for _ in 0..<Int.random(in: 0...6, using: &rng) { e.append(Int.random(in: -1...(classes + 1), using: &rng)) }
      return e
    }
  }

  /// Rows of 5 labels (some -1: what dense labels pad with, so either semantics reads the same values).
  func randomLabels(rows: Int, classes: Int, using rng: inout SplitMix64) -> [[Int]] {
    (0..<rows).map { _ in
      (0..<5).map { _ in Int.random(in: 0..<3, using: &rng) == 0 ? -1 : Int.random(in: 0...(classes + 1), using: &rng) }
    }
  }

  /// The reference value of `metric` at `k` for one row ranked by `ranking`.
  func referenceValue(_ metric: Metric, scores: [Double], ranking: [Int], labels: [Int], k: Int,
                      semantics: LabelSemantics) -> Double {
    if metric == .averagePrecision {
      let c = scores.count
      let n = ReferenceMAP.labelCounts(labels, classes: c, semantics: semantics).n
      let relevant = Set(labels.filter { $0 >= 0 && $0 < c })
      var hits = 0, sum = 0.0
      for (i, cls) in ranking.prefix(k).enumerated() where relevant.contains(cls) {
        hits += 1
        sum += Double(hits) / Double(i + 1)
      }
      return sum / Double(min(n, k))
    }
    let (value, denominator) = ReferenceMAP.rowParts(metric, scores: scores, labels: labels, k: k,
                                                     semantics: semantics, ranking: ranking)
    return metric.aggregation == .pooled ? value / denominator : value
  }

  @Test(arguments: [ScoreType.float32, .float64, .float16])
  func denseScoresWithExclusionsMatchTheFilteredRanking(type: ScoreType) throws {
    try withEvery(seed: [41, 42, 43] as [UInt64]) { seed, rng in
      let rows = 120, classes = Int.random(in: 8...40, using: &rng)
      let maxK = Int.random(in: 1...min(classes, 10), using: &rng)
      let scores = (0..<rows).map { _ in (0..<classes).map { _ in Double(Int.random(in: -6...6, using: &rng)) / 4 } }
      let labelRows = randomLabels(rows: rows, classes: classes, using: &rng)
      let excludedRows = randomExclusions(labels: labelRows, classes: classes, using: &rng)
      let semantics: LabelSemantics = seed == 42 ? .sparse : .dense
      let labels = semantics == .sparse ? Labels.sparse(rows: labelRows) : Labels.dense(rows: labelRows)
      let exclusions = Labels.sparse(rows: excludedRows)
      let configuration = try MAPConfiguration(ks: [1, maxK], metrics: Metric.allCases, emptyRows: .zero)
      let flat: [UInt8]
      switch type {
      case .float16: flat = NPYBytes.bytes(of: scores.flatMap { $0 }.map { Float16($0).bitPattern })
      case .float32: flat = NPYBytes.bytes(of: scores.flatMap { $0 }.map { Float($0) })
      case .float64: flat = NPYBytes.bytes(of: scores.flatMap { $0 })
      case .bfloat16: flat = NPYBytes.bytes(of: scores.flatMap { $0 }.map { UInt16(Float($0).bitPattern >> 16) })
      }
      var perRow = [Double](repeating: 0, count: rows * configuration.pairs.count)
      for threads in [1, 3] {
        _ = try flat.withUnsafeBytes { raw in
          try labels.withRows { labelView in
            try exclusions.withRows { excludedView in
              try perRow.withUnsafeMutableBufferPointer { out in
                try Evaluator(threads: threads, chunkBytes: 128).evaluate(
                  scores: ScoreMatrix(base: raw.baseAddress!, rows: rows, classes: classes, type: type),
                  labels: labelView, excluding: excludedView, configuration: configuration,
                  perRow: PerRowSink(base: out.baseAddress!))
              }
            }
          }
        }
        for r in 0..<rows {
          let excluded = Set(excludedRows[r])
          let ranking = ReferenceMAP.ranking(scores[r], nan: .largest).filter { !excluded.contains($0) }
          let empty = ReferenceMAP.labelCounts(labelRows[r], classes: classes, semantics: semantics)
          for (j, pair) in configuration.pairs.enumerated() {
            let isEmpty = pair.metric == .averagePrecision ? empty.n == 0 : empty.relevant == 0
            let expected = isEmpty && pair.metric.aggregation == .weightedMean ? 0
              : referenceValue(pair.metric, scores: scores[r], ranking: ranking, labels: labelRows[r], k: pair.k,
                               semantics: semantics)
            let got = perRow[r * configuration.pairs.count + j]
            #expect(got == expected || abs(got - expected) <= 1e-12 || (got.isNaN && expected.isNaN),
                    "seed \(seed) row \(r) \(pair.metric)@\(pair.k): \(got) vs \(expected), \(threads) threads")
          }
        }
      }
    }
  }

  @Test func rankedIDsWithExclusionsEqualTheListWithoutThem() throws {
    try withEvery(seed: [51, 52] as [UInt64]) { seed, rng in
      let rows = 150, classes = 30, width = 12
      var ids: [Int64] = []
      for _ in 0..<rows {
        ids += Array(0..<classes).shuffled(using: &rng).prefix(width).map { Int64($0) }
        if Bool.random(using: &rng) { ids[ids.count - 1] = -1 }  // a pad keeps its position
      }
      let labelRows = randomLabels(rows: rows, classes: classes, using: &rng)
      let excludedRows = randomExclusions(labels: labelRows, classes: classes, using: &rng)
      // The reference: each row's ids without the excluded ones, padded at the end.
      var kept: [Int64] = []
      for r in 0..<rows {
        let excluded = Set(excludedRows[r].map { Int64($0) })
        let row = ids[(r * width)..<((r + 1) * width)].filter { $0 < 0 || !excluded.contains($0) }
        kept += row + Array(repeating: -1, count: width - row.count)
      }
      let labels = seed == 52 ? Labels.sparse(rows: labelRows) : Labels.dense(rows: labelRows)
      let configuration = try MAPConfiguration(ks: [1, 4, 9], metrics: Metric.allCases, emptyRows: .zero)
      let reference = try Evaluator(threads: 1).evaluate(ids: kept, width: width, labels: labels,
                                                         configuration: configuration)
      let got = try ids.withUnsafeBufferPointer { p in
        try labels.withRows { labelView in
          try Labels.sparse(rows: excludedRows).withRows { excludedView in
            try Evaluator(threads: 3, chunkBytes: 64).evaluate(
              ids: RankedIDs(rows: rows, width: width, values: .int64(p.baseAddress!)), labels: labelView,
              excluding: excludedView, configuration: configuration)
          }
        }
      }
      #expect(got.values.map(\.bitPattern) == reference.values.map(\.bitPattern), "seed \(seed)")
    }
  }

  @Test func sparseScoresWithExclusionsEqualTheMatrixWithoutThem() throws {
    var rng = SplitMix64(seed: 61)
    let rows = 140, classes = 25
    var offsets: [Int64] = [0], columns: [Int32] = [], values: [Float] = []
    var keptOffsets: [Int64] = [0], keptColumns: [Int32] = [], keptValues: [Float] = []
    let labelRows = randomLabels(rows: rows, classes: classes, using: &rng)
    let excludedRows = randomExclusions(labels: labelRows, classes: classes, using: &rng)
    for r in 0..<rows {
      let excluded = Set(excludedRows[r])
      for c in Array(0..<classes).shuffled(using: &rng).prefix(Int.random(in: 0...classes, using: &rng)) {
        let v = Float(Int.random(in: -4...4, using: &rng)) / 2
        columns.append(Int32(c))
        values.append(v)
        if !excluded.contains(c) {
          keptColumns.append(Int32(c))
          keptValues.append(v)
        }
      }
      offsets.append(Int64(columns.count))
      keptOffsets.append(Int64(keptColumns.count))
    }
    let configuration = try MAPConfiguration(ks: [1, 5, 10], metrics: Metric.allCases, emptyRows: .zero)
    func run(_ o: [Int64], _ c: [Int32], _ v: [Float], excluding: Labels?) throws -> MAPState {
      try o.withUnsafeBufferPointer { o in
        try c.withUnsafeBufferPointer { c in
          try v.withUnsafeBytes { v in
            let view = try SparseScores(rows: rows, width: classes, storedCount: c.count, offsets: .int64(o.baseAddress!),
                                        columns: .int32(c.baseAddress!), values: v.baseAddress!, scoreType: .float32)
            return try Labels.dense(rows: labelRows).withRows { labels in
              if let excluding {
                return try excluding.withRows { e in
                  try Evaluator(threads: 2, chunkBytes: 64).evaluate(sparseScores: view, labels: labels, excluding: e,
                                                                     configuration: configuration)
                }
              }
              return try Evaluator(threads: 1).evaluate(sparseScores: view, labels: labels, configuration: configuration)
            }
          }
        }
      }
    }
    let got = try run(offsets, columns, values, excluding: Labels.sparse(rows: excludedRows))
    let reference = try run(keptOffsets, keptColumns, keptValues, excluding: nil)
    #expect(got.values.map(\.bitPattern) == reference.values.map(\.bitPattern))
  }

  @Test func excludedLabelsAreCountedAndExclusionRowsMustMatch() throws {
    let labels = Labels.dense(rows: [[1, 2, -1], [0, 0, 5], [3, -1, -1]])
    let exclusions = Labels.sparse(rows: [[2, 7], [0], [-1, 4]])
    // Row 0: label 2; row 1: label 0 (once, though given twice); row 2: none.
    let count = labels.withRows { l in exclusions.withRows { e in ExcludedLabels.count(labels: l, exclusions: e, classes: 6) } }
    #expect(count == 2)
    let scores: [Float] = Array(repeating: 0.5, count: 3 * 6)
    #expect(throws: MAPKError.shapeMismatch("2 exclusion rows for 3 label rows")) {
      try scores.withUnsafeBytes { raw in
        try labels.withRows { l in
          try Labels.sparse(rows: [[1], [2]]).withRows { e in
            try Evaluator().evaluate(scores: ScoreMatrix(base: raw.baseAddress!, rows: 3, classes: 6, type: .float32),
                                     labels: l, excluding: e, configuration: try MAPConfiguration(ks: [1]))
          }
        }
      }
    }
  }
}
