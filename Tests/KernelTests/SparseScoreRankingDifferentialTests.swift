import Testing
import TestSupport
@testable import MAPKKernel

/// `SparseScoreEvaluator` (the counting ranking for rows of few labels, the
/// sort above) against a plain reference written here: each row's stored
/// entries, less its excluded columns, fully sorted by TensorFlow's rule
/// (higher score first, `-0.0` equal to `0.0`, NaN above or below every score
/// per policy and tied among NaNs, equal scores by the lower column), then
/// every metric from its definition (`ReferenceMAP.rowParts` on that
/// ranking; TensorFlow's AP@k written out below). Rows store 0 ... 300
/// entries (often fewer than k) of ties, `±0`, `±inf` and NaNs of several
/// payloads, with 0 ... 40 labels (labels not stored, negative, `>= width`,
/// repeated), for float16, float32 and float64 scores, weights or none,
/// per-row output or none, columns ascending or not. Under the `error` NaN
/// policy the error must name the first NaN candidate of the lowest row
/// holding one, in stored order.
@Suite struct SparseScoreRankingDifferentialTests {
  /// One random matrix with its labels, exclusions and weights.
  struct Case {
    var width: Int
    var offsets: [Int64] = [0]
    var columns: [Int32] = []
    /// The stored scores as the evaluator reads them (bit patterns of the dtype, widened).
    var raw: [UInt64] = []
    /// The same scores as doubles (exact: every value converts back without rounding).
    var values: [Double] = []
    var labelOffsets: [Int64] = [0]
    var labels: [Int64] = []
    var exclusionOffsets: [Int64] = [0]
    var exclusions: [Int64] = []
    var rows: Int { offsets.count - 1 }
  }

  static func encode(_ v: Double, _ type: ScoreType, payload: UInt64) -> (UInt64, Double) {
    switch type {
    case .float16:
      if v.isNaN { return ((v.sign == .minus ? 0xFC00 : 0x7C00) | (1 + payload % 0x3FF), .nan) }
      let h = Float16(v)
      return (UInt64(h.bitPattern), Double(h))
    case .float32:
      if v.isNaN { return (UInt64((v.sign == .minus ? 0xFF80_0000 : 0x7F80_0000) as UInt32) | (1 + payload % 0x7F_FFFF), .nan) }
      let f = Float(v)
      return (UInt64(f.bitPattern), Double(f))
    default:
      if v.isNaN { return ((v.sign == .minus ? 0xFFF0_0000_0000_0000 : 0x7FF0_0000_0000_0000) | (1 + payload % 0xF_FFFF_FFFF_FFFF), .nan) }
      return (v.bitPattern, v)
    }
  }

  static func makeCase(_ type: ScoreType, width: Int, rows: Int, ascending: Bool, nanRate: Int,
                       _ rng: inout SplitMix64) -> Case {
    var c = Case(width: width)
    // A small palette makes ties common; the wider steps are exact in float16.
    let palette: [Double] = [0, -0.0, 0.25, -0.25, 1, -1, .infinity, -.infinity, 2.5, -3.75]
    for _ in 0..<rows {
      let most = min(width, 300)
      let s = rng.next() % 4 == 0 ? Int(rng.next() % UInt64(min(most, 12) + 1)) : Int(rng.next() % UInt64(most + 1))
      var cols = Array(0..<Int32(width)).shuffled(using: &rng).prefix(s).map { $0 }
      if ascending { cols.sort() }
      for col in cols {
        let v: Double
        if nanRate > 0 && Int(rng.next() % UInt64(nanRate)) == 0 {
          v = rng.next() % 2 == 0 ? .nan : -.nan
        } else if rng.next() % 2 == 0 {
          v = palette[Int(rng.next() % UInt64(palette.count))]
        } else {
          v = Double(Int(rng.next() % 2001) - 1000) / 64
        }
        let (bits, exact) = encode(v, type, payload: rng.next())
        c.columns.append(col)
        c.raw.append(bits)
        c.values.append(exact)
      }
      c.offsets.append(Int64(c.columns.count))
      // Labels: stored columns (so hits happen), any column, negatives, >= width, repeats.
      let m = Int(rng.next() % 41)
      for _ in 0..<m {
        switch rng.next() % 4 {
        case 0 where !cols.isEmpty: c.labels.append(Int64(cols[Int(rng.next() % UInt64(cols.count))]))
        case 1: c.labels.append(Int64(rng.next() % UInt64(width + 3)) - 1)
        default:
          if let last = c.labels.last, rng.next() % 5 == 0 {
            c.labels.append(last)
          } else {
            c.labels.append(Int64(rng.next() % UInt64(width)))
          }
        }
      }
      c.labelOffsets.append(Int64(c.labels.count))
      let e = rng.next() % 3 == 0 ? Int(rng.next() % 6) : 0
      for _ in 0..<e {
        c.exclusions.append(rng.next() % 4 == 0 || cols.isEmpty
                            ? Int64(rng.next() % UInt64(width + 2)) - 1
                            : Int64(cols[Int(rng.next() % UInt64(cols.count))]))
      }
      c.exclusionOffsets.append(Int64(c.exclusions.count))
    }
    return c
  }

