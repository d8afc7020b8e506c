import TestSupport
import Testing
@testable import MAPKKernel

/// The short-row run of `RowEvaluator` (rows of at most 64 classes, every k
/// at most 8, no weights, no per-row output, dense labels of at most 16
/// slots: ranks counted straight into hit patterns, whole runs of rows per
/// call) against the plain full-sort reference, on runs broken by NaN rows
/// and empty rows, with 32- and 64-bit labels and row ranges that do not
/// start at 0.
extension TopKDifferentialTests {
  /// Rows of mixed flavors (NaN-bearing, tie-heavy, negative, model-like)
  /// in one batch, so that runs of counted rows are broken by rows the
  /// general path takes.
  static func makeMixedBatch(_ dtype: DType, classes c: Int, rows count: Int, width: Int, _ rng: inout SplitMix64)
    -> Batch
  {
    let flavors: [Flavor] = [.boosted, .boosted, .boosted, .ties, .uniform, .nans, .bits, .ascending]
    var rows = (0..<count).map { _ in makeRow(dtype, flavors[Int(rng.next() % UInt64(flavors.count))], classes: c, &rng) }
    // Non-negative rows with one special score: a positive NaN (the float32
    // pass that copies sign-free rows must still see it), +inf, or -0.0 and
    // 0.0 (ties of equal keys whose bits differ).
    for r in rows.indices where rng.next() % 3 == 0 {
      var row = makeRow(dtype, .boosted, classes: c, &rng)
      let special = rng.next() % 3
      for _ in 0..<(1 + Int(rng.next() % 2)) {
        let j = Int(rng.next() % UInt64(c))
        var b: UInt64
        switch special {
        case 0: b = nanBits(dtype, &rng) & (dtype == .float16 ? 0x7FFF : 0x7FFF_FFFF)
        case 1: b = bits(dtype, .infinity)
        default: b = bits(dtype, rng.next() & 1 == 0 ? -0.0 : 0.0)
        }
        row.raw[j] = b
        row.values[j] = value(dtype, bits: b)
      }
      rows[r] = row
    }
    var batch = Batch(dtype: dtype, classes: c, rows: rows, values: [], offsets: nil, width: width, semantics: .dense)
    for _ in 0..<count * width { batch.values.append(label(classes: c, last: batch.values.last, &rng)) }
    return batch
  }

  /// Evaluates `rows` of a dense batch with its labels stored as `Int32` or `Int64`.
  func evaluateDense(_ batch: Batch, rows: Range<Int>, _ configuration: MAPConfiguration, int32Labels: Bool,
                     perRow: Bool) throws -> (MAPState, [Double]) {
    let evaluator = try RowEvaluator(configuration: configuration, classes: batch.classes, scoreType: scoreType(batch.dtype))
    var state = MAPState(configuration: configuration)
    var out = [Double](repeating: -7, count: rows.count * configuration.metrics.count * configuration.ks.count)
    let narrow = batch.values.map { Int32(truncatingIfNeeded: $0) }
    try Self.withScores(batch.dtype, batch.rows) { base in
      try batch.values.withUnsafeBufferPointer { wide in
        try narrow.withUnsafeBufferPointer { narrow in
          try out.withUnsafeMutableBufferPointer { sink in
            let labels = LabelRows(
              rows: batch.rows.count, offsets: .uniform(width: batch.width),
              values: int32Labels ? .int32(narrow.baseAddress!) : .int64(wide.baseAddress!), semantics: .dense)
            let scores = ScoreMatrix(base: base, rows: batch.rows.count, classes: batch.classes,
                                     type: scoreType(batch.dtype))
            try evaluator.evaluate(rows: rows, scores: scores, labels: labels, weights: .none, into: &state,
                                   perRow: perRow ? PerRowSink(base: sink.baseAddress!, firstRow: rows.lowerBound) : nil)
          }
        }
      }
    }
    return (state, out)
  }

  /// Every metric's sums and per-row values on the counting path (and, with
  /// per-row output, the general path) against the reference, per seed.
  @Test(arguments: Array(40...47) as [UInt64])
  func shortRowRunsMatchReference(seed: UInt64) throws {
    try onEveryPath { try checkShortRowRuns(seed: seed) }
  }

