import Foundation
import MAPKShards
import Testing
import TestSupport

/// Dense scores with `--exclude` (`DenseExclusionEvaluator`: the dense
/// top-k selector for k + e positions, then each hit's rank lowered by the
/// excluded classes before it) against three independent computations of
/// the same rows:
///
/// - the sparse-score engine ranking every class but the excluded ones
///   (`SparseScoreEvaluator`'s dense entry point): the same state bits;
/// - a CSR matrix of each row with its excluded columns deleted, evaluated
///   with no exclusions at all: the same state bits;
/// - a plain reference (the test's full sort of the row, the excluded
///   classes deleted, every metric from its definition): each row's value
///   within 1e-12.
///
/// Seeded and randomized over what the fast path has to get right: ties
/// (scores on a grid of quarters, ±0, ±inf), NaN under every policy (an
/// excluded NaN neither counts nor stops), labels that are excluded,
/// exclusions outside `0 ..< C`, rows with `|E| >= C - k` (fewer than k
/// candidates left), k from 1 to C, short rows (C <= 64) and long ones,
/// rows with more labels than the selector counts directly, and 1 or 3
/// threads with tiny chunks.
@Suite struct DenseExclusionDifferentialTests {
  struct Case {
    var classes: Int
    var type: ScoreType
    var scores: [[Double]]
    var labels: [[Int]]
    var exclusions: [[Int]]
    var ks: [Int]
    var nan: NaNScorePolicy
    var semantics: LabelSemantics
  }

  func makeCase(seed: UInt64, using rng: inout SplitMix64) -> Case {
    let shapes = [2, 5, 17, 40, 64, 65, 130, 300]
    let classes = shapes[Int.random(in: 0..<shapes.count, using: &rng)]
    let types: [ScoreType] = [.float16, .float32, .float64, .bfloat16]
    let type = types[Int(seed % 4)]
    let rows = 90
    let withNaN = Int.random(in: 0..<3, using: &rng) > 0
    let scores = (0..<rows).map { _ in
      (0..<classes).map { _ -> Double in
        switch Int.random(in: 0..<200, using: &rng) {
        case 0: return withNaN ? .nan : 0
        case 1: return .infinity
        case 2: return -.infinity
        case 3: return -0.0
        default: return Double(Int.random(in: -8...8, using: &rng)) / 4
        }
      }
    }
    let labels = (0..<rows).map { _ -> [Int] in
      // Now and then more labels than the selector ranks by counting (64).
      let count = classes >= 130 && Int.random(in: 0..<8, using: &rng) == 0 ? 80 : Int.random(in: 0...6, using: &rng)
      return (0..<count).map { _ in
        Int.random(in: 0..<5, using: &rng) == 0 ? -1 : Int.random(in: 0...(classes + 1), using: &rng)
      }
    }
    let maxK = Int.random(in: 0..<4, using: &rng) == 0 ? classes : Int.random(in: 1...min(classes, 12), using: &rng)
    let exclusions = labels.map { row -> [Int] in
      var e: [Int] = []
      for l in row where l >= 0 && Int.random(in: 0..<3, using: &rng) == 0 { e.append(l) }
      switch Int.random(in: 0..<6, using: &rng) {
      case 0:
        // Leave fewer than k candidates: exclude all but a few classes.
        let keep = Int.random(in: 0...min(classes, maxK), using: &rng)
        e += Array(0..<classes).shuffled(using: &rng).dropFirst(max(0, keep - 1))
      case 1:
        // Many exclusions (past the selector sizes kept exactly).
        e += (0..<min(classes, 50)).map { _ in Int.random(in: 0..<classes, using: &rng) }
      default:
        e += (0..<Int.random(in: 0...8, using: &rng)).map { _ in Int.random(in: -2...(classes + 2), using: &rng) }
      }
      return e.shuffled(using: &rng)
    }
    let policies: [NaNScorePolicy] = [.largest, .lowest, .error]
    let semantics: LabelSemantics = Bool.random(using: &rng) ? .dense : .sparse
    // Dense labels are one array: its rows padded with -1 to the longest (what the reference must see too).
    let width = labels.map(\.count).max() ?? 0
    let padded = semantics == .dense ? labels.map { $0 + Array(repeating: -1, count: width - $0.count) } : labels
    return Case(classes: classes, type: type, scores: scores, labels: padded, exclusions: exclusions,
                ks: Array(Set([1, maxK])).sorted(), nan: policies[Int.random(in: 0..<3, using: &rng)],
                semantics: semantics)
  }