  /// Row `r`'s candidates (stored, not excluded) as (column, score), in stored order.
  static func candidates(_ c: Case, row r: Int, excluding: Bool) -> [(Int, Double)] {
    let excluded = excluding
      ? Set(c.exclusions[Int(c.exclusionOffsets[r])..<Int(c.exclusionOffsets[r + 1])].map { Int($0) }) : []
    return (Int(c.offsets[r])..<Int(c.offsets[r + 1])).compactMap { i in
      excluded.contains(Int(c.columns[i])) ? nil : (Int(c.columns[i]), c.values[i])
    }
  }

  /// The candidates' columns by TensorFlow's rule: a full sort, no shortcut.
  static func ranking(_ entries: [(Int, Double)], nan: NaNScorePolicy) -> [Int] {
    func level(_ x: Double) -> Int { x.isNaN ? (nan == .lowest ? -1 : 1) : 0 }
    return entries.sorted { a, b in
      if level(a.1) != level(b.1) { return level(a.1) > level(b.1) }
      if !a.1.isNaN && a.1 != b.1 { return a.1 > b.1 }
      return a.0 < b.0
    }.map(\.0)
  }

  /// The state and per-row output the evaluator must produce (as
  /// `ReferenceMAP.expectedState`, on the sparse ranking).
  static func expected(_ c: Case, _ configuration: MAPConfiguration, semantics: LabelSemantics,
                       weights: [Double]?, excluding: Bool) throws -> (MAPState, [Double]) {
    let ks = configuration.ks, policy = configuration.emptyRows, pairs = configuration.pairs
    var totals = [ExactSum](repeating: ExactSum(), count: pairs.count)
    var denominators = totals
    var weightSum = ExactSum()
    var perRow: [Double] = []
    var emptyRows = 0, nans = 0
    let byAP = configuration.metrics.contains(.averagePrecision)
    for r in 0..<c.rows {
      let labels = c.labels[Int(c.labelOffsets[r])..<Int(c.labelOffsets[r + 1])].map { Int($0) }
      let entries = candidates(c, row: r, excluding: excluding)
      nans += entries.filter { $0.1.isNaN }.count
      let full = ranking(entries, nan: configuration.nanScores)
      // A dense row for the reference's label counts and score signs (columns not stored are never ranked).
      var dense = [Double](repeating: -.infinity, count: c.width)
      for (col, v) in entries { dense[col] = v }
      if ReferenceMAP.isEmpty(byAP ? .averagePrecision : .trecAveragePrecision, labels: labels, classes: c.width,
                              semantics: semantics) {
        emptyRows += 1
      }
      let w = weights?[r] ?? 1
      for metric in configuration.metrics {
        let empty = ReferenceMAP.isEmpty(metric, labels: labels, classes: c.width, semantics: semantics)
        if metric == .averagePrecision && !(empty && policy == .skip) { weightSum.add(w) }
        for k in ks {
          let i = configuration.index(metric: metric, k: k)!
          if empty && policy == .skip {
            perRow.append(.nan)
            continue
          }
          var parts: (value: Double, denominator: Double)
          if empty && metric.aggregation == .weightedMean {
            parts = (policy == .zero ? 0 : .nan, 1)
          } else if metric == .averagePrecision {
            // TensorFlow's AP@k: precision at each hit among the top k, over min(n, k).
            let n = ReferenceMAP.labelCounts(labels, classes: c.width, semantics: semantics).n
            let relevant = Set(labels.filter { $0 >= 0 && $0 < c.width })
            var hits = 0, sum = 0.0
            for (j, col) in full.prefix(k).enumerated() where relevant.contains(col) {
              hits += 1
              sum += Double(hits) / Double(j + 1)
            }
            parts = (sum / Double(min(n, k)), 1)
          } else {
            parts = ReferenceMAP.rowParts(metric, scores: dense, labels: labels, k: k, semantics: semantics,
                                          nan: configuration.nanScores, ranking: full)
          }
          perRow.append(metric.aggregation == .pooled ? parts.value / parts.denominator : parts.value)
          totals[i].add(weights == nil ? parts.value : w * parts.value)
          if !metric.sharesWeightSum { denominators[i].add(weights == nil ? parts.denominator : w * parts.denominator) }
        }
      }
    }
    let state = try MAPState(configuration: configuration, totals: totals, denominators: denominators,
                             weightSum: weightSum, rows: c.rows, emptyRows: emptyRows, nanScores: nans)
    return (state, perRow)
  }

