import TestSupport
import Testing
@testable import MAPKKernel

/// `RankedIDEvaluator` against the rule written plainly here, row by row:
/// its duplicate check in two parts (a table of row stamps for ids below
/// `idBound`, an open-addressing set above), so the ids are drawn around
/// that bound (just below, at and above it, from both sides of the bound
/// in one row), among a few small values (repeats), and among the row's
/// labels (hits); pads (-1 and the sentinel 100000000), negative ids, both
/// duplicate policies, exclusions, dense and sparse labels (0 to 12 a row,
/// some -1, some `>= classes`), classes unknown, below and above the
/// table's limit, int32 and int64 ids. Every row's AP and macro recall at every k,
/// and under `error` the first bad row and id; then the same evaluator,
/// after that error, on the rows before it (its scratch must be clean).
/// And ids that come back when the table's 16-bit stamps wrap.
@Suite struct RankedIDEvaluatorDifferentialTests {
  /// One row by the rule: walk the columns until k positions; an excluded id
  /// takes none; the pad takes one and never hits; a negative id is an
  /// error; an id equal to an earlier walked one is an error when refusing,
  /// else a miss; a label (`>= 0`, below the classes) hits at its position.
  /// Returns the hit positions, or the first error in column order.
  static func walk(_ row: ArraySlice<Int64>, k: Int, pad: Int64, labels: Set<Int64>, excluded: Set<Int64>,
                   refuse: Bool, r: Int) -> Result<[Int], MAPKError> {
    var position = 0
    var hits: [Int] = []
    var walked = Set<Int64>()
    for id in row where position < k {
      if excluded.contains(id) { continue }
      position += 1
      defer { walked.insert(id) }
      if id == pad { continue }
      if id < 0 { return .failure(.invalidID(row: r, id: id, pad: pad)) }
      if walked.contains(id) {
        if refuse { return .failure(.duplicateID(row: r, id: id)) }
        continue
      }
      if labels.contains(id) { hits.append(position) }
    }
    return .success(hits)
  }

  /// The evaluator's per-row values (`configuration.pairs` order) of `rows`, or its error.
  static func evaluate(_ evaluator: RankedIDEvaluator, rows: Range<Int>, ids: [Int64], int32: Bool, width: Int,
                       labels: [[Int64]], semantics: LabelSemantics, exclusions: [[Int64]]?,
                       configuration: MAPConfiguration) -> Result<[Double], MAPKError> {
    let count = labels.count
    let ids32 = ids.map { Int32(truncatingIfNeeded: $0) }
    func flat(_ rows: [[Int64]]) -> (offsets: [Int64], values: [Int64]) {
      var offsets: [Int64] = [0]
      for row in rows { offsets.append(offsets.last! + Int64(row.count)) }
      return (offsets, rows.flatMap { $0 } + [0])
    }
    let (labelOffsets, labelValues) = flat(labels)
    let (excludedOffsets, excludedValues) = flat(exclusions ?? [])
    var perRow = [Double](repeating: .nan, count: count * configuration.pairs.count)
    return ids.withUnsafeBufferPointer { i64 in
      ids32.withUnsafeBufferPointer { i32 in
        labelOffsets.withUnsafeBufferPointer { lo in
          labelValues.withUnsafeBufferPointer { lv in
            excludedOffsets.withUnsafeBufferPointer { eo in
              excludedValues.withUnsafeBufferPointer { ev in
                perRow.withUnsafeMutableBufferPointer { out in
                  let view = RankedIDs(rows: count, width: width,
                                       values: int32 ? .int32(i32.baseAddress!) : .int64(i64.baseAddress!),
                                       reading: evaluator.reading)
                  let labelRows = LabelRows(rows: count, offsets: .explicit(lo.baseAddress!),
                                            values: .int64(lv.baseAddress!), semantics: semantics)
                  let excluded = exclusions.map { _ in
                    LabelRows(rows: count, offsets: .explicit(eo.baseAddress!), values: .int64(ev.baseAddress!),
                              semantics: .sparse)
                  }
                  var state = MAPState(configuration: configuration)
                  do {
                    try evaluator.evaluate(rows: rows, ids: view, labels: labelRows, weights: .none,
                                           excluding: excluded, into: &state,
                                           perRow: PerRowSink(base: out.baseAddress!))
                  } catch let error as MAPKError {
                    return .failure(error)
                  } catch {
                    preconditionFailure("unexpected \(error)")
                  }
                  return .success(Array(out))
                }
              }
            }
          }
        }
      }
    }
  }