  /// The scores' bytes in `type`.
  func bytes(_ values: [Double], _ type: ScoreType) -> [UInt8] {
    switch type {
    case .float16: return NPYBytes.bytes(of: values.map { Float16($0).bitPattern })
    case .float32: return NPYBytes.bytes(of: values.map { Float($0) })
    case .float64: return NPYBytes.bytes(of: values)
    // Every score drawn is exact in bfloat16 (quarters in [-2, 2], ±inf, ±0): its float32's top half.
    case .bfloat16: return NPYBytes.bytes(of: values.map { UInt16(truncatingIfNeeded: Float($0).bitPattern >> 16) })
    }
  }

  /// The reference value of `metric` at `k` for one row ranked by `ranking`.
  func referenceValue(_ metric: Metric, scores: [Double], ranking: [Int], labels: [Int], k: Int,
                      semantics: LabelSemantics) -> Double {
    let c = scores.count
    if metric == .averagePrecision {
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

  @Test func denseExclusionsMatchTheSparseEngineTheDeletedColumnsAndTheReference() throws {
    try withEvery(seed: 1_000...1_047 as ClosedRange<UInt64>) { seed, rng in
      let c = makeCase(seed: seed, using: &rng)
      let rows = c.scores.count
      let configuration = try MAPConfiguration(ks: c.ks, metrics: Metric.allCases, emptyRows: .zero, nanScores: c.nan)
      let labels = c.semantics == .sparse ? Labels.sparse(rows: c.labels) : Labels.dense(rows: c.labels)
      let exclusions = Labels.sparse(rows: c.exclusions)
      let flat = bytes(c.scores.flatMap { $0 }, c.type)
      let excludedSets = c.exclusions.map { Set($0) }
      // Under `error`: the first row holding a NaN that is not excluded, and that NaN's class.
      var firstNaN: (row: Int, column: Int)? = nil
      for r in 0..<rows where firstNaN == nil {
        if let col = (0..<c.classes).first(where: { c.scores[r][$0].isNaN && !excludedSets[r].contains($0) }) {
          firstNaN = (r, col)
        }
      }
      let expectedNaNs = (0..<rows).reduce(0) { total, r in
        total + (0..<c.classes).filter { c.scores[r][$0].isNaN && !excludedSets[r].contains($0) }.count
      }

      func fast(threads: Int, perRow: UnsafeMutablePointer<Double>?) throws -> MAPState {
        try flat.withUnsafeBytes { raw in
          try labels.withRows { l in
            try exclusions.withRows { e in
              try Evaluator(threads: threads, chunkBytes: 64).evaluate(
                scores: ScoreMatrix(base: raw.baseAddress!, rows: rows, classes: c.classes, type: c.type),
                labels: l, excluding: e, configuration: configuration,
                perRow: perRow.map { PerRowSink(base: $0) })
            }
          }
        }
      }
      // The sparse-score engine, every class but the excluded ones a candidate.
      func sparseEngine() throws -> MAPState {
        try flat.withUnsafeBytes { raw in
          try labels.withRows { l in
            try exclusions.withRows { e in
              let engine = try SparseScoreEvaluator(configuration: configuration, width: c.classes, scoreType: c.type)
              var state = MAPState(configuration: configuration)
              try engine.evaluate(rows: 0..<rows, denseScores: ScoreMatrix(base: raw.baseAddress!, rows: rows,
                                                                          classes: c.classes, type: c.type),
                                  labels: l, weights: .none, excluding: e, into: &state)
              return state
            }
          }
        }
      }
      // Each row with its excluded columns deleted, as CSR, and no exclusions.
      func deletedColumns() throws -> MAPState {
        var offsets: [Int64] = [0], columns: [Int32] = [], kept: [Double] = []
        for r in 0..<rows {
          for col in 0..<c.classes where !excludedSets[r].contains(col) {
            columns.append(Int32(col))
            kept.append(c.scores[r][col])
          }
          offsets.append(Int64(columns.count))
        }
        let data = bytes(kept, c.type)
        return try offsets.withUnsafeBufferPointer { o in
          try columns.withUnsafeBufferPointer { cols in
            try data.withUnsafeBytes { v in
              // A valid address for an empty matrix (never read).
              let values = v.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!
              let columnBase = cols.baseAddress ?? UnsafePointer(bitPattern: 64)!
              let view = try SparseScores(rows: rows, width: c.classes, storedCount: cols.count,
                                          offsets: .int64(o.baseAddress!), columns: .int32(columnBase),
                                          values: values, scoreType: c.type)
              return try labels.withRows { l in
                try Evaluator(threads: 1).evaluate(sparseScores: view, labels: l, configuration: configuration)
              }
            }
          }
        }
      }

      if c.nan == .error, let (row, column) = firstNaN {
        let expected = MAPKError.nanScore(row: row, classIndex: column)
        for threads in [1, 3] {
          #expect(throws: expected, "seed \(seed), \(threads) threads") { try fast(threads: threads, perRow: nil) }
        }
        #expect(throws: expected, "seed \(seed)") { try sparseEngine() }
        return
      }
      let engine = try sparseEngine()
      let deleted = try deletedColumns()
      #expect(engine.values.map(\.bitPattern) == deleted.values.map(\.bitPattern), "seed \(seed): the references disagree")
      #expect(engine.nanScores == expectedNaNs, "seed \(seed)")
      for threads in [1, 3] {
        let got = try fast(threads: threads, perRow: nil)
        #expect(got.values.map(\.bitPattern) == engine.values.map(\.bitPattern), "seed \(seed), \(threads) threads")
        #expect(got.nanScores == expectedNaNs && got.rows == rows && got.emptyRows == engine.emptyRows,
                "seed \(seed), \(threads) threads")
      }
      // Each row's values against the plain reference.
      var perRow = [Double](repeating: 0, count: rows * configuration.pairs.count)
      _ = try perRow.withUnsafeMutableBufferPointer { try fast(threads: 3, perRow: $0.baseAddress!) }
      let policy: NaNScorePolicy = c.nan == .lowest ? .lowest : .largest
      for r in 0..<rows {
        // float16 and float32 store every grid value, ±0, ±inf and NaN exactly.
        let ranking = ReferenceMAP.ranking(c.scores[r], nan: policy).filter { !excludedSets[r].contains($0) }
        let counts = ReferenceMAP.labelCounts(c.labels[r], classes: c.classes, semantics: c.semantics)
        for (j, pair) in configuration.pairs.enumerated() {
          let isEmpty = pair.metric == .averagePrecision ? counts.n == 0 : counts.relevant == 0
          let expected = isEmpty && pair.metric.aggregation == .weightedMean ? 0
            : referenceValue(pair.metric, scores: c.scores[r], ranking: ranking, labels: c.labels[r], k: pair.k,
                             semantics: c.semantics)
          let value = perRow[r * configuration.pairs.count + j]
          #expect(value == expected || abs(value - expected) <= 1e-12 || (value.isNaN && expected.isNaN),
                  "seed \(seed) row \(r) \(pair.metric)@\(pair.k): \(value) vs \(expected)")
        }
      }
    }
  }

