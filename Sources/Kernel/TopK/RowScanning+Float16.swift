internal import CMAPKSIMD

/// float16 and bfloat16 rows: blocks of 32 scores (two `SIMD16<Int16>`) compared as 16-bit
/// integers, with no conversion to another float type.
///
/// Written once for both formats: they share the sign-magnitude layout, so
/// the keys and the raw-bit thresholds are the same computations, and only
/// the magnitude of infinity (`infinityMagnitude`: `0x7C00`, `0x7F80`)
/// differs, which every NaN test here reads from the type.
///
/// The lane key used here is `b ^ ((b >> 15) & 0x7FFF)` on the signed bits
/// `b`: equal to the score's key for a positive sign and to key - 1 for a
/// negative sign (so `-0.0` sits just below `+0.0`, which the thresholds
/// below account for). It is monotone in the score, and NaN lands beyond the
/// lane keys of `±inf` on either side, which one more compare catches.
///
/// Written for the code Swift 6.3 generates on x86-64: `SIMD16<Int16>` (not
/// `SIMD32`, whose operations are scalarized), compares between two vector
/// values (a compare with a literal or an inline `SIMD16(repeating:)` is
/// scalarized), and lane reductions by hand.
extension HalfScoreBits {
  static var lanesPerSegment: Int { 16 }

  /// The lane key of each lane (see the type's note).
  @inline(__always)
  static func laneKeys(_ b: SIMD16<Int16>) -> SIMD16<Int16> {
    b ^ ((b &>> 15) & 0x7FFF)
  }

  /// The lane keys of `-inf` and `+inf`; every NaN lies strictly outside.
  static var negativeInfinityLaneKey: Int16 { 0 &- infinityKey &- 1 }

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

  /// The lanes of `x` whose score may reach the threshold `t` (a lane-key
  /// bound from ``laneThreshold(_:)``), and the NaN lanes.
  @inline(__always)
  static func candidates(_ x: SIMD16<Int16>, above t: SIMD16<Int16>, nanBelow low: SIMD16<Int16>)
    -> SIMDMask<SIMD16<Int16>>
  {
    let lane = laneKeys(x)
    return (lane .> t) .| (low .> lane)
  }

  /// True if any lane of the mask is set (by hand: `any` on 16-bit masks
  /// calls a generic reduction).
  @inline(__always)
  static func anyLane(_ mask: SIMDMask<SIMD16<Int16>>) -> Bool {
    let v = unsafeBitCast(mask, to: SIMD4<UInt64>.self)
    let a = v.lowHalf | v.highHalf
    return (a[0] | a[1]) != 0
  }

  /// The raw-bits bounds `(above, below)` such that, in a row without NaN,
  /// a score's key is at least `key` exactly when its signed bits are above
  /// `above` or below `below`: a positive sign compares as its key, a
  /// negative sign with magnitude m as m - 32768 (smaller for larger m).
  @inline(__always)
  static func rawThresholds(_ key: Int16) -> (above: Int16, below: Int16) {
    if key <= 0 &- infinityKey { return (-1, .max) }  // every score (0x7FFF is a NaN)
    if key > infinityKey { return (.max, .min) }  // none
    // key > 0: a positive sign with key >= `key`. key <= 0: every positive
    // sign, and a negative sign with m <= -key, i.e. bits below -32767 - key.
    return key > 0 ? (key &- 1, .min) : (-1, -32767 &- key)
  }

  /// True if any lane is nonzero.
  @inline(__always)
  static func nonzero(_ v: SIMD16<Int16>) -> Bool {
    let w = unsafeBitCast(v.lowHalf | v.highHalf, to: SIMD2<UInt64>.self)
    return (w[0] | w[1]) != 0
  }

