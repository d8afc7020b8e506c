internal import CMAPKSIMD

/// float32 rows: blocks of 16 scores compared as `Float`s. IEEE comparison
/// orders non-NaN scores exactly as their keys do (`-0.0 == 0.0` included),
/// and `!(x < t)` is true for NaN, so one compare per 4 lanes
/// (`cmpnltps`) finds both the scores at or above `t` and the NaNs.
extension UInt32: RowScanning {
  static var lanesPerSegment: Int { 16 }

  /// The `Float` t such that `!(x < t)` holds for every score with a key at
  /// least `key` (and for NaN): the score with that key, or `-inf` below every
  /// key, or `+inf` when only NaN is wanted (`+inf` scores then get visited
  /// in vain, which is allowed).
  @inline(__always)
  static func floatThreshold(_ key: Int32) -> Float {
    if key <= 0 &- infinityKey { return -.infinity }
    if key > infinityKey { return .infinity }
    return Float(bitPattern: bits(ofKey: key))
  }

  static func scan<V: CandidateVisitor>(_ row: UnsafePointer<UInt32>, count n: Int, nanFree: Bool, _ v: inout V) -> Bool
  where V.Bits == UInt32 {
    guard n >= 16 else { return scanScalar(row, from: 0, to: n, &v) }
    let raw = UnsafeRawPointer(row)
    var key = v.threshold
    var t = SIMD16<Float>(repeating: floatThreshold(key))
    let end = n &- 16
    var i = 0
    if SIMDPath.usesC {
      // The same blocks and the same test, a wider vector: the C loop returns
      // the next block holding a candidate (or a start past `end`).
      let floats = UnsafePointer<Float>(OpaquePointer(row))
      while true {
        var lanes: UInt32 = 0
        i = Int(mapk_f32_next_block(floats, Int64(i), Int64(end), floatThreshold(key), &lanes))
        guard i <= end else { break }
        if !visitLanes(UInt64(lanes), base: i, row, &v) { return false }
        if v.threshold != key {
          key = v.threshold
          t = SIMD16(repeating: floatThreshold(key))
        }
        i &+= 16
      }
    }
    while i <= end {
      let x = raw.loadUnaligned(fromByteOffset: i &<< 2, as: SIMD16<Float>.self)
      let hit = .!(x .< t)
      if anyLane(hit) {
        if !visitLanes(UInt64(laneBits(hit)), base: i, row, &v) { return false }
        if v.threshold != key {
          key = v.threshold
          t = SIMD16(repeating: floatThreshold(key))
        }
      }
      i &+= 16
    }
    guard i < n else { return true }
    // The last 16 scores, without the lanes a full block already covered.
    let x = raw.loadUnaligned(fromByteOffset: end &<< 2, as: SIMD16<Float>.self)
    let hit = .!(x .< t)
    guard anyLane(hit) else { return true }
    return visitLanes(UInt64(laneBits(hit) & (~0 << UInt32(i &- end))), base: end, row, &v)
  }

