import TestSupport
import Testing
@testable import MAPKKernel

/// `RankedIDEvaluator`'s rows counted by outcome (`RowOutcomeCounts`: no
/// weights, no per-row output, every k at most 16) against the rule written
/// plainly here and against the same rows added one by one (per-row output,
/// or weights of 1, take the direct path): the same bits, for AP@k alone
/// (whose rows carry no `relevant` count) and with other metrics, chunked
/// at random, with enough distinct outcomes (hits at random ranks among 16)
/// that the table fills and is flushed mid-call; and the same rows held by
/// outcome across the chunks (`holdingCounts`) and added by `finish(into:)`.
@Suite struct RankedIDCountedRowsTests {
  /// The final values of `rows` evaluated in `chunks` on one evaluator.
  static func values(_ configuration: MAPConfiguration, ids: [Int64], width: Int, labels: [Int64], labelWidth: Int,
                     chunks: [Range<Int>], weights: RowWeights, perRow: Bool,
                     holding: Bool = false) throws -> MAPState {
    let rows = labels.count / labelWidth
    let evaluator = try RankedIDEvaluator(configuration: configuration,
                                          reading: RankedIDReading(duplicates: .first))
    var state = MAPState(configuration: configuration)
    var out = [Double](repeating: 0, count: rows * configuration.pairs.count)
    try ids.withUnsafeBufferPointer { i in
      try labels.withUnsafeBufferPointer { l in
        try out.withUnsafeMutableBufferPointer { o in
          let view = RankedIDs(rows: rows, width: width, values: .int64(i.baseAddress!))
          let labelRows = LabelRows(rows: rows, offsets: .uniform(width: labelWidth), values: .int64(l.baseAddress!),
                                    semantics: .dense)
          for chunk in chunks {
            try evaluator.evaluate(rows: chunk, ids: view, labels: labelRows, weights: weights, into: &state,
                                   perRow: perRow ? PerRowSink(base: o.baseAddress!) : nil, holdingCounts: holding)
          }
          evaluator.finish(into: &state)
        }
      }
    }
    return state
  }

  @Test(arguments: [7101, 7102, 7103] as [UInt64])
  func countedRowsMatchTheRuleAndTheDirectPath(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let metricSets: [[Metric]] = [[.averagePrecision], [.averagePrecision, .ndcg, .macroRecall],
                                  [.precision, .reciprocalRank], Metric.allCases]
    for (trial, metrics) in metricSets.enumerated() {
      let k = [9, 12, 16, 16][trial]
      let ks = Array(Set([1, k / 2, k])).sorted()
      let configuration = try MAPConfiguration(ks: ks, metrics: metrics, emptyRows: .zero)
      let rows = 24_000, width = k + 2, labelWidth = 1 + Int(rng.next() % 6)
      // Labels 0..<20 (some -1 padding, some duplicated); ids: a label at
      // each rank with probability 1/2, else an id that is no label.
      var labels: [Int64] = []
      var ids: [Int64] = []
      for r in 0..<rows {
        let row = (0..<labelWidth).map { _ in rng.next() % 7 == 0 ? -1 : Int64(rng.next() % 20) }
        labels += row
        let matchable = row.filter { $0 >= 0 }
        for c in 0..<width {
          ids.append(!matchable.isEmpty && rng.next() % 2 == 0
                     ? matchable[Int(rng.next() % UInt64(matchable.count))] : Int64(1000 + r % 50 + c * 50))
        }
      }
      // Random chunks.
      var chunks: [Range<Int>] = []
      var start = 0
      while start < rows {
        let end = Swift.min(rows, start + 1 + Int(rng.next() % 9000))
        chunks.append(start..<end)
        start = end
      }
      let counted = try Self.values(configuration, ids: ids, width: width, labels: labels, labelWidth: labelWidth,
                                    chunks: chunks, weights: .none, perRow: false)
      let held = try Self.values(configuration, ids: ids, width: width, labels: labels, labelWidth: labelWidth,
                                 chunks: chunks, weights: .none, perRow: false, holding: true)
      let direct = try Self.values(configuration, ids: ids, width: width, labels: labels, labelWidth: labelWidth,
                                   chunks: [0..<rows], weights: .none, perRow: true)
      let weighted = try Self.values(configuration, ids: ids, width: width, labels: labels, labelWidth: labelWidth,
                                     chunks: chunks, weights: try .scalar(1), perRow: false)
      let context = "seed \(seed) trial \(trial) k \(k)"
      #expect(counted.rows == rows && counted.emptyRows == direct.emptyRows, "\(context)")
      #expect(counted.values.map(\.bitPattern) == direct.values.map(\.bitPattern), "\(context): counted vs direct")
      #expect(held.values.map(\.bitPattern) == direct.values.map(\.bitPattern), "\(context): held vs direct")
      #expect(held.rows == rows && held.emptyRows == direct.emptyRows, "\(context)")
      #expect(counted.values.map(\.bitPattern) == weighted.values.map(\.bitPattern), "\(context): counted vs weighted")
      // AP@k by the rule: each label hit once (`first`: later copies miss),
      // n the non-negative labels (duplicates included), MAP the mean.
      guard metrics.contains(.averagePrecision) else { continue }
      for k in ks {
        var sum = 0.0
        var empty = 0
        for r in 0..<rows {
          let row = labels[(r * labelWidth)..<((r + 1) * labelWidth)]
          let n = row.filter { $0 >= 0 }.count
          if n == 0 { empty += 1; continue }
          var seen = Set<Int64>()
          var ap = 0.0, h = 0
          for c in 0..<k {
            let id = ids[r * width + c]
            if row.contains(id) && !seen.contains(id) { h += 1; ap += Double(h) / Double(c + 1) }
            seen.insert(id)
          }
          sum += ap / Double(Swift.min(n, k))
        }
        #expect(trial > 0 || counted.emptyRows == empty, "\(context)")
        let got = try #require(counted.value(metric: .averagePrecision, k: k))
        #expect(abs(got - sum / Double(rows)) <= 1e-12, "\(context) AP@\(k): \(got) vs \(sum / Double(rows))")
      }
    }
  }