  static func scan<V: CandidateVisitor>(_ row: UnsafePointer<Self>, count n: Int, nanFree: Bool, _ v: inout V) -> Bool
  where V.Bits == Self {
    guard n >= 32 else { return scanScalar(row, from: 0, to: n, &v) }
    guard nanFree else { return scanAny(row, count: n, &v) }
    // No NaN: one compare of the raw bits per side, no lane key; and 64
    // scores are tested at once through their lane-wise max and min (a
    // candidate exists iff the max is above or the min below), so a block
    // without candidates costs 3 max, 3 min and 2 compares for 64 lanes.
    let raw = UnsafeRawPointer(row)
    var key = v.threshold
    var (above, below) = rawThresholds(key)
    var a = SIMD16<Int16>(repeating: above), b = SIMD16<Int16>(repeating: below)
    @inline(__always) func candidates(_ x: SIMD16<Int16>) -> SIMDMask<SIMD16<Int16>> { (x .> a) .| (b .> x) }
    @inline(__always) func load(_ at: Int) -> SIMD16<Int16> {
      raw.loadUnaligned(fromByteOffset: at &<< 1, as: SIMD16<Int16>.self)
    }
    @inline(__always) func rethreshold() {
      if v.threshold != key {
        key = v.threshold
        (above, below) = rawThresholds(key)
        a = SIMD16(repeating: above)
        b = SIMD16(repeating: below)
      }
    }
    var i = 0
    while i &+ 64 <= n {
      let x0 = load(i), x1 = load(i &+ 16), x2 = load(i &+ 32), x3 = load(i &+ 48)
      let h01 = x0.replacing(with: x1, where: x1 .> x0), h23 = x2.replacing(with: x3, where: x3 .> x2)
      let high = h01.replacing(with: h23, where: h23 .> h01)
      var hit = unsafeBitCast(high .> a, to: SIMD16<Int16>.self)
      if below != .min {
        // A threshold at or below zero: negative scores may qualify too.
        let l01 = x0.replacing(with: x1, where: x0 .> x1), l23 = x2.replacing(with: x3, where: x2 .> x3)
        let low = l01.replacing(with: l23, where: l01 .> l23)
        hit |= unsafeBitCast(b .> low, to: SIMD16<Int16>.self)
      }
      if nonzero(hit) {
        let lanes = UInt64(laneBits(candidates(x0))) | UInt64(laneBits(candidates(x1))) << 16
          | UInt64(laneBits(candidates(x2))) << 32 | UInt64(laneBits(candidates(x3))) << 48
        if !visitLanes(lanes, base: i, row, &v) { return false }
        rethreshold()
      }
      i &+= 64
    }
    while i &+ 32 <= n {
      let c0 = candidates(load(i)), c1 = candidates(load(i &+ 16))
      if anyLane(c0 .| c1) {
        if !visitLanes(UInt64(laneBits(c0) | laneBits(c1) << 16), base: i, row, &v) { return false }
        rethreshold()
      }
      i &+= 32
    }
    guard i < n else { return true }
    // The last 32 scores, without the lanes a full block already covered.
    let end = n &- 32
    let c0 = candidates(load(end)), c1 = candidates(load(end &+ 16))
    guard anyLane(c0 .| c1) else { return true }
    return visitLanes(UInt64((laneBits(c0) | laneBits(c1) << 16) & (~0 << UInt32(i &- end))), base: end, row, &v)
  }

  /// The scan of a row that may hold NaN: lane keys, and a NaN test per lane.
  static func scanAny<V: CandidateVisitor>(_ row: UnsafePointer<Self>, count n: Int, _ v: inout V) -> Bool
  where V.Bits == Self {
    let raw = UnsafeRawPointer(row)
    let low = SIMD16<Int16>(repeating: negativeInfinityLaneKey)
    var key = v.threshold
    var t = SIMD16<Int16>(repeating: laneThreshold(key))
    let end = n &- 32
    var i = 0
    while i <= end {
      let a = candidates(raw.loadUnaligned(fromByteOffset: i &<< 1, as: SIMD16<Int16>.self), above: t, nanBelow: low)
      let b = candidates(raw.loadUnaligned(fromByteOffset: (i &+ 16) &<< 1, as: SIMD16<Int16>.self), above: t, nanBelow: low)
      if anyLane(a .| b) {
        if !visitLanes(UInt64(laneBits(a) | laneBits(b) << 16), base: i, row, &v) { return false }
        if v.threshold != key {
          key = v.threshold
          t = SIMD16(repeating: laneThreshold(key))
        }
      }
      i &+= 32
    }
    guard i < n else { return true }
    let a = candidates(raw.loadUnaligned(fromByteOffset: end &<< 1, as: SIMD16<Int16>.self), above: t, nanBelow: low)
    let b = candidates(raw.loadUnaligned(fromByteOffset: (end &+ 16) &<< 1, as: SIMD16<Int16>.self), above: t, nanBelow: low)
    guard anyLane(a .| b) else { return true }
    return visitLanes(UInt64((laneBits(a) | laneBits(b) << 16) & (~0 << UInt32(i &- end))), base: end, row, &v)
  }

