import TestSupport
import Testing
@testable import MAPKKernel

/// `RankedIDEvaluator` with its C walker on (`cWalker`), on every path this
/// CPU supports, against the default (the Swift loop) at the baseline: above
/// it (and from `cRowMinimum` ids on) each row goes through the C walker of
/// Sources/CSIMD/ranked_ids.c, at the baseline through the Swift loop, two independent implementations of the rule. Same
/// state bits (every metric, every k), same first error (row and id), with
/// int32 and int64 ids, pads (-1 and a sentinel), repeated ids under both
/// policies, negative ids, dense and sparse labels (1 to 70 a row), classes,
/// and exclusions. In `TopKDifferentialTests` (serialized): the path is
/// process-wide.
extension TopKDifferentialTests {
  /// The state of `rows` rows of `width` ids, or the error, on the active path.
  static func rankedState(_ ids: [Int64], int32: Bool, width: Int, labels: [Int64], labelWidth: Int,
                          semantics: LabelSemantics, exclusions: [Int64]?, reading: RankedIDReading,
                          configuration: MAPConfiguration, cWalker: Bool) -> Result<MAPState, MAPKError> {
    let rows = ids.count / width
    let ids32 = ids.map { Int32(truncatingIfNeeded: $0) }
    return ids.withUnsafeBufferPointer { i64 in
      ids32.withUnsafeBufferPointer { i32 in
        labels.withUnsafeBufferPointer { l in
          (exclusions ?? []).withUnsafeBufferPointer { e in
            let view = RankedIDs(rows: rows, width: width,
                                 values: int32 ? .int32(i32.baseAddress!) : .int64(i64.baseAddress!), reading: reading)
            let labelRows = LabelRows(rows: rows, offsets: .uniform(width: labelWidth),
                                      values: .int64(l.baseAddress!), semantics: semantics)
            let excluded = exclusions.map { _ in
              LabelRows(rows: rows, offsets: .uniform(width: 3), values: .int64(e.baseAddress!), semantics: .sparse)
            }
            do {
              let evaluator = try RankedIDEvaluator(configuration: configuration, reading: reading, cWalker: cWalker)
              var state = MAPState(configuration: configuration)
              try evaluator.evaluate(rows: 0..<rows, ids: view, labels: labelRows, weights: .none,
                                     excluding: excluded, into: &state)
              return .success(state)
            } catch let error as MAPKError {
              return .failure(error)
            } catch {
              preconditionFailure("unexpected \(error)")
            }
          }
        }
      }
    }
  }

  @Test(arguments: [21, 22] as [UInt64])
  func rankedIDEvaluatorMatchesTheBaseline(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    for trial in 0..<60 {
      let k = [32, 40, 64, 100][trial % 4]
      let width = k + Int(rng.next() % 8)
      let rows = 1 + Int(rng.next() % 40)
      let int32 = trial % 2 == 0
      let range: Int64 = [200, 5000, 3_000_000_000][Int(rng.next() % 3)]
      let pad: Int64 = rng.next() % 2 == 0 ? -1 : 100_000_000
      let labelWidth = [1, 5, 8, 9, 64, 70][Int(rng.next() % 6)]
      // Rows of distinct ids (a shuffled prefix), then some spoiled: pads,
      // repeats, a rare negative.
      var ids: [Int64] = []
      for _ in 0..<rows {
        var row = Set<Int64>()
        while row.count < width { row.insert(Int64(rng.next() % UInt64(range))) }
        var list = Array(row).shuffled(using: &rng)
        for c in 0..<width {
          let r = rng.next() % 1000
          if r < 30 { list[c] = pad } else if r < 40 && c > 0 { list[c] = list[Int(rng.next() % UInt64(c))] }
          else if r < 41 && trial % 3 == 0 { list[c] = -3 }
        }
        if int32 { list = list.map { Int64(Int32(truncatingIfNeeded: $0)) } }
        ids += list
      }
      var labels: [Int64] = []
      for r in 0..<rows {
        for _ in 0..<labelWidth {
          let v = rng.next() % 4
          // Labels among the row's ids (hits), elsewhere, or the padding -1.
          labels.append(v == 0 ? -1 : v == 1 ? Int64(rng.next() % UInt64(range))
                                             : ids[r * width + Int(rng.next() % UInt64(width))])
        }
      }
      let exclusions: [Int64]? = trial % 5 == 0
        ? (0..<(rows * 3)).map { _ in Int64(rng.next() % UInt64(range)) } : nil
      let configuration = try MAPConfiguration(ks: [1, 10, k], metrics: [.averagePrecision, .ndcg, .recall])
      for duplicates in DuplicateIDPolicy.allCases {
        let reading = RankedIDReading(pad: pad, duplicates: duplicates,
                                      classes: trial % 7 == 0 ? Int(range / 2) : nil)
        let semantics: LabelSemantics = trial % 3 == 1 ? .sparse : .dense
        let saved = SIMDPath.active
        defer { SIMDPath.use(saved) }
        #expect(SIMDPath.use(.baseline))
        let want = Self.rankedState(ids, int32: int32, width: width, labels: labels, labelWidth: labelWidth,
                                    semantics: semantics, exclusions: exclusions, reading: reading,
                                    configuration: configuration, cWalker: false)
        onEveryPath {
          let got = Self.rankedState(ids, int32: int32, width: width, labels: labels, labelWidth: labelWidth,
                                     semantics: semantics, exclusions: exclusions, reading: reading,
                                     configuration: configuration, cWalker: true)
          #expect(got == want, "seed \(seed) trial \(trial) \(SIMDPath.active) \(duplicates) k \(k) int32 \(int32)")
        }
      }
    }
  }
}
