/// float16 rows: blocks of 32 scores compared as 16-bit integers, with no
/// conversion to another float type.
///
/// The lane key used here is `b ^ ((b >> 15) & 0x7FFF)` on the signed bits
/// `b`: equal to the score's key for a positive sign and to key - 1 for a
/// negative sign (so `-0.0` sits just below `+0.0`, which thresholds below
/// account for). It is monotone in the score, and NaN lands beyond the keys
/// of `±inf` on either side, which one more compare catches.
extension UInt16: RowScanning {
  static var lanesPerSegment: Int { 32 }

  /// The lane key of each lane (see the type's note).
  @inline(__always)
  static func laneKeys(_ b: SIMD32<Int16>) -> SIMD32<Int16> {
    b ^ ((b &>> 15) & 0x7FFF)
  }

  /// The lane key of `-inf`; every NaN lies strictly outside `-0x7C01...0x7C00`.
  @inline(__always)
  static var negativeInfinityLaneKey: Int16 { -0x7C01 }

  /// The value a lane key must exceed for the score's key to be at least
  /// `key` (NaN aside): below every score for keys at or under `-inf`'s, and
  /// `+inf`'s lane key when only NaN is wanted.
  @inline(__always)
  static func laneThreshold(_ key: Int16) -> Int16 {
    if key <= 0 &- infinityKey { return .min }
    if key > infinityKey { return infinityKey }
    // key > 0: only a positive sign qualifies, lane key = key. key <= 0:
    // every positive sign qualifies, and a negative sign with lane key >= key - 1.
    return key > 0 ? key &- 1 : key &- 2
  }

  /// 0, 1, ..., 31.
  @inline(__always)
  static var laneIndices: SIMD32<Int16> {
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]
  }

  @inline(__always)
  static func candidates(_ x: SIMD32<Int16>, above t: SIMD32<Int16>) -> SIMDMask<SIMD32<Int16>> {
    let lane = laneKeys(x)
    return (lane .> t) .| (lane .< SIMD32(repeating: negativeInfinityLaneKey))
  }

  @inline(__always)
  static func laneBits32(_ mask: SIMDMask<SIMD32<Int16>>) -> UInt32 {
    let lanes = unsafeBitCast(mask, to: SIMD32<Int16>.self)
    let low = unsafeBitCast(lanes.lowHalf, to: SIMDMask<SIMD16<Int16>>.self)
    let high = unsafeBitCast(lanes.highHalf, to: SIMDMask<SIMD16<Int16>>.self)
    return laneBits(low) | laneBits(high) << 16
  }

  static func scan<V: CandidateVisitor>(_ row: UnsafePointer<UInt16>, count n: Int, _ v: inout V) -> Bool
  where V.Bits == UInt16 {
    guard n >= 32 else { return scanScalar(row, from: 0, to: n, &v) }
    let raw = UnsafeRawPointer(row)
    var key = v.threshold
    var t = SIMD32<Int16>(repeating: laneThreshold(key))
    let end = n &- 32
    var i = 0
    while i <= end {
      let x = raw.loadUnaligned(fromByteOffset: i &<< 1, as: SIMD32<Int16>.self)
      let hit = candidates(x, above: t)
      if any(hit) {
        if !visitLanes(laneBits32(hit), base: i, row, &v) { return false }
        if v.threshold != key {
          key = v.threshold
          t = SIMD32(repeating: laneThreshold(key))
        }
      }
      i &+= 32
    }
    guard i < n else { return true }
    let x = raw.loadUnaligned(fromByteOffset: end &<< 1, as: SIMD32<Int16>.self)
    let hit = candidates(x, above: t)
    guard any(hit) else { return true }
    return visitLanes(laneBits32(hit) & (~0 << UInt32(i &- end)), base: end, row, &v)
  }

  static func groupMaxima(_ row: UnsafePointer<UInt16>, count n: Int, segments: Int, into out: UnsafeMutablePointer<Int16>)
    -> Int
  {
    let blocks = n / 32
    let segments = Swift.min(segments, blocks)
    guard segments > 0 else { return 0 }
    let raw = UnsafeRawPointer(row)
    let low = SIMD32<Int16>(repeating: negativeInfinityLaneKey)
    let high = SIMD32<Int16>(repeating: infinityKey)
    @inline(__always) func include(_ x: SIMD32<Int16>, _ m: inout SIMD32<Int16>) {
      var lane = laneKeys(x)
      // NaN lanes drop to the bottom so that they never become a maximum.
      lane.replace(with: .min, where: (lane .> high) .| (lane .< low))
      m.replace(with: lane, where: lane .> m)
    }
    for s in 0..<segments {
      var m = SIMD32<Int16>(repeating: .min)
      for b in segmentBlocks(s, of: segments, blocks: blocks) {
        include(raw.loadUnaligned(fromByteOffset: b &<< 6, as: SIMD32<Int16>.self), &m)
      }
      if s == segments - 1 && blocks * 32 < n {
        var x = raw.loadUnaligned(fromByteOffset: (n - 32) &<< 1, as: SIMD32<Int16>.self)
        let covered = SIMD32<Int16>(repeating: Int16(truncatingIfNeeded: blocks * 32 - (n - 32)))
        // Lanes a full block already covered become a NaN (bits 0xFFFF), which
        // `include` leaves out, so that the groups stay disjoint.
        x.replace(with: -1, where: laneIndices .< covered)
        include(x, &m)
      }
      // Lane key to key: negative lane keys are key - 1.
      let keys = m &+ SIMD32(repeating: 1).replacing(with: 0, where: m .>= 0)
      UnsafeMutableRawPointer(out + s * 32).storeBytes(of: keys, as: SIMD32<Int16>.self)
    }
    return segments * 32
  }
}
