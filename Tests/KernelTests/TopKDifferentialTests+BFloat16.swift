import TestSupport
import Testing
@testable import MAPKKernel

/// bfloat16 scores evaluate to the bits float32 scores of the same values
/// give: every bfloat16 is exactly the float32 whose top 16 bits it is, so
/// the two rankings (ties by the lower class, ±0 equal, infinities, NaN per
/// policy) and every metric must agree bit for bit, on every SIMD path.
/// In `TopKDifferentialTests` (serialized): the path is process-wide.
extension TopKDifferentialTests {
  /// The same rows as float32 (each value exact).
  static func float32Batch(_ batch: Batch) -> Batch {
    var wide = batch
    wide.dtype = .float32
    wide.rows = batch.rows.map { row in
      var r = Row()
      r.raw = row.raw.map { ($0 & 0xFFFF) << 16 }
      r.values = r.raw.map { value(.float32, bits: $0) }
      return r
    }
    return wide
  }

  @Test(arguments: [60, 61, 62, 63] as [UInt64])
  func bfloat16EvaluatesAsFloat32OfTheSameValues(seed: UInt64) throws {
    try onEveryPath {
      var rng = SplitMix64(seed: seed)
      for c in [1, 7, 16, 33, 64, 65, 300, 1000, 2003] {
        for layout in 0..<3 {
          let batch = Self.makeBatch(.bfloat16, classes: c, rows: c > 500 ? 12 : 24, layout: layout, &rng)
          let wide = Self.float32Batch(batch)
          #expect(zip(batch.rows, wide.rows).allSatisfy { zip($0.values, $1.values).allSatisfy { $0.bitPattern == $1.bitPattern } })
          let ks = Array(Set([1, c, 1 + Int(rng.next() % UInt64(c)), min(c, 10), min(c, 100)])).sorted()
          let weights = (0..<batch.rows.count).map { _ in Double(rng.next() % 9) / 4 }
          let context = "\(SIMDPath.active) seed \(seed) C=\(c) layout \(layout) ks \(ks)"
          for policy in Self.policies {
            for metrics in [Metric.allCases, [.averagePrecision]] {
              let configuration = try MAPConfiguration(ks: ks, metrics: metrics, nanScores: policy)
              for weighted in [false, true] {
                let (narrow, narrowRows) = try evaluate(batch, configuration, weights: weighted ? weights : nil, perRow: true)
                let (float32, float32Rows) = try evaluate(wide, configuration, weights: weighted ? weights : nil, perRow: true)
                let (plain, _) = try evaluate(batch, configuration, weights: weighted ? weights : nil, perRow: false)
                #expect(narrow == float32 && plain == float32, "\(context) \(policy) \(metrics.count) metrics weighted \(weighted)")
                #expect(zip(narrowRows, float32Rows).allSatisfy { $0.bitPattern == $1.bitPattern },
                        "\(context) \(policy) \(metrics.count) metrics weighted \(weighted): per row")
              }
            }
          }
          // `.error`: the same first NaN (row, class), or none in both.
          func failure(_ b: Batch) -> String {
            do {
              _ = try evaluate(b, try MAPConfiguration(ks: ks), weights: nil, perRow: false)
              return "none"
            } catch { return "\(error)" }
          }
          #expect(failure(batch) == failure(wide), "\(context): NaN error")
        }
      }
    }
  }

  /// The values bfloat16 adds to float16's range: magnitudes from 65,520 to
  /// 3.4e38, whose bits lie above float16's infinity bits (0x7C00), ranked
  /// as the finite scores they are (not as NaN) on every path.
  @Test func bfloat16MagnitudesBeyondFloat16AreFinite() throws {
    try onEveryPath {
      for c in [40, 1000] {
        // Row r: class r + 1 holds the largest finite bfloat16, the rest 1e38 and -3e38 alternately (ties).
        var rows: [Row] = []
        for r in 0..<8 {
          var row = Row()
          row.raw = (0..<c).map { j in UInt64(j == r + 1 ? 0x7F7F : j % 2 == 0 ? 0x7E96 : 0xFF62) }
          row.values = row.raw.map { Self.value(.bfloat16, bits: $0) }
          rows.append(row)
        }
        let batch = Batch(dtype: .bfloat16, classes: c, rows: rows, values: (0..<8).flatMap { [Int64($0 + 1), 0, Int64(c - 1)] },
                          offsets: nil, width: 3, semantics: .dense)
        let configuration = try MAPConfiguration(ks: [1, 2, 3])
        let (state, perRow) = try evaluate(batch, configuration, weights: nil, perRow: true)
        // Label r + 1 ranks 1st, class 0 (the lowest of the 1e38 ties) 2nd, class C - 1 (-3e38) is not in
        // the top 3: AP@1 = 1, AP@2 = (1/1 + 2/2) / 2 = 1, AP@3 = (1/1 + 2/2) / 3 (n = min(3 labels, k)).
        for r in 0..<8 {
          #expect(perRow[r * 3] == 1 && perRow[r * 3 + 1] == 1 && abs(perRow[r * 3 + 2] - 2.0 / 3) < 1e-15,
                  "\(SIMDPath.active) C=\(c) row \(r): \(perRow[(r * 3)..<(r * 3 + 3)])")
        }
        let (wide, _) = try evaluate(Self.float32Batch(batch), configuration, weights: nil, perRow: false)
        #expect(state == wide, "\(SIMDPath.active) C=\(c)")
      }
    }
  }
}
