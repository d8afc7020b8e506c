import TestSupport
import Testing
@testable import MAPKKernel

/// The SIMD primitives one at a time, on every path this CPU supports,
/// against plain loops written here: float32 rank counts (the label's block,
/// the tail, ties, ±0.0), the one-call argmax, group maxima (every segment count, the tail's
/// covered lanes), the threshold scan and the NaN checks, float16 and
/// bfloat16 rank counts for positive keys and their NaN checks, the float32
/// short-row pattern. Rows of 16 to 1,003 scores around every block boundary
/// (short rows: 1 to 64).
/// In `TopKDifferentialTests` (serialized): the path is process-wide.
extension TopKDifferentialTests {
  static let primitiveLengths = [16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 255, 256, 257, 1000, 1003]

  /// float32 scores: ties, ±0.0, ±inf, subnormals and NaN (any sign, payload) by chance.
  static func primitiveRow32(_ n: Int, nan: Bool, _ rng: inout SplitMix64) -> [UInt32] {
    let pool: [Float] = [0, -0.0, 1, -1, 0.5, 0.25, .infinity, -.infinity, .leastNonzeroMagnitude, 3e38, -3e38]
    return (0..<n).map { _ in
      let r = rng.next()
      if nan && r % 97 == 0 { return 0x7F80_0001 | UInt32(truncatingIfNeeded: r >> 32) | (r & 2 == 0 ? 0 : 0x8000_0000) }
      if r % 3 == 0 { return pool[Int((r >> 8) % UInt64(pool.count))].bitPattern }
      return Float(Double(Int64(r >> 11) - (1 << 52)) / Double(1 << 52)).bitPattern
    }
  }