  @Test(arguments: [91, 92, 93, 94] as [UInt64])
  func everyRowMatchesTheRule(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let limit = RankedIDEvaluator.idLimit
    for trial in 0..<48 {
      let classes: Int? = [nil, 120, limit + 5, 3000][trial % 4]
      let pad: Int64 = trial % 3 == 2 ? 100_000_000 : -1
      let int32 = trial % 2 == 0
      let semantics: LabelSemantics = trial % 5 < 2 ? .sparse : .dense
      let k = [1, 5, 10, 32, 100][Int(rng.next() % 5)]
      let width = k + Int(rng.next() % 6)
      let rows = 1 + Int(rng.next() % 60)
      let ks = Array(Set([1, Swift.max(1, k / 2), k])).sorted()
      let configuration = try MAPConfiguration(ks: ks, metrics: [.averagePrecision, .macroRecall], emptyRows: .zero)
      // The bound of a refusing evaluator: the classes or the limit, the fewer.
      let bound = Int64(Swift.min(classes ?? limit, limit))
      let near: [Int64] = [bound - 2, bound - 1, bound, bound + 1, bound + 63, 0, 1, 63, 64]
      func draw() -> Int64 {
        switch rng.next() % 8 {
        case 0, 1: return near[Int(rng.next() % UInt64(near.count))]
        case 2, 3: return Int64(rng.next() % 40)
        default: return Int64(rng.next() % UInt64(Swift.max(bound, 80) + 200))
        }
      }
      var labels: [[Int64]] = []
      for _ in 0..<rows {
        let count = [0, 1, 2, 5, 8, 9, 12][Int(rng.next() % 7)]
        labels.append((0..<count).map { _ in rng.next() % 6 == 0 ? -1 : draw() })
      }
      var ids: [Int64] = []
      for r in 0..<rows {
        for _ in 0..<width {
          let v = rng.next() % 100
          var id: Int64
          if v < 5 { id = pad } else if v < 6 && trial % 4 == 1 { id = -2 - Int64(rng.next() % 3) }
          else if v < 30 && !labels[r].isEmpty { id = labels[r][Int(rng.next() % UInt64(labels[r].count))] }
          else { id = draw() }
          ids.append(int32 ? Int64(Int32(truncatingIfNeeded: id)) : id)
        }
      }
      let exclusions: [[Int64]]? = trial % 3 == 0
        ? (0..<rows).map { _ in (0..<Int(rng.next() % 5)).map { _ in rng.next() % 7 == 0 ? -1 : draw() } } : nil
      for duplicates in DuplicateIDPolicy.allCases {
        let reading = RankedIDReading(pad: pad, duplicates: duplicates, classes: classes)
        let evaluator = try RankedIDEvaluator(configuration: configuration, reading: reading)
        if duplicates == .error { #expect(evaluator.idBound == UInt64(bound)) }
        let context = "seed \(seed) trial \(trial) \(duplicates) classes \(String(describing: classes)) int32 \(int32)"
        // The rule, row by row, up to the first bad row.
        var want: [Double] = []
        var firstError: MAPKError?
        rowLoop: for r in 0..<rows {
          let cleaned = labels[r].map { v -> Int64 in classes.map { v >= Int64($0) ? -1 : v } ?? v }
          let matchable = Set(cleaned.filter { $0 >= 0 })
          let n = semantics == .dense ? cleaned.filter { $0 >= 0 }.count : Set(cleaned).count
          for pair in configuration.pairs {
            switch Self.walk(ids[(r * width)..<((r + 1) * width)], k: pair.k, pad: pad, labels: matchable,
                             excluded: Set(exclusions?[r].filter { $0 >= 0 } ?? []),
                             refuse: duplicates == .error, r: r) {
            case .failure(let error):
              firstError = error
              break rowLoop
            case .success(let hits):
              if pair.metric == .averagePrecision {
                let sum = hits.enumerated().reduce(0.0) { $0 + Double($1.offset + 1) / Double($1.element) }
                want.append(n == 0 ? 0 : sum / Double(Swift.min(n, pair.k)))
              } else {
                let relevant = Set(labels[r].filter { $0 >= 0 }).count
                want.append(relevant == 0 ? 0 : Double(hits.count) / Double(relevant))
              }
            }
          }
        }
        let got = Self.evaluate(evaluator, rows: 0..<rows, ids: ids, int32: int32, width: width, labels: labels,
                                semantics: semantics, exclusions: exclusions, configuration: configuration)
        // The rows before the bad one (a bad row's values are dropped).
        let goodRows = want.count / configuration.pairs.count
        want.removeLast(want.count - goodRows * configuration.pairs.count)
        switch got {
        case .failure(let error):
          #expect(error == firstError, "\(context): \(error)")
        case .success(let values):
          #expect(firstError == nil, "\(context): no error, expected \(String(describing: firstError))")
          for (i, value) in values.prefix(want.count).enumerated() {
            #expect(abs(value - want[i]) <= 1e-12, "\(context) row \(i / configuration.pairs.count): \(value) vs \(want[i])")
          }
        }
        // The same evaluator again, after any error, on the rows before the bad one.
        if firstError != nil && goodRows > 0 {
          let again = Self.evaluate(evaluator, rows: 0..<goodRows, ids: ids, int32: int32, width: width,
                                    labels: labels, semantics: semantics, exclusions: exclusions,
                                    configuration: configuration)
          if case .success(let values) = again {
            for (i, value) in values.prefix(want.count).enumerated() {
              #expect(abs(value - want[i]) <= 1e-12, "\(context) after the error, row \(i / configuration.pairs.count)")
            }
          } else {
            Issue.record("\(context): after the error, \(again)")
          }
        }
      }
    }
  }

  /// 140,000 rows of two distinct ids, the label 5 and `1000 + r % 65535`
  /// (each second id comes back 65,535 rows later, when the 16-bit stamps
  /// have come round to the same value), in two calls on one evaluator: no
  /// row is a repeat, so the table must be cleared when the stamps wrap.
  @Test func idsComingBackAfterTheStampsWrapAreNoRepeat() throws {
    let rows = 140_000
    let configuration = try MAPConfiguration(ks: [2])
    let ids: [Int64] = (0..<rows).flatMap { r -> [Int64] in [5, 1000 + Int64(r % 65535)] }
    let labels = [Int64](repeating: 5, count: rows)
    let evaluator = try RankedIDEvaluator(configuration: configuration, reading: RankedIDReading())
    #expect(evaluator.idBound == UInt64(RankedIDEvaluator.idLimit))
    var state = MAPState(configuration: configuration)
    try ids.withUnsafeBufferPointer { i in
      try labels.withUnsafeBufferPointer { l in
        let view = RankedIDs(rows: rows, width: 2, values: .int64(i.baseAddress!))
        let labelRows = LabelRows(rows: rows, offsets: .uniform(width: 1), values: .int64(l.baseAddress!),
                                  semantics: .dense)
        try evaluator.evaluate(rows: 0..<70_000, ids: view, labels: labelRows, weights: .none, into: &state)
        try evaluator.evaluate(rows: 70_000..<rows, ids: view, labels: labelRows, weights: .none, into: &state)
      }
    }
    // Every row's AP@2 is 1 (its one label first).
    #expect(state.rows == rows)
    #expect(state.value(metric: .averagePrecision, k: 2) == 1)
  }
}