  func checkShortRowRuns(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    for dtype in [DType.float32, .float16, .float32, .bfloat16] {
      // 50 (the benchmark's shape), a multiple of 8, one past it, tiny, the longest.
      let c = [50, 8, 9, 57, 3, 64, 1 + Int(rng.next() % 64)][Int(rng.next() % 7)]
      let width = 1 + Int(rng.next() % 12)
      let batch = Self.makeMixedBatch(dtype, classes: c, rows: 120, width: width, &rng)
      let maxK = min(c, 1 + Int(rng.next() % 8))
      let ks = Array(Set([maxK, 1 + Int(rng.next() % UInt64(maxK)), min(maxK, 5)])).sorted()
      let start = Int(rng.next() % 7)
      let rows = start..<(batch.rows.count - Int(rng.next() % 5))
      for policy in Self.policies {
        for empty in EmptyRowPolicy.allCases {
          // TensorFlow's AP@k alone takes the counting runs; every metric at once, the general path.
          for metrics in [[Metric.averagePrecision], Metric.allCases] {
            let columns = metrics.count * ks.count
            let configuration = try MAPConfiguration(ks: ks, metrics: metrics, emptyRows: empty, nanScores: policy)
            let (expected, want) = try ReferenceMAP.expectedState(
              configuration, scores: rows.map { batch.rows[$0].values }, labels: rows.map(batch.labels(ofRow:)),
              semantics: .dense)
            let context = "\(SIMDPath.active) seed \(seed) \(dtype) C=\(c) width \(width) ks \(ks) rows \(rows) \(policy) \(empty) "
              + "\(metrics.count) metrics"
            for int32Labels in [false, true] {
              let (state, _) = try evaluateDense(batch, rows: rows, configuration, int32Labels: int32Labels, perRow: false)
              #expect(state == expected, "\(context) int32 labels \(int32Labels): state")
            }
            // Per-row output takes the general path: the same rows, row by row.
            let (state, perRow) = try evaluateDense(batch, rows: rows, configuration, int32Labels: true, perRow: true)
            #expect(state == expected, "\(context): state with per-row output")
            for i in 0..<rows.count {
              for j in 0..<columns {
                let got = perRow[i * columns + j], w = want[i * columns + j]
                #expect(got.bitPattern == w.bitPattern || (got.isNaN && w.isNaN),
                        "\(context) row \(rows.lowerBound + i) \(metrics[j / ks.count]) k=\(ks[j % ks.count]): \(got) vs \(w)")
              }
            }
          }
        }
      }
    }
  }

  /// float32 runs longer than one C call (`ShortRowCounting.rowsPerCall`
  /// rows), broken by two NaN rows, from a row range that does not start at
  /// 0, with 32- and 64-bit labels, on every path.
  @Test(arguments: [48, 49] as [UInt64])
  func longShortRowRunsMatchReference(seed: UInt64) throws {
    try onEveryPath {
      var rng = SplitMix64(seed: seed)
      var batch = Self.makeMixedBatch(.float32, classes: 50, rows: 700, width: 5, &rng)
      for r in batch.rows.indices where batch.rows[r].values.contains(where: \.isNaN) {
        batch.rows[r] = Self.makeRow(.float32, .boosted, classes: 50, &rng)
      }
      for r in [300, 611] {
        let b = Self.nanBits(.float32, &rng)
        batch.rows[r].raw[7] = b
        batch.rows[r].values[7] = Self.value(.float32, bits: b)
      }
      let rows = 3..<697
      for ks in [[5], [1, 8]] {
        for policy in Self.policies {
          let configuration = try MAPConfiguration(ks: ks, nanScores: policy)
          let (expected, _) = try ReferenceMAP.expectedState(
            configuration, scores: rows.map { batch.rows[$0].values }, labels: rows.map(batch.labels(ofRow:)),
            semantics: .dense)
          for int32Labels in [false, true] {
            let (state, _) = try evaluateDense(batch, rows: rows, configuration, int32Labels: int32Labels, perRow: false)
            #expect(state == expected, "\(SIMDPath.active) seed \(seed) ks \(ks) \(policy) int32 labels \(int32Labels)")
          }
        }
      }
    }
  }
}
