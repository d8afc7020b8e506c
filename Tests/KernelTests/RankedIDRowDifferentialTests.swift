import CMAPKSIMD
import TestSupport
import Testing

/// The C row walker of ranked ids (`mapk_ranked_ids_row_i32` / `_i64`,
/// Sources/CSIMD/ranked_ids.c) against the rule written plainly here, on
/// every instruction set this CPU has (the level is an argument, so the
/// baseline is forced without touching the process-wide choice): random rows
/// with repeated ids (refused and `first`), pads (-1 and the sentinel
/// 100000000, and a pad no int32 equals), negative ids, ids far above every
/// label (and labels above `Int32.max`), 0, 1, 2, 8, 9, 64 and 65 labels,
/// exclusions, k shorter and longer than the row. Also checks that the
/// scratch is all zero after every call, errors included.
@Suite struct RankedIDRowDifferentialTests {
  /// The rule: walk the columns until k positions; an excluded id takes none;
  /// the pad takes one and never hits; a negative id is an error; an id equal
  /// to an earlier walked one is an error when refusing, else a miss; a label
  /// hits at its position. The first error in column order.
  static func reference(_ row: [Int64], k: Int, pad: Int64, labels: [Int64], excluded: [Int64],
                        refuse: Bool) -> (result: Int64, hits: [Int32], bad: Int64) {
    var position = 0
    var hits: [Int32] = []
    var walked: [Int64] = []
    for id in row where position < k {
      if excluded.contains(id) { continue }
      position += 1
      defer { walked.append(id) }
      if id == pad { continue }
      if id < 0 { return (Int64(MAPK_RANKED_INVALID_ID), hits, id) }
      if walked.contains(id) {
        if refuse { return (Int64(MAPK_RANKED_DUPLICATE_ID), hits, id) }
        continue
      }
      if labels.contains(id) { hits.append(Int32(position)) }
    }
    return (Int64(hits.count), hits, 0)
  }

  @Test(arguments: [7, 8] as [UInt64])
  func rowWalkerMatchesTheRule(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let best = mapk_simd_best_level()
    let labelCounts = [0, 1, 2, 8, 9, 64, 65]
    let pads: [Int64] = [-1, 100_000_000, 5_000_000_000]
    for trial in 0..<3000 {
      let columns = 1 + Int(rng.next() % 140)
      // k below, at and above the row's length.
      let k = [1 + Int(rng.next() % UInt64(columns)), columns, columns + 1 + Int(rng.next() % 20)][trial % 3]
      let int32 = rng.next() % 2 == 0
      // A small range makes repeats common; a wide one puts ids far above the labels.
      let range: Int64 = [20, 1000, 3_000_000_000][Int(rng.next() % 3)]
      let pad = pads[Int(rng.next() % 3)]
      let labelCount = labelCounts[trial % labelCounts.count]
      var labelSet = Set<Int64>()
      for _ in 0..<labelCount {
        // Some labels above Int32.max: no int32 id can equal them.
        labelSet.insert(Int64(rng.next() % UInt64(range)) + (rng.next() % 8 == 0 ? 3_000_000_000 : 0))
      }
      let labels = labelSet.sorted()
      let excluded = rng.next() % 3 == 0
        ? Set((0..<Int(rng.next() % 8)).map { _ in Int64(rng.next() % UInt64(range)) }).sorted() : []
      var row: [Int64] = (0..<columns).map { _ in
        let r = rng.next() % 100
        var v: Int64
        if r < 4 { v = pad } else if r < 5 { v = -2 - Int64(rng.next() % 5) } else if r < 30 && !labels.isEmpty {
          v = labels[Int(rng.next() % UInt64(labels.count))]
        } else { v = Int64(rng.next() % UInt64(range)) }
        return v
      }
      if int32 { row = row.map { Int64(Int32(truncatingIfNeeded: $0)) } }
      for refuse in [true, false] {
        let want = Self.reference(row, k: k, pad: pad, labels: labels, excluded: excluded, refuse: refuse)
        for level in 0...best {
          let log2Bits: Int32 = 12
          var scratch = [UInt64](repeating: 0, count: (1 << (Int(log2Bits) - 2)) + 1 + (1 << (Int(log2Bits) - 6)))
          var hits = [Int32](repeating: 0, count: k)
          var bad: Int64 = 0
          let got: Int64 = labels.withUnsafeBufferPointer { l in
            excluded.withUnsafeBufferPointer { e in
              if int32 {
                let row32 = row.map { Int32(truncatingIfNeeded: $0) }
                return mapk_ranked_ids_row_i32(level, row32, Int64(columns), Int64(k), pad, l.baseAddress,
                                               Int64(labels.count), e.baseAddress, Int64(excluded.count),
                                               refuse ? 1 : 0, &scratch, log2Bits, &hits, &bad)
              }
              return mapk_ranked_ids_row_i64(level, row, Int64(columns), Int64(k), pad, l.baseAddress,
                                             Int64(labels.count), e.baseAddress, Int64(excluded.count),
                                             refuse ? 1 : 0, &scratch, log2Bits, &hits, &bad)
            }
          }
          let context = "seed \(seed) trial \(trial) level \(level) int32 \(int32) refuse \(refuse) k \(k)"
          #expect(got == want.result, "\(context): result")
          if got >= 0 && got == want.result {
            #expect(Array(hits[0..<Int(got)]) == want.hits, "\(context): hits")
          } else if got == want.result {
            #expect(bad == want.bad, "\(context): the bad id")
          }
          #expect(scratch.allSatisfy { $0 == 0 }, "\(context): scratch left dirty")
        }
      }
    }
  }
}