  /// Runs the evaluator over every row of `c`.
  static func evaluate(_ c: Case, _ type: ScoreType, _ configuration: MAPConfiguration, semantics: LabelSemantics,
                       weights: [Double]?, excluding: Bool, perRow: Bool) throws -> (MAPState, [Double]) {
    let engine = try SparseScoreEvaluator(configuration: configuration, width: c.width, scoreType: type)
    var state = MAPState(configuration: configuration)
    var out = [Double](repeating: -7, count: max(1, c.rows * configuration.pairs.count))
    let r16 = c.raw.map { UInt16(truncatingIfNeeded: $0) } + [0], r32 = c.raw.map { UInt32(truncatingIfNeeded: $0) } + [0]
    let r64 = c.raw + [0]
    let columns = c.columns + [0], labels = c.labels + [0], exclusions = c.exclusions + [0]
    let w = (weights ?? []) + [0]
    try r16.withUnsafeBytes { b16 in
      try r32.withUnsafeBytes { b32 in
        try r64.withUnsafeBytes { b64 in
          try c.offsets.withUnsafeBufferPointer { o in
            try columns.withUnsafeBufferPointer { col in
              try c.labelOffsets.withUnsafeBufferPointer { lo in
                try labels.withUnsafeBufferPointer { lv in
                  try c.exclusionOffsets.withUnsafeBufferPointer { eo in
                    try exclusions.withUnsafeBufferPointer { ev in
                      try w.withUnsafeBufferPointer { wp in
                        try out.withUnsafeMutableBufferPointer { sink in
                          let values = type == .float16 ? b16.baseAddress! : type == .float32 ? b32.baseAddress! : b64.baseAddress!
                          let scores = try SparseScores(rows: c.rows, width: c.width, storedCount: c.columns.count,
                                                        offsets: .int64(o.baseAddress!), columns: .int32(col.baseAddress!),
                                                        values: values, scoreType: type)
                          let labelRows = LabelRows(rows: c.rows, offsets: .explicit(lo.baseAddress!),
                                                    values: .int64(lv.baseAddress!), semantics: semantics)
                          let excluded = LabelRows(rows: c.rows, offsets: .explicit(eo.baseAddress!),
                                                   values: .int64(ev.baseAddress!), semantics: .sparse)
                          let rowWeights = weights == nil ? RowWeights.none
                            : try RowWeights(storage: .float64(wp.baseAddress!), weightShape: [c.rows], rowShape: [c.rows])
                          try engine.evaluate(rows: 0..<c.rows, scores: scores, labels: labelRows, weights: rowWeights,
                                              excluding: excluding ? excluded : nil, into: &state,
                                              perRow: perRow ? PerRowSink(base: sink.baseAddress!) : nil)
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return (state, out)
  }

  @Test(arguments: Array(600...611) as [UInt64])
  func countingAndSortingRanksMatchTheFullSort(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    for type in [ScoreType.float16, .float32, .float64] {
      for policy in [NaNScorePolicy.largest, .lowest, .error] {
        let width = [1, 3, 17, 100, 301, 1 + Int(rng.next() % 400)][Int(rng.next() % 6)]
        let rows = 1 + Int(rng.next() % 40)
        let ascending = rng.next() % 3 != 0
        // Under `error`, most matrices hold no NaN (so they evaluate), some one or more.
        let nanRate = policy == .error ? (rng.next() % 3 == 0 ? 200 : 0) : [0, 5, 40][Int(rng.next() % 3)]
        let c = Self.makeCase(type, width: width, rows: rows, ascending: ascending, nanRate: nanRate, &rng)
        let maxK = 1 + Int(rng.next() % UInt64(min(width, 120)))
        let ks = Array(Set([maxK, 1 + Int(rng.next() % UInt64(maxK)), min(maxK, 10)])).sorted()
        let semantics: LabelSemantics = rng.next() % 2 == 0 ? .sparse : .dense
        let weights: [Double]? = rng.next() % 2 == 0 ? nil : (0..<rows).map { _ in Double(rng.next() % 9) / 8 }
        let excluding = rng.next() % 3 == 0
        let empty = EmptyRowPolicy.allCases[Int(rng.next() % UInt64(EmptyRowPolicy.allCases.count))]
        let configuration = try MAPConfiguration(ks: ks, metrics: Metric.allCases, emptyRows: empty, nanScores: policy)
        let context = "seed \(seed) \(type) \(policy) width \(width) rows \(rows) ks \(ks) ascending \(ascending) "
          + "\(semantics) weights \(weights != nil) excluding \(excluding) \(empty)"
        // The error the evaluator must throw: the first NaN candidate, in stored order, of the lowest row.
        var firstNaN: (row: Int, column: Int)?
        if policy == .error {
          for r in 0..<c.rows where firstNaN == nil {
            if let nan = Self.candidates(c, row: r, excluding: excluding).first(where: { $0.1.isNaN }) {
              firstNaN = (r, nan.0)
            }
          }
        }
        for perRow in [false, true] {
          do {
            let (state, out) = try Self.evaluate(c, type, configuration, semantics: semantics, weights: weights,
                                                 excluding: excluding, perRow: perRow)
            #expect(firstNaN == nil, "\(context): no error for the NaN at \(String(describing: firstNaN))")
            if firstNaN != nil { continue }
            let (want, wantRows) = try Self.expected(c, configuration, semantics: semantics, weights: weights,
                                                     excluding: excluding)
            #expect(state == want, "\(context) per-row \(perRow): state")
            if perRow {
              for i in 0..<wantRows.count where !(out[i].bitPattern == wantRows[i].bitPattern
                                                  || (out[i].isNaN && wantRows[i].isNaN)) {
                Issue.record("\(context): per-row value \(i): \(out[i]) vs \(wantRows[i])")
                break
              }
            }
          } catch let error as MAPKError {
            let want = firstNaN.map { MAPKError.nanScore(row: $0.row, classIndex: $0.column) }
            #expect(want.map { "\($0)" } == "\(error)", "\(context): \(error)")
          }
        }
      }
    }
  }
}
