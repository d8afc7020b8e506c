import Foundation
import MAPKShards
import Testing
import TestSupport

/// Ranked ids against a plain reference written here (a `Set` of the row's
/// labels, a walk over its first k ids): every row's AP, for int32 and int64
/// ids, dense and sparse labels, with and without `--classes`, pads (-1 and a
/// sentinel), labels `>= classes`, repeated ids under `first`, rows of 0 to
/// 90 labels (past the evaluator's 8-label linear search, its 16-label Bloom
/// word and 64); and, under `error`, the first bad row and id a single
/// thread meets, whatever the threads.
@Suite struct RankedIDReferenceTests {
  /// Random rows: `width` ids each, drawn from a range small enough to repeat
  /// some, a pad now and then; 0 to 90 labels, some -1, some `>= classes`.
  struct Rows {
    var ids: [Int64] = []
    var labels: [[Int]] = []
  }

  func randomRows(rows: Int, width: Int, classes: Int, pad: Int64, using rng: inout SplitMix64) -> Rows {
    var out = Rows()
    for _ in 0..<rows {
      let spread = Int.random(in: 0..<4, using: &rng) == 0 ? width : classes + 3
      for _ in 0..<width {
        out.ids.append(Int.random(in: 0..<8, using: &rng) == 0 ? pad : Int64(Int.random(in: 0..<spread, using: &rng)))
      }
      let count = [0, 1, 3, 8, 9, 17, 40, 70, 90][Int.random(in: 0..<9, using: &rng)]
      out.labels.append((0..<count).map { _ in
        Int.random(in: 0..<6, using: &rng) == 0 ? -1 : Int.random(in: 0...(classes + 2), using: &rng)
      })
    }
    return out
  }

  /// The reference AP@k of one row under `first` (later copies and pads are misses).
  func referenceAP(ids: ArraySlice<Int64>, labels: [Int], k: Int, pad: Int64, classes: Int?,
                   semantics: LabelSemantics) -> Double {
    let limit = classes ?? Int.max
    let n = ReferenceMAP.labelCounts(labels, classes: limit, semantics: semantics).n
    var matchable = Set(labels.filter { $0 >= 0 && $0 < limit }.map { Int64($0) })
    var hits = 0, sum = 0.0
    for (i, id) in ids.prefix(k).enumerated() where id != pad && matchable.remove(id) != nil {
      hits += 1
      sum += Double(hits) / Double(i + 1)
    }
    return n == 0 ? 0 : sum / Double(min(n, k))
  }

  @Test(arguments: [71, 72, 73, 74] as [UInt64])
  func everyRowMatchesTheReference(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let rows = 240, classes = 60, width = Int.random(in: 20...40, using: &rng)
    let pad: Int64 = seed == 72 ? 100_000_000 : -1
    let data = randomRows(rows: rows, width: width, classes: classes, pad: pad, using: &rng)
    let ks = [1, 7, width]
    let configuration = try MAPConfiguration(ks: ks, emptyRows: .zero)
    let ids32 = data.ids.map { Int32($0) }
    for semantics in [LabelSemantics.dense, .sparse] {
      let labels = semantics == .sparse ? Labels.sparse(rows: data.labels) : Labels.dense(rows: data.labels)
      for known in [nil, classes] as [Int?] {
        let reading = RankedIDReading(pad: pad, duplicates: .first, classes: known)
        for wide in [false, true] {
          var perRow = [Double](repeating: .nan, count: rows * configuration.pairs.count)
          try labels.withRows { labelView in
            try perRow.withUnsafeMutableBufferPointer { out in
              let sink = PerRowSink(base: out.baseAddress!)
              if wide {
                _ = try data.ids.withUnsafeBufferPointer { p in
                  try Evaluator(threads: 3, chunkBytes: 256).evaluate(
                    ids: RankedIDs(rows: rows, width: width, values: .int64(p.baseAddress!), reading: reading),
                    labels: labelView, configuration: configuration, perRow: sink)
                }
              } else {
                _ = try ids32.withUnsafeBufferPointer { p in
                  try Evaluator(threads: 3, chunkBytes: 256).evaluate(
                    ids: RankedIDs(rows: rows, width: width, values: .int32(p.baseAddress!), reading: reading),
                    labels: labelView, configuration: configuration, perRow: sink)
                }
              }
            }
          }
          for r in 0..<rows {
            for (j, pair) in configuration.pairs.enumerated() {
              let k = pair.k
              let expected = referenceAP(ids: data.ids[(r * width)..<((r + 1) * width)], labels: data.labels[r],
                                         k: k, pad: pad, classes: known, semantics: semantics)
              let got = perRow[r * configuration.pairs.count + j]
              #expect(abs(got - expected) <= 1e-12,
                      "seed \(seed) \(semantics) classes \(String(describing: known)) int\(wide ? 64 : 32) row \(r) k \(k): \(got) vs \(expected)")
            }
          }
        }
      }
    }
  }

  /// Under `error`: the error is the first bad id of the first bad row (a
  /// negative id that is no pad, or a repeated id), found by a walk here,
  /// at any thread count and chunking.
  @Test(arguments: [81, 82, 83] as [UInt64])
  func theFirstBadRowAndIDAreReported(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let rows = 400, width = 24, k = 16
    var ids: [Int64] = []
    for _ in 0..<rows {
      ids += Array(0..<200).shuffled(using: &rng).prefix(width).map { Int64($0) }
    }
    // Spoil a few rows, some only past k (not evaluated, so not refused).
    for _ in 0..<6 {
      let r = Int.random(in: 100..<rows, using: &rng), i = Int.random(in: 1..<width, using: &rng)
      ids[r * width + i] = Bool.random(using: &rng) ? -Int64.random(in: 2...5, using: &rng)
        : ids[r * width + Int.random(in: 0..<i, using: &rng)]
    }
    let labels = Labels.sparse(rows: (0..<rows).map { _ in (0..<Int.random(in: 0...20, using: &rng)).map { _ in Int.random(in: 0..<200, using: &rng) } })
    // The reference: the first row, in order, with a negative id or a repeated one among its first k.
    var expected: MAPKError?
    search: for r in 0..<rows {
      var seen = Set<Int64>()
      for id in ids[(r * width)..<(r * width + k)] where id != -1 {
        if id < 0 { expected = .invalidID(row: r, id: id, pad: -1); break search }
        if !seen.insert(id).inserted { expected = .duplicateID(row: r, id: id); break search }
      }
    }
    #expect(expected != nil, "seed \(seed): no bad id among the first k")
    let configuration = try MAPConfiguration(ks: [k])
    for threads in [1, 2, 3] {
      let ids32 = ids.map { Int32($0) }
      for wide in [false, true] {
        var thrown: MAPKError?
        do {
          _ = try labels.withRows { labelView in
            if wide {
              try ids.withUnsafeBufferPointer { p in
                try Evaluator(threads: threads, chunkBytes: 512).evaluate(
                  ids: RankedIDs(rows: rows, width: width, values: .int64(p.baseAddress!)),
                  labels: labelView, configuration: configuration)
              }
            } else {
              try ids32.withUnsafeBufferPointer { p in
                try Evaluator(threads: threads, chunkBytes: 512).evaluate(
                  ids: RankedIDs(rows: rows, width: width, values: .int32(p.baseAddress!)),
                  labels: labelView, configuration: configuration)
              }
            }
          }
        } catch let error as MAPKError {
          thrown = error
        }
        #expect(thrown == expected, "seed \(seed), \(threads) threads, int\(wide ? 64 : 32)")
      }
    }
  }
}