  /// Group maxima from the raw bits, 4 integer operations per 8 scores: per
  /// lane the largest signed bits (the largest score, if any has a positive
  /// sign) and the smallest (the largest score when all signs are negative:
  /// bits m - 32768 grow with the magnitude m), and the largest magnitude,
  /// which tells whether the row holds a NaN. A row with a NaN gets no bound
  /// (a NaN's bits would pose as a maximum).
  static func groupMaxima(_ row: UnsafePointer<Self>, count n: Int, segments: Int, into out: UnsafeMutablePointer<Int16>)
    -> (groups: Int, nanFree: Bool)
  {
    let blocks = n / 16
    let segments = Swift.min(segments, blocks)
    guard segments > 0 else { return (0, false) }
    let raw = UnsafeRawPointer(row)
    let magnitude = SIMD16<Int16>(repeating: 0x7FFF)
    let lowest = SIMD16<Int16>(repeating: .min), highest = SIMD16<Int16>(repeating: .max)
    let negative = SIMD16<Int16>(repeating: -1)
    let indices = SIMD16<Int16>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    var largestMagnitude = SIMD16<Int16>(repeating: 0)
    for s in 0..<segments {
      var high = lowest, low = highest
      @inline(__always) func include(_ x: SIMD16<Int16>, _ y: SIMD16<Int16>) {
        high.replace(with: x, where: x .> high)
        low.replace(with: y, where: low .> y)
        let m = x & magnitude
        largestMagnitude.replace(with: m, where: m .> largestMagnitude)
      }
      for b in segmentBlocks(s, of: segments, blocks: blocks) {
        let x = raw.loadUnaligned(fromByteOffset: b &<< 5, as: SIMD16<Int16>.self)
        include(x, x)
      }
      if s == segments - 1 && blocks * 16 < n {
        // The tail joins the last segment; lanes a block already covered
        // become values that change neither extreme (nor the magnitude).
        let x = raw.loadUnaligned(fromByteOffset: (n - 16) &<< 1, as: SIMD16<Int16>.self)
        let covered = SIMD16<Int16>(repeating: Int16(truncatingIfNeeded: blocks * 16 - (n - 16))) .> indices
        include(x.replacing(with: lowest, where: covered), x.replacing(with: highest, where: covered))
      }
      // Keys: the largest bits when positive, else minus the magnitude of the smallest.
      let keys = (0 &- (low & magnitude)).replacing(with: high, where: high .> negative)
      UnsafeMutableRawPointer(out + s * 16).storeBytes(of: keys, as: SIMD16<Int16>.self)
    }
    let infinity = SIMD16<Int16>(repeating: infinityKey)
    guard !anyLane(largestMagnitude .> infinity) else { return (0, false) }
    return (segments * 16, true)
  }

