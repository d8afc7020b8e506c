/// float64 rows: blocks of 8 scores compared as `Double`s, exactly as float32
/// rows are (`cmpnltpd`; see `UInt32`'s conformance).
extension UInt64: RowScanning {
  static var lanesPerSegment: Int { 8 }

  /// The `Double` t such that `!(x < t)` holds for every score with a key at
  /// least `key` (and for NaN).
  @inline(__always)
  static func floatThreshold(_ key: Int64) -> Double {
    if key <= 0 &- infinityKey { return -.infinity }
    if key > infinityKey { return .infinity }
    return Double(bitPattern: bits(ofKey: key))
  }

  static func scan<V: CandidateVisitor>(_ row: UnsafePointer<UInt64>, count n: Int, nanFree: Bool, _ v: inout V) -> Bool
  where V.Bits == UInt64 {
    guard n >= 8 else { return scanScalar(row, from: 0, to: n, &v) }
    let raw = UnsafeRawPointer(row)
    var key = v.threshold
    var t = SIMD8<Double>(repeating: floatThreshold(key))
    let end = n &- 8
    var i = 0
    while i <= end {
      let x = raw.loadUnaligned(fromByteOffset: i &<< 3, as: SIMD8<Double>.self)
      let hit = .!(x .< t)
      if anyLane(hit) {
        if !visitLanes(UInt64(laneBits(hit)), base: i, row, &v) { return false }
        if v.threshold != key {
          key = v.threshold
          t = SIMD8(repeating: floatThreshold(key))
        }
      }
      i &+= 8
    }
    guard i < n else { return true }
    let x = raw.loadUnaligned(fromByteOffset: end &<< 3, as: SIMD8<Double>.self)
    let hit = .!(x .< t)
    guard anyLane(hit) else { return true }
    return visitLanes(UInt64(laneBits(hit) & (~0 << UInt32(i &- end))), base: end, row, &v)
  }

  static func groupMaxima(_ row: UnsafePointer<UInt64>, count n: Int, segments: Int, into out: UnsafeMutablePointer<Int64>)
    -> (groups: Int, nanFree: Bool)
  {
    let blocks = n / 8
    let segments = Swift.min(segments, blocks)
    guard segments > 0 else { return (0, false) }
    let raw = UnsafeRawPointer(row)
    for s in 0..<segments {
      var m = SIMD8<Double>(repeating: -.infinity)
      for b in segmentBlocks(s, of: segments, blocks: blocks) {
        let x = raw.loadUnaligned(fromByteOffset: b &<< 6, as: SIMD8<Double>.self)
        m.replace(with: x, where: x .> m)
      }
      if s == segments - 1 && blocks * 8 < n {
        var x = raw.loadUnaligned(fromByteOffset: (n - 8) &<< 3, as: SIMD8<Double>.self)
        let covered = SIMD8<Int64>(repeating: Int64(blocks * 8 - (n - 8)))
        x.replace(with: -.infinity, where: SIMD8<Int64>(0, 1, 2, 3, 4, 5, 6, 7) .< covered)
        m.replace(with: x, where: x .> m)
      }
      for l in 0..<8 { out[s * 8 + l] = key(m[l].bitPattern) }
    }
    return (segments * 8, false)
  }

  static func kthLargestGroupMaximum(_ keys: UnsafeMutablePointer<Int64>, count: Int, k: Int) -> Int64? { nil }

  static func isNaNFree(_ row: UnsafePointer<UInt64>, count n: Int) -> Bool {
    guard n >= 8 else { return !(0..<n).contains { isNaN(row[$0]) } }
    let raw = UnsafeRawPointer(row)
    var nan = SIMD8<Int64>(repeating: 0)
    var i = 0
    while i &+ 8 <= n {
      let x = raw.loadUnaligned(fromByteOffset: i &<< 3, as: SIMD8<Double>.self)
      nan |= unsafeBitCast(x .!= x, to: SIMD8<Int64>.self)
      i &+= 8
    }
    let x = raw.loadUnaligned(fromByteOffset: (n &- 8) &<< 3, as: SIMD8<Double>.self)
    nan |= unsafeBitCast(x .!= x, to: SIMD8<Int64>.self)
    let a = nan.lowHalf | nan.highHalf
    let b = a.lowHalf | a.highHalf
    return (b[0] | b[1]) == 0
  }

  static func countRankedBefore(_ row: UnsafePointer<UInt64>, count n: Int, index c: Int, key: Int64) -> Int {
    let s = Double(bitPattern: bits(ofKey: key))
    guard n >= 8 else {
      var count = 0
      for j in 0..<n where j != c {
        let x = Double(bitPattern: row[j])
        if x > s || (x == s && j < c) { count += 1 }
      }
      return count
    }
    // As float32's: larger scores anywhere, plus equal ones before c.
    let raw = UnsafeRawPointer(row)
    let t = SIMD8<Double>(repeating: s)
    let lanes = SIMD8<Int64>(0, 1, 2, 3, 4, 5, 6, 7)
    var larger = SIMD8<Int64>(repeating: 0), ties = SIMD8<Int64>(repeating: 0)
    let blocks = n / 8
    let home = Swift.min(c / 8, blocks) &* 8
    var i = 0
    while i < home {
      let x = raw.loadUnaligned(fromByteOffset: i &<< 3, as: SIMD8<Double>.self)
      larger &+= unsafeBitCast(x .> t, to: SIMD8<Int64>.self)
      ties &+= unsafeBitCast(x .== t, to: SIMD8<Int64>.self)
      i &+= 8
    }
    while i < blocks &* 8 {
      let x = raw.loadUnaligned(fromByteOffset: i &<< 3, as: SIMD8<Double>.self)
      larger &+= unsafeBitCast(x .> t, to: SIMD8<Int64>.self)
      i &+= 8
    }
    if home < blocks &* 8 {
      let x = raw.loadUnaligned(fromByteOffset: home &<< 3, as: SIMD8<Double>.self)
      let at = SIMD8<Int64>(repeating: Int64(c &- home))
      ties &+= unsafeBitCast((x .== t) .& (at .> lanes), to: SIMD8<Int64>.self)
    }
    if i < n {
      let base = n &- 8
      let x = raw.loadUnaligned(fromByteOffset: base &<< 3, as: SIMD8<Double>.self)
      let covered = SIMD8<Int64>(repeating: Int64(i &- base)) .> lanes
      let at = SIMD8<Int64>(repeating: Int64(c &- base))
      larger &+= unsafeBitCast((x .> t) .& .!covered, to: SIMD8<Int64>.self)
      ties &+= unsafeBitCast((x .== t) .& (at .> lanes) .& .!covered, to: SIMD8<Int64>.self)
    }
    let total = larger &+ ties
    let a = total.lowHalf &+ total.highHalf
    let b = a.lowHalf &+ a.highHalf
    return -Int(b[0] &+ b[1])
  }
}