  @Test(arguments: [40, 41] as [UInt64])
  func float32PrimitivesMatchPlainLoops(seed: UInt64) {
    onEveryPath {
      var rng = SplitMix64(seed: seed)
      for n in Self.primitiveLengths {
        for withNaN in [false, true] {
          let bits = Self.primitiveRow32(n, nan: withNaN, &rng)
          let x = bits.map { Float(bitPattern: $0) }
          let hasNaN = x.contains { $0.isNaN }
          let context = "\(SIMDPath.active) seed \(seed) n=\(n) NaN=\(hasNaN)"
          bits.withUnsafeBufferPointer { row in
            let p = row.baseAddress!
            #expect(UInt32.isNaNFree(p, count: n) == !hasNaN, "\(context): isNaNFree")
            // Rank counts: the label at the start, in and around blocks, in the tail.
            for c in Set([0, 1, 15, 16, 17, n / 2, n - 17, n - 16, n - 1].filter { $0 >= 0 && $0 < n }) where !x[c].isNaN {
              let key = UInt32.key(bits[c])
              let s = Float(bitPattern: UInt32.bits(ofKey: key))
              let want = (0..<n).filter { x[$0] > s || (x[$0] == s && $0 < c) }.count
              let (count, nanFree) = UInt32.countRankedBefore(p, count: n, index: c, score: s, checkingNaN: true)
              if hasNaN { #expect(!nanFree, "\(context) c=\(c): NaN missed") }
              if nanFree { #expect(count == want, "\(context) c=\(c): count") }
              #expect(UInt32.countRankedBefore(p, count: n, index: c, score: s, checkingNaN: false).count == want,
                      "\(context) c=\(c): count without the NaN check")
            }
            // Group maxima for every segment count: lane l of segment s's blocks.
            let blocks = n / 16
            for segments in Set([1, 2, 3, 16, blocks].filter { $0 >= 1 && $0 <= blocks }) {
              var out = [Int32](repeating: 0, count: segments * 16)
              let (groups, nanFree) = out.withUnsafeMutableBufferPointer {
                UInt32.groupMaxima(p, count: n, segments: segments, into: $0.baseAddress!)
              }
              #expect(groups == segments * 16, "\(context) segments=\(segments): groups")
              if hasNaN { #expect(!nanFree, "\(context) segments=\(segments): NaN missed") }
              for s in 0..<segments {
                let range = (s * blocks / segments)..<((s + 1) * blocks / segments)
                for l in 0..<16 {
                  var members = range.map { $0 * 16 + l }
                  if s == segments - 1 && n - 16 + l >= blocks * 16 { members.append(n - 16 + l) }
                  let best = members.map { x[$0] }.filter { !$0.isNaN }.max() ?? -.infinity
                  #expect(out[s * 16 + l] == UInt32.key(best.bitPattern), "\(context) segments=\(segments) group \(s),\(l)")
                }
              }
            }
            // The scan: every score at or above a threshold and every NaN, in order.
            for t in [Float(-2), -0.0, 0.5, 1, .infinity] {
              let threshold = UInt32.key(t.bitPattern)
              let entries = UnsafeMutablePointer<RankEntry<Int32>>.allocate(capacity: n)
              defer { entries.deallocate() }
              var collector = Collector<UInt32>(
                entries: entries, threshold: threshold, nan: NaNTally(policy: .largest, key: .max))
              #expect(UInt32.scan(p, count: n, nanFree: !hasNaN, &collector), "\(context) t=\(t): stopped")
              let want = (0..<n).filter { x[$0].isNaN || UInt32.key(bits[$0]) >= threshold }
              #expect((0..<collector.count).map { Int(entries[$0].index) } == want, "\(context) t=\(t): scan")
            }
            var best = ArgMax<UInt32>(nan: NaNTally(policy: .lowest, key: .min))
            _ = UInt32.scan(p, count: n, nanFree: false, &best)
            let keys = bits.map { UInt32.isNaN($0) ? Int32.min : UInt32.key($0) }
            #expect(best.index == keys.firstIndex(of: keys.max()!), "\(context): argmax")
            // The one-call argmax of the C paths: nil at the baseline and for a row with a NaN.
            let first = UInt32.argmaxIfNaNFree(p, count: n)
            if SIMDPath.active == .baseline || hasNaN {
              #expect(first == nil, "\(context): argmax in one call")
            } else {
              #expect(first == keys.firstIndex(of: keys.max()!), "\(context): argmax in one call")
            }
          }
        }
      }
    }
  }

  /// The k-th largest of 16 group maxima (the bound of k <= 16) against a
  /// sort: keys of non-NaN floats (what group maxima are: -inf's key up to
  /// +inf's), many ties, every k from 1 to 16.
  @Test(arguments: [46, 47] as [UInt64])
  func float32KthLargestOf16MatchesSort(seed: UInt64) {
    onEveryPath {
      var rng = SplitMix64(seed: seed)
      let pool: [Int32] = [0, -1, 1, 0x7F80_0000, -0x7F80_0000, 0x7F7F_FFFF, -0x7F7F_FFFF]
      for trial in 0..<200 {
        var keys: [Int32] = (0..<16).map { _ in
          let r = rng.next()
          switch r % 4 {
          case 0: return pool[Int((r >> 8) % UInt64(pool.count))]
          case 1: return Int32(truncatingIfNeeded: Int64(r >> 32) % 5)  // ties
          default: return Int32(Int64(r >> 32) % 0x7F80_0001 * (r & 1 == 0 ? 1 : -1))
          }
        }
        let sorted = keys.sorted(by: >)
        for k in 1...16 {
          let found = keys.withUnsafeMutableBufferPointer {
            UInt32.kthLargestGroupMaximum($0.baseAddress!, count: 16, k: k)
          }
          #expect(found == sorted[k - 1], "\(SIMDPath.active) seed \(seed) trial \(trial) k=\(k) keys \(keys)")
        }
      }
    }
  }

  /// The float32 short-row pattern (keys and every label's count in one
  /// call) against a plain count over the floats: every length 1 to 64,
  /// ties, ±0.0, ±inf, negative scores and NaN by chance, 1 to 16 labels.
  @Test(arguments: [44, 45] as [UInt64])
  func float32ShortRowMaskMatchesPlainLoop(seed: UInt64) {
    onEveryPath {
      var rng = SplitMix64(seed: seed)
      for n in 1...ShortRows.maxClasses {
        let table = ShortRows.makeBeforeTable(classes: n)
        defer { ShortRows.deallocate(table) }
        for trial in 0..<8 {
          let bits = Self.primitiveRow32(n, nan: trial % 4 == 3, &rng)
          // Half the rows without a sign bit (the keys are the bits), half with negative scores and -0.0.
          let row = trial % 2 == 0 ? bits.map { $0 & 0x7FFF_FFFF } : bits
          let x = row.map { Float(bitPattern: $0) }
          let hasNaN = x.contains { $0.isNaN }
          let m = 1 + Int(rng.next() % UInt64(min(n, 16)))
          let ids = Array((0..<n).shuffled(using: &rng).prefix(m)).map { Int32($0) }
          let k = 1 + Int(rng.next() % UInt64(min(n, 8)))
          let context = "\(SIMDPath.active) seed \(seed) n=\(n) trial \(trial) labels \(ids) k=\(k)"
          let mask = row.withUnsafeBufferPointer { p in
            ids.withUnsafeBufferPointer { i in
              ShortRows.float32HitMask(p.baseAddress!, classes: n, table: table, ids: i.baseAddress!, count: m, k: k)
            }
          }
          if hasNaN {
            #expect(mask == nil, "\(context): NaN missed")
            continue
          }
          var want = 0
          for c in ids.map({ Int($0) }) {
            let beaten = (0..<n).filter { x[$0] > x[c] || (x[$0] == x[c] && $0 < c) }.count
            if beaten < k { want |= 1 << beaten }
          }
          #expect(mask == want, "\(context): pattern")
        }
      }
    }
  }

  @Test(arguments: [42, 43] as [UInt64])
  func float16PrimitivesMatchPlainLoops(seed: UInt64) {
    halfPrimitivesMatchPlainLoops(UInt16.self, "float16", seed: seed, nanBase: 0x7C01,
                                  pool: [0x0000, 0x8000, 0x3C00, 0xBC00, 0x3800, 0x3801, 0x7C00, 0xFC00, 0x0001, 0x7BFF])
  }

  /// bfloat16 through the same 16-bit code: the pool holds finite magnitudes
  /// above float16's infinity bits (0x7C01, 0x7F7F, 0xFD00), which the C NaN
  /// test flags and the bfloat16 check must clear.
  @Test(arguments: [44, 45] as [UInt64])
  func bfloat16PrimitivesMatchPlainLoops(seed: UInt64) {
    halfPrimitivesMatchPlainLoops(BFloat16Bits.self, "bfloat16", seed: seed, nanBase: 0x7F81,
                                  pool: [0x0000, 0x8000, 0x3F80, 0xBF80, 0x3F00, 0x3F01, 0x7F80, 0xFF80, 0x0001, 0x7F7F,
                                         0x7C01, 0xFD00])
  }

  /// The 16-bit primitives of `Bits` against plain loops: rows of `pool` bits
  /// (ties, both signs, ±0, ±inf) and random bits, NaN (`nanBase` or more) by chance.
  func halfPrimitivesMatchPlainLoops<Bits: HalfScoreBits>(_: Bits.Type, _ name: String, seed: UInt64, nanBase: UInt16,
                                                          pool: [UInt16]) {
    onEveryPath {
      var rng = SplitMix64(seed: seed)
      // 300,000: past the 16 * 16,384 scores 16-bit lane counts hold between two reductions.
      for n in Self.primitiveLengths + [33_000, 300_000] {
        for withNaN in [false, true] {
          let bits: [Bits] = (0..<n).map { _ in
            let r = rng.next()
            if withNaN && r % 89 == 0 {
              return Bits(truncatingIfNeeded: nanBase + UInt16(truncatingIfNeeded: r >> 40) % (0x8000 - nanBase))
            }
            let raw = r % 2 == 0 ? pool[Int((r >> 8) % UInt64(pool.count))] : UInt16(truncatingIfNeeded: r >> 20)
            // Random bits may be a NaN: only in the rows meant to hold some, so long rows without NaN occur.
            return Bits.isNaN(Bits(truncatingIfNeeded: raw)) && !withNaN ? Bits(truncatingIfNeeded: pool[0])
              : Bits(truncatingIfNeeded: raw)
          }
          let hasNaN = bits.contains { Bits.isNaN($0) }
          let context = "\(SIMDPath.active) seed \(seed) \(name) n=\(n) NaN=\(hasNaN)"
          bits.withUnsafeBufferPointer { row in
            let p = row.baseAddress!
            #expect(Bits.isNaNFree(p, count: n) == !hasNaN, "\(context): isNaNFree")
            let keys = bits.map { Bits.key($0) }
            for c in Set([0, 1, 15, 16, 17, n / 2, n - 17, n - 16, n - 1].filter { $0 >= 0 && $0 < n })
            where !Bits.isNaN(bits[c]) && keys[c] > 0 {
              let (count, nanFree) = Bits.countRankedBefore(p, count: n, index: c, positiveKey: keys[c], checkingNaN: true)
              #expect(nanFree == !hasNaN, "\(context) c=\(c): NaN check")
              #expect(Bits.countRankedBeforeIfNaNFree(p, count: n, index: c, key: keys[c]) == (hasNaN ? nil : count),
                      "\(context) c=\(c): count if NaN-free")
              guard !hasNaN else { continue }
              let want = (0..<n).filter { keys[$0] > keys[c] || (keys[$0] == keys[c] && $0 < c) }.count
              #expect(count == want, "\(context) c=\(c): count")
              // The pass without the NaN check (a label after the row's first).
              #expect(Bits.countRankedBefore(p, count: n, index: c, positiveKey: keys[c], checkingNaN: false).count == want,
                      "\(context) c=\(c): count without the NaN check")
            }
          }
        }
      }
    }
  }
}