  static func kthLargestGroupMaximum(_ keys: UnsafeMutablePointer<Int16>, count: Int, k: Int) -> Int16? {
    if count == 16 {
      // 16 keys (k <= 16, the common case): counted in one 16-bit vector
      // (two registers), the largest eligible found with `pmaxsw`.
      let v = UnsafeRawPointer(keys).loadUnaligned(as: SIMD16<Int16>.self)
      var below = SIMD16<Int16>(repeating: 0)
      for j in 0..<16 {
        let b = SIMD16<Int16>(repeating: keys[j])
        below &+= unsafeBitCast(v .> b, to: SIMD16<Int16>.self)
      }
      // #{keys >= v[l]} = 16 + below[l].
      let ineligible = SIMD16<Int16>(repeating: Int16(truncatingIfNeeded: k - 16)) .> below
      let eligible = v.replacing(with: SIMD16(repeating: .min), where: ineligible)
      let a = eligible.lowHalf.replacing(with: eligible.highHalf, where: eligible.highHalf .> eligible.lowHalf)
      let b = a.lowHalf.replacing(with: a.highHalf, where: a.highHalf .> a.lowHalf)
      let c = b.lowHalf.replacing(with: b.highHalf, where: b.highHalf .> b.lowHalf)
      return Swift.max(c[0], c[1])
    }
    guard count <= 64 && count % 16 == 0 else { return nil }
    // Widened for the 32-bit counter (a few dozen keys, on the stack).
    return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 64) { wide in
      for i in 0..<count { wide[i] = Int32(keys[i]) }
      return Int16(truncatingIfNeeded: kthLargestByCounting(wide.baseAddress!, count: count, k: k))
    }
  }

  static func isNaNFree(_ row: UnsafePointer<Self>, count n: Int) -> Bool {
    guard n >= 16 else { return !(0..<n).contains { isNaN(row[$0]) } }
    if SIMDPath.usesC {
      if mapk_f16_nan_free(UnsafePointer<Int16>(OpaquePointer(row)), Int64(n)) != 0 { return true }
      // The C test is exact for float16; for bfloat16 a row it finds a
      // magnitude above 0x7C00 in is checked against 0x7F80 below.
      if cNaNTestIsExact { return false }
    }
    return isNaNFreeSIMD(row, count: n)
  }

  /// ``isNaNFree(_:count:)`` in Swift SIMD, against this format's infinity (n >= 16).
  static func isNaNFreeSIMD(_ row: UnsafePointer<Self>, count n: Int) -> Bool {
    let raw = UnsafeRawPointer(row)
    let magnitude = SIMD16<Int16>(repeating: 0x7FFF), infinity = SIMD16<Int16>(repeating: infinityKey)
    var largest = SIMD16<Int16>(repeating: 0)
    var i = 0
    while i &+ 16 <= n {
      let m = raw.loadUnaligned(fromByteOffset: i &<< 1, as: SIMD16<Int16>.self) & magnitude
      largest.replace(with: m, where: m .> largest)
      i &+= 16
    }
    let m = raw.loadUnaligned(fromByteOffset: (n &- 16) &<< 1, as: SIMD16<Int16>.self) & magnitude
    largest.replace(with: m, where: m .> largest)
    return !anyLane(largest .> infinity)
  }

  static func countRankedBefore(_ row: UnsafePointer<Self>, count n: Int, index c: Int, key: Int16) -> Int {
    guard n >= 16 else {
      var count = 0
      for j in 0..<n where j != c {
        let other = self.key(row[j])
        if other > key || (other == key && j < c) { count += 1 }
      }
      return count
    }
    if key > 0 { return countRankedBefore(row, count: n, index: c, positiveKey: key, checkingNaN: false).count }
    let raw = UnsafeRawPointer(row)
    // Larger keys anywhere: the raw-bit test for key >= `key` + 1 (a real key
    // is below Int16.max). Equal keys before c: the bits of `key`, and for
    // key 0 also -0.0's.
    let (gtAbove, gtBelow) = rawThresholds(key &+ 1)
    let gtA = SIMD16<Int16>(repeating: gtAbove), gtB = SIMD16<Int16>(repeating: gtBelow)
    let same = Int16(truncatingIfNeeded: bits(ofKey: key))
    let e1 = SIMD16<Int16>(repeating: same), e2 = SIMD16<Int16>(repeating: key == 0 ? Int16.min : same)
    let lanes = SIMD16<Int16>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    @inline(__always) func above(_ x: SIMD16<Int16>) -> SIMDMask<SIMD16<Int16>> { (x .> gtA) .| (gtB .> x) }
    @inline(__always) func equal(_ x: SIMD16<Int16>) -> SIMDMask<SIMD16<Int16>> { (x .== e1) .| (x .== e2) }
    // 16-bit lane sums, moved to `count` before they could overflow.
    var count = 0
    var total = SIMD16<Int16>(repeating: 0)
    var pending = 0
    @inline(__always) func flush() {
      var sum = 0
      for l in 0..<16 { sum &+= Int(total[l]) }
      count &-= sum
      total = SIMD16(repeating: 0)
      pending = 0
    }
    @inline(__always) func add(_ mask: SIMDMask<SIMD16<Int16>>) {
      total &+= unsafeBitCast(mask, to: SIMD16<Int16>.self)
      pending &+= 1
      if pending == 16_000 { flush() }
    }
    let blocks = n / 16
    let home = Swift.min(c / 16, blocks) &* 16
    var i = 0
    while i < home {
      let x = raw.loadUnaligned(fromByteOffset: i &<< 1, as: SIMD16<Int16>.self)
      add(above(x) .| equal(x))
      i &+= 16
    }
    while i < blocks &* 16 {
      add(above(raw.loadUnaligned(fromByteOffset: i &<< 1, as: SIMD16<Int16>.self)))
      i &+= 16
    }
    if home < blocks &* 16 {
      let x = raw.loadUnaligned(fromByteOffset: home &<< 1, as: SIMD16<Int16>.self)
      let at = SIMD16<Int16>(repeating: Int16(truncatingIfNeeded: c &- home))
      add(equal(x) .& (at .> lanes))
    }
    if i < n {
      let base = n &- 16
      let x = raw.loadUnaligned(fromByteOffset: base &<< 1, as: SIMD16<Int16>.self)
      let covered = SIMD16<Int16>(repeating: Int16(truncatingIfNeeded: i &- base)) .> lanes
      let at = SIMD16<Int16>(repeating: Int16(clamping: c &- base))
      add((above(x) .| (equal(x) .& (at .> lanes))) .& .!covered)
    }
    flush()
    return count
  }

  /// ``countRankedBefore(_:count:index:key:)`` for a positive key (the
  /// common case: scores that are probabilities). A positive key is the
  /// score's bits, and any negative sign gives negative signed bits, so a
  /// score ranks before c when its signed bits exceed `key - 1` (before c) or
  /// `key` (after c): one compare per 8 lanes (the row holds no NaN).
  /// With `checkingNaN`, the same pass also tells whether the row holds a
  /// NaN (the count is then meaningless).
  @inline(__always)
  static func countRankedBefore(_ row: UnsafePointer<Self>, count n: Int, index c: Int, positiveKey key: Int16,
                                checkingNaN: Bool) -> (count: Int, nanFree: Bool) {
    if SIMDPath.usesC {
      // The same count and the same NaN test, a wider vector.
      let bits = UnsafePointer<Int16>(OpaquePointer(row))
      guard checkingNaN else { return (Int(mapk_f16_count_before_positive(bits, Int64(n), Int64(c), key, nil)), true) }
      var nanFree: Int32 = 0
      let count = mapk_f16_count_before_positive(bits, Int64(n), Int64(c), key, &nanFree)
      // The count does not depend on the format (a positive key is the bits);
      // the NaN test is float16's, exact for it and only a proof of no NaN
      // for bfloat16, whose other rows are checked against 0x7F80.
      return (Int(count), nanFree != 0 || (!cNaNTestIsExact && isNaNFreeSIMD(row, count: n)))
    }
    let raw = UnsafeRawPointer(row)
    let magnitude = SIMD16<Int16>(repeating: 0x7FFF)
    var largest = SIMD16<Int16>(repeating: 0)
    let above = SIMD16<Int16>(repeating: key), atLeast = SIMD16<Int16>(repeating: key &- 1)
    let lanes = SIMD16<Int16>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    @inline(__always) func load(_ at: Int) -> SIMD16<Int16> {
      let x = raw.loadUnaligned(fromByteOffset: at &<< 1, as: SIMD16<Int16>.self)
      if checkingNaN {
        let m = x & magnitude
        largest.replace(with: m, where: m .> largest)
      }
      return x
    }
    @inline(__always) func sum(_ v: SIMD16<Int16>) -> Int {
      var total = 0
      for l in 0..<16 { total &+= Int(v[l]) }
      return total
    }
    var count = 0
    var i = 0
    // Blocks up to `end` against `t`, in runs short enough for 16-bit lane counts.
    @inline(__always) func run(to end: Int, _ t: SIMD16<Int16>) {
      while i < end {
        let stop = Swift.min(end, i &+ 16 &* 16_384)
        var total = SIMD16<Int16>(repeating: 0)
        while i < stop {
          total &+= unsafeBitCast(load(i) .> t, to: SIMD16<Int16>.self)
          i &+= 16
        }
        count &-= sum(total)
      }
    }
    // The threshold of a block holding c: `key - 1` in the lanes before c.
    @inline(__always) func mixed(_ base: Int) -> SIMD16<Int16> {
      // (Clamped: c may lie far before the tail's base.)
      above &+ unsafeBitCast(SIMD16<Int16>(repeating: Int16(clamping: c &- base)) .> lanes, to: SIMD16<Int16>.self)
    }
    let full = n / 16 &* 16
    let home = Swift.min(c / 16 &* 16, full)
    run(to: home, atLeast)
    if home < full {
      count &-= sum(unsafeBitCast(load(home) .> mixed(home), to: SIMD16<Int16>.self))
      i = home &+ 16
      run(to: full, above)
    }
    if i < n {
      // The last 16 scores, without the lanes a full block already covered.
      let base = n &- 16
      let fresh = .!(SIMD16<Int16>(repeating: Int16(truncatingIfNeeded: i &- base)) .> lanes)
      count &-= sum(unsafeBitCast((load(base) .> mixed(base)) .& fresh, to: SIMD16<Int16>.self))
    }
    guard checkingNaN else { return (count, true) }
    let infinity = SIMD16<Int16>(repeating: infinityKey)
    return (count, !anyLane(largest .> infinity))
  }

  static func countRankedBeforeIfNaNFree(_ row: UnsafePointer<Self>, count n: Int, index c: Int, key: Int16) -> Int? {
    guard n >= 16 && key > 0 else { return isNaNFree(row, count: n) ? countRankedBefore(row, count: n, index: c, key: key) : nil }
    let (count, nanFree) = countRankedBefore(row, count: n, index: c, positiveKey: key, checkingNaN: true)
    return nanFree ? count : nil
  }
}