  @Test func onlyTheSelectorSizesOfTheRowsAreMadeAndManyExclusionsStayExact() throws {
    // Rows of 0 to 600 exclusions over 1,000 classes (one selector size per
    // power of two past 32): the same bits as the sparse engine, seed 77.
    var rng = SplitMix64(seed: 77)
    let rows = 60, classes = 1_000
    let scores = (0..<(rows * classes)).map { _ in Float(Int.random(in: 0..<64, using: &rng)) / 8 }
    let labelRows = (0..<rows).map { _ in (0..<5).map { _ in Int.random(in: 0..<classes, using: &rng) } }
    let excludedRows = (0..<rows).map { r in
      (0..<(r * 10)).map { _ in Int.random(in: 0..<classes, using: &rng) }
    }
    let configuration = try MAPConfiguration(ks: [1, 10, 100], metrics: Metric.allCases)
    try scores.withUnsafeBytes { raw in
      try Labels.dense(rows: labelRows).withRows { l in
        try Labels.sparse(rows: excludedRows).withRows { e in
          let matrix = ScoreMatrix(base: raw.baseAddress!, rows: rows, classes: classes, type: .float32)
          let got = try Evaluator(threads: 2, chunkBytes: 4_000).evaluate(scores: matrix, labels: l, excluding: e,
                                                                         configuration: configuration)
          let engine = try SparseScoreEvaluator(configuration: configuration, width: classes, scoreType: .float32)
          var reference = MAPState(configuration: configuration)
          try engine.evaluate(rows: 0..<rows, denseScores: matrix, labels: l, weights: .none, excluding: e,
                              into: &reference)
          #expect(got.values.map(\.bitPattern) == reference.values.map(\.bitPattern))
        }
      }
    }
  }
}