  /// Rows held by outcome, then a call that throws (a repeated id in row
  /// 60): the state holds exactly rows 0..<60, as the same rows added one by
  /// one (per-row output); `finish(into:)` afterwards adds nothing.
  @Test func aThrowingCallAddsTheRowsItHolds() throws {
    let rows = 100, width = 4
    let configuration = try MAPConfiguration(ks: [1, 3], emptyRows: .zero)
    var ids: [Int64] = []
    var labels: [Int64] = []
    for r in 0..<rows {
      labels += [Int64(r % 7), Int64(r % 5 + 10)]
      ids += r == 60 ? [Int64(r % 7), 99, 99, 98] : [Int64(r % 3 + 20), Int64(r % 5 + 10), Int64(r % 7), 97]
    }
    func run(_ chunks: [Range<Int>], holding: Bool, perRow: Bool) throws -> (MAPState, MAPKError?) {
      let evaluator = try RankedIDEvaluator(configuration: configuration, reading: RankedIDReading())
      var state = MAPState(configuration: configuration)
      var out = [Double](repeating: 0, count: rows * configuration.pairs.count)
      var failure: MAPKError?
      ids.withUnsafeBufferPointer { i in
        labels.withUnsafeBufferPointer { l in
          out.withUnsafeMutableBufferPointer { o in
            let view = RankedIDs(rows: rows, width: width, values: .int64(i.baseAddress!))
            let labelRows = LabelRows(rows: rows, offsets: .uniform(width: 2), values: .int64(l.baseAddress!),
                                      semantics: .dense)
            do {
              for chunk in chunks {
                try evaluator.evaluate(rows: chunk, ids: view, labels: labelRows, weights: .none, into: &state,
                                       perRow: perRow ? PerRowSink(base: o.baseAddress!) : nil,
                                       holdingCounts: holding)
              }
            } catch {
              failure = error as? MAPKError
            }
          }
        }
      }
      let before = state.values.map(\.bitPattern)
      evaluator.finish(into: &state)
      #expect(state.values.map(\.bitPattern) == before || failure == nil)
      return (state, failure)
    }
    let (held, error) = try run([0..<50, 50..<rows], holding: true, perRow: false)
    #expect(error == .duplicateID(row: 60, id: 99))
    let (direct, none) = try run([0..<60], holding: false, perRow: true)
    #expect(none == nil)
    #expect(held.rows == 60 && direct.rows == 60)
    #expect(held.values.map(\.bitPattern) == direct.values.map(\.bitPattern))
  }
}