  static func groupMaxima(_ row: UnsafePointer<UInt32>, count n: Int, segments: Int, into out: UnsafeMutablePointer<Int32>)
    -> (groups: Int, nanFree: Bool)
  {
    let blocks = n / 16
    let segments = Swift.min(segments, blocks)
    guard segments > 0 else { return (0, false) }
    if SIMDPath.usesC {
      // The same groups (C's NaN check has no false alarm; either is safe).
      let nanFree = mapk_f32_group_maxima(UnsafePointer<Float>(OpaquePointer(row)), Int64(n), Int64(segments), out)
      return (segments * 16, nanFree != 0)
    }
    let raw = UnsafeRawPointer(row)
    // The NaN check rides along as one `addps` per 4 lanes: a NaN makes the
    // lane sums NaN, and a sum without a NaN term is NaN only when it met
    // both infinities (a false alarm: the row then takes the NaN-safe path).
    var sum = SIMD16<Float>(repeating: 0)
    for s in 0..<segments {
      var m = SIMD16<Float>(repeating: -.infinity)
      for b in segmentBlocks(s, of: segments, blocks: blocks) {
        let x = raw.loadUnaligned(fromByteOffset: b &<< 6, as: SIMD16<Float>.self)
        // x > m is false for NaN, so NaN never becomes a maximum (maxps).
        m.replace(with: x, where: x .> m)
        sum += x
      }
      if s == segments - 1 && blocks * 16 < n {
        // The tail joins the last segment; lanes a block already covered are
        // masked to -inf so that the groups stay disjoint.
        var x = raw.loadUnaligned(fromByteOffset: (n - 16) &<< 2, as: SIMD16<Float>.self)
        sum += x
        let covered = SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: blocks * 16 - (n - 16)))
        x.replace(with: -.infinity, where: SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) .< covered)
        m.replace(with: x, where: x .> m)
      }
      // Keys lane-wise: magnitude, negated when the sign is set.
      let bits = unsafeBitCast(m, to: SIMD16<Int32>.self)
      let sign = bits &>> 31
      let keys = ((bits & 0x7FFF_FFFF) ^ sign) &- sign
      UnsafeMutableRawPointer(out + s * 16).storeBytes(of: keys, as: SIMD16<Int32>.self)
    }
    let nan = unsafeBitCast(sum .!= sum, to: SIMD8<UInt64>.self)
    return (segments * 16, !anyBit(nan))
  }

  static func kthLargestGroupMaximum(_ keys: UnsafeMutablePointer<Int32>, count: Int, k: Int) -> Int32? {
    guard count == 16 else { return count <= 64 && count % 16 == 0 ? kthLargestByCounting(keys, count: count, k: k) : nil }
    // The same count in C with 256-bit vectors and an integer max (AVX2 has
    // one): the largest eligible key, which the float max below also finds,
    // group maxima being keys of non-NaN floats (-inf's key at the least).
    if SIMDPath.usesC { return mapk_i32_kth_largest16(keys, Int64(k)) }
    // 16 keys (k <= 16, the common case): counted in one vector, and the
    // largest eligible key found as a float (SSE2 has a float max, no
    // 32-bit integer one).
    let v = UnsafeRawPointer(keys).loadUnaligned(as: SIMD16<Int32>.self)
    var below = SIMD16<Int32>(repeating: 0)
    for j in 0..<16 {
      let b = SIMD16<Int32>(repeating: keys[j])
      below &+= unsafeBitCast(v .> b, to: SIMD16<Int32>.self)
    }
    // #{keys >= v[l]} = 16 + below[l] (below is minus the count under v[l]).
    let ineligible = SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: k - 16)) .> below
    let sign = v &>> 31
    let bits = ((v ^ sign) &- sign) | (sign & SIMD16(repeating: Int32.min))
    let scores = unsafeBitCast(bits, to: SIMD16<Float>.self).replacing(with: -.infinity, where: ineligible)
    let a = scores.lowHalf.replacing(with: scores.highHalf, where: scores.highHalf .> scores.lowHalf)
    let b = a.lowHalf.replacing(with: a.highHalf, where: a.highHalf .> a.lowHalf)
    let c = b.lowHalf.replacing(with: b.highHalf, where: b.highHalf .> b.lowHalf)
    return key(Swift.max(c[0], c[1]).bitPattern)
  }

  /// One C call on the C paths (rows of 16 scores or more): the lane-wise
  /// float maximum, then its first index by IEEE equality. Non-NaN floats
  /// compare as their keys do (`-0.0 == 0.0`, equal keys too), so that index
  /// is the first one with the largest key, which `ArgMax` keeps.
  @inline(__always)
  static func argmaxIfNaNFree(_ row: UnsafePointer<UInt32>, count n: Int) -> Int? {
    guard n >= 16 && SIMDPath.usesC else { return nil }
    let i = mapk_f32_argmax(UnsafePointer<Float>(OpaquePointer(row)), Int64(n))
    return i >= 0 ? Int(i) : nil
  }

  static func isNaNFree(_ row: UnsafePointer<UInt32>, count n: Int) -> Bool {
    guard n >= 16 else { return !(0..<n).contains { isNaN(row[$0]) } }
    if SIMDPath.usesC { return mapk_f32_nan_free(UnsafePointer<Float>(OpaquePointer(row)), Int64(n)) != 0 }
    let raw = UnsafeRawPointer(row)
    var nan = SIMD16<Int32>(repeating: 0)
    var i = 0
    while i &+ 16 <= n {
      let x = raw.loadUnaligned(fromByteOffset: i &<< 2, as: SIMD16<Float>.self)
      nan |= unsafeBitCast(x .!= x, to: SIMD16<Int32>.self)
      i &+= 16
    }
    let x = raw.loadUnaligned(fromByteOffset: (n &- 16) &<< 2, as: SIMD16<Float>.self)
    nan |= unsafeBitCast(x .!= x, to: SIMD16<Int32>.self)
    let a = nan.lowHalf | nan.highHalf
    let b = a.lowHalf | a.highHalf
    return (b[0] | b[1] | b[2] | b[3]) == 0
  }

  static func countRankedBefore(_ row: UnsafePointer<UInt32>, count n: Int, index c: Int, key: Int32) -> Int {
    let s = Float(bitPattern: bits(ofKey: key))
    guard n >= 16 else {
      var count = 0
      for j in 0..<n where j != c {
        let x = Float(bitPattern: row[j])
        if x > s || (x == s && j < c) { count += 1 }
      }
      return count
    }
    let raw = UnsafeRawPointer(row)
    let t = SIMD16<Float>(repeating: s)
    let lanes = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    if n >= 256 { return countRankedBefore(row, count: n, index: c, score: s, checkingNaN: false).count }
    // Larger scores anywhere, plus equal ones before c (IEEE compares count
    // -0.0 == 0.0 as a tie). One pass counts the larger and the equal scores
    // (true lanes sum to -1 each); only if something besides c itself is
    // equal (a tie) are the equal ones before c counted.
    var larger = SIMD16<Int32>(repeating: 0), equal = SIMD16<Int32>(repeating: 0)
    var i = 0
    while i &+ 16 <= n {
      let x = raw.loadUnaligned(fromByteOffset: i &<< 2, as: SIMD16<Float>.self)
      larger &+= unsafeBitCast(x .> t, to: SIMD16<Int32>.self)
      equal &+= unsafeBitCast(x .== t, to: SIMD16<Int32>.self)
      i &+= 16
    }
    if i < n {
      // The last 16 scores, without the lanes a block already covered.
      let base = n &- 16
      let x = raw.loadUnaligned(fromByteOffset: base &<< 2, as: SIMD16<Float>.self)
      let fresh = unsafeBitCast(
        lanes .> SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: i &- base &- 1)), to: SIMD16<Int32>.self)
      larger &+= unsafeBitCast(x .> t, to: SIMD16<Int32>.self) & fresh
      equal &+= unsafeBitCast(x .== t, to: SIMD16<Int32>.self) & fresh
    }
    let count = -laneSum(larger)
    guard laneSum(equal) != -1 else { return count }
    // Ties: the equal scores before c, 16 at a time, then one by one.
    var ties = SIMD16<Int32>(repeating: 0)
    var j = 0
    while j &+ 16 <= c {
      let x = raw.loadUnaligned(fromByteOffset: j &<< 2, as: SIMD16<Float>.self)
      ties &+= unsafeBitCast(x .== t, to: SIMD16<Int32>.self)
      j &+= 16
    }
    var before = -laneSum(ties)
    while j < c {
      if Float(bitPattern: row[j]) == s { before &+= 1 }
      j &+= 1
    }
    return count + before
  }

  /// ``countRankedBefore(_:count:index:key:)`` for rows of 256 scores or
  /// more, where `s` is the label's score: one compare per 4 lanes. Before
  /// c's block a tie ranks before c (>=), after it only a larger score does
  /// (>); c's own block and the tail mix the two by lane index. (The varying
  /// split costs a branch miss or two per call, which short rows would feel.)
  /// With `checkingNaN` the same pass sums the scores lane-wise: a NaN makes
  /// a sum NaN (so do both infinities, a false alarm that only sends the row
  /// down the NaN-safe path); `nanFree` is false then.
  @inline(__always)
  static func countRankedBefore(_ row: UnsafePointer<UInt32>, count n: Int, index c: Int, score s: Float,
                                checkingNaN: Bool) -> (count: Int, nanFree: Bool) {
    if SIMDPath.usesC {
      // The same count (C checks for NaN without false alarms).
      let floats = UnsafePointer<Float>(OpaquePointer(row))
      guard checkingNaN else { return (Int(mapk_f32_count_before(floats, Int64(n), Int64(c), s, nil)), true) }
      var nanFree: Int32 = 0
      let count = mapk_f32_count_before(floats, Int64(n), Int64(c), s, &nanFree)
      return (Int(count), nanFree != 0)
    }
    let raw = UnsafeRawPointer(row)
    let t = SIMD16<Float>(repeating: s)
    let lanes = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    var total = SIMD16<Int32>(repeating: 0)
    var sum = SIMD16<Float>(repeating: 0)
    @inline(__always) func load(_ at: Int) -> SIMD16<Float> {
      let x = raw.loadUnaligned(fromByteOffset: at &<< 2, as: SIMD16<Float>.self)
      if checkingNaN { sum += x }
      return x
    }
    let full = n / 16 &* 16
    let home = Swift.min(c / 16 &* 16, full)
    @inline(__always) func mixed(_ base: Int, from: Int) {
      let x = load(base)
      let at = SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: c &- base))
      let fresh = lanes .> SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: from &- base &- 1))
      total &+= unsafeBitCast(((x .> t) .| ((x .== t) .& (at .> lanes))) .& fresh, to: SIMD16<Int32>.self)
    }
    var i = 0
    while i < home {
      total &+= unsafeBitCast(load(i) .>= t, to: SIMD16<Int32>.self)
      i &+= 16
    }
    if home < full {
      mixed(home, from: home)
      i &+= 16
      while i < full {
        total &+= unsafeBitCast(load(i) .> t, to: SIMD16<Int32>.self)
        i &+= 16
      }
    }
    if i < n { mixed(n &- 16, from: i) }
    guard checkingNaN else { return (-laneSum(total), true) }
    return (-laneSum(total), !anyLane(sum .!= sum))
  }

  static func countRankedBeforeIfNaNFree(_ row: UnsafePointer<UInt32>, count n: Int, index c: Int, key: Int32) -> Int? {
    // (A NaN label score has a key beyond +inf's: no score to compare with,
    // and the row holds a NaN anyway.)
    guard n >= 256 && key <= infinityKey && key >= 0 &- infinityKey else {
      return isNaNFree(row, count: n) ? countRankedBefore(row, count: n, index: c, key: key) : nil
    }
    let (count, nanFree) = countRankedBefore(
      row, count: n, index: c, score: Float(bitPattern: bits(ofKey: key)), checkingNaN: true)
    return nanFree ? count : nil
  }

  /// SIMD keys, 8 at a time (the last 8 overlapping the block before when
  /// 8 does not divide the row: rewriting a key is harmless), and one NaN
  /// test per lane: a magnitude above infinity's.
  ///
  /// A first pass copies the bits and ORs them with the lanes above
  /// +infinity's bits: when no lane of the result has its sign set, no
  /// score is negative (nor -0.0) and none is NaN (a positive NaN's bits are
  /// above +infinity's, a negative one's sign is set), so every key is the
  /// score's bits, already written. Only rows with a sign bit set (negative
  /// scores, -0.0, negative NaN) or a NaN take the second pass.
  @inline(__always)
  static func shortRowKeys(_ row: UnsafePointer<UInt32>, count n: Int, into keys: UnsafeMutablePointer<Int32>) -> Bool {
    guard n >= 8 else { return shortRowKeysScalar(row, from: 0, to: n, into: keys) }
    let raw = UnsafeRawPointer(row), out = UnsafeMutableRawPointer(keys)
    let infinityBits = SIMD8<Int32>(repeating: 0x7F80_0000)
    var signs = SIMD8<Int32>(repeating: 0)
    @inline(__always) func copy(_ i: Int) {
      let bits = raw.loadUnaligned(fromByteOffset: i &<< 2, as: SIMD8<Int32>.self)
      signs |= bits | unsafeBitCast(bits .> infinityBits, to: SIMD8<Int32>.self)
      out.storeBytes(of: bits, toByteOffset: i &<< 2, as: SIMD8<Int32>.self)
    }
    var j = 0
    while j &+ 8 <= n {
      copy(j)
      j &+= 8
    }
    if j < n { copy(n &- 8) }
    let half = signs.lowHalf | signs.highHalf
    if (half[0] | half[1] | half[2] | half[3]) >= 0 { return true }
    let magnitude = SIMD8<Int32>(repeating: 0x7FFF_FFFF), infinity = SIMD8<Int32>(repeating: 0x7F80_0000)
    var nan = SIMD8<Int32>(repeating: 0)
    @inline(__always) func convert(_ i: Int) {
      let bits = raw.loadUnaligned(fromByteOffset: i &<< 2, as: SIMD8<Int32>.self)
      let m = bits & magnitude
      let sign = bits &>> 31
      nan |= unsafeBitCast(m .> infinity, to: SIMD8<Int32>.self)
      // The key: the magnitude, negated when the sign is set (-0.0 gives 0).
      out.storeBytes(of: (m ^ sign) &- sign, toByteOffset: i &<< 2, as: SIMD8<Int32>.self)
    }
    var i = 0
    while i &+ 8 <= n {
      convert(i)
      i &+= 8
    }
    if i < n { convert(n &- 8) }
    let any = unsafeBitCast(nan, to: SIMD4<UInt64>.self)
    let folded = any.lowHalf | any.highHalf
    return folded[0] | folded[1] == 0
  }

  /// The sum of the lanes, by halves.
  @inline(__always)
  static func laneSum(_ v: SIMD16<Int32>) -> Int {
    let a = v.lowHalf &+ v.highHalf
    let b = a.lowHalf &+ a.highHalf
    return Int(b[0] &+ b[1] &+ b[2] &+ b[3])
  }
}
