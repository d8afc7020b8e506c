/// A score type whose rows the selector scans with SIMD.
///
/// Conformances (float16 and bfloat16, float32, float64) compare whole blocks of scores
/// with a threshold at once and hand only the blocks that hold a candidate to
/// a ``CandidateVisitor``. They are written so that the compiler emits plain
/// SSE2 (the baseline x86-64 target; no `-target-cpu` is assumed): one
/// compare per 16 bytes, no per-element conversion, and no horizontal
/// reduction in the loop (checked with `swiftc -O -emit-assembly`).
protocol RowScanning: ScoreBits {
  /// The groups one segment of ``groupMaxima(_:count:segments:into:)`` yields.
  static var lanesPerSegment: Int { get }

  /// Visits, in increasing index order, every score of `row[0..<count]` with a
  /// key at least `visitor.threshold` and every NaN (and possibly others).
  /// `nanFree` (the row is known to hold no NaN) lets a type use a cheaper test.
  ///
  /// - Returns: false if the visitor stopped the scan.
  /// - Complexity: O(count) compares, plus the visits.
  static func scan<V: CandidateVisitor>(_ row: UnsafePointer<Self>, count: Int, nanFree: Bool, _ visitor: inout V)
    -> Bool where V.Bits == Self

  /// Writes into `out` the keys of the maxima of disjoint groups of the row
  /// (NaN left out; a group with nothing else reports `-inf` or lower) and
  /// returns how many (`segments · lanesPerSegment`, fewer for a short row,
  /// 0 for no bound), and whether the pass saw that the row holds no NaN.
  ///
  /// - Complexity: O(count).
  static func groupMaxima(_ row: UnsafePointer<Self>, count: Int, segments: Int, into out: UnsafeMutablePointer<Key>)
    -> (groups: Int, nanFree: Bool)

  /// True when `row[0..<count]` holds no NaN.
  ///
  /// - Complexity: O(count), one compare per 16 bytes.
  static func isNaNFree(_ row: UnsafePointer<Self>, count: Int) -> Bool

  /// The number of scores of a NaN-free row that rank before the score at
  /// `index`, whose key is `key`: larger keys, and equal keys at lower indices.
  ///
  /// - Complexity: O(count), branch-free compares.
  static func countRankedBefore(_ row: UnsafePointer<Self>, count: Int, index: Int, key: Key) -> Int

  /// ``countRankedBefore(_:count:index:key:)`` when the row holds no NaN
  /// (``isNaNFree(_:count:)``), else nil; a type may check both in one pass.
  /// `key` is the key of the bits at `index` (anything, if they are a NaN).
  ///
  /// - Complexity: O(count).
  static func countRankedBeforeIfNaNFree(_ row: UnsafePointer<Self>, count: Int, index: Int, key: Key) -> Int?

  /// The k-th largest of the group maxima `keys[0..<count]` by a branch-free
  /// SIMD count, when this type has one for `count` (else nil: quickselect).
  static func kthLargestGroupMaximum(_ keys: UnsafeMutablePointer<Key>, count: Int, k: Int) -> Key?

  /// The first index of the largest key of `row[0..<count]` (TensorFlow's
  /// first-ranked class: ties go to the lower index) when the row holds no
  /// NaN and this type has a one-call pass for it on the active path; nil
  /// otherwise (the caller then scans with `ArgMax`, NaN policy included).
  ///
  /// - Complexity: O(count).
  static func argmaxIfNaNFree(_ row: UnsafePointer<Self>, count: Int) -> Int?

  /// Writes the keys of `row[0..<count]`, widened to 32 bits, into `keys`
  /// (only when ``hasShortRowKeys``); false when the row holds a NaN (the
  /// keys written are then meaningless).
  ///
  /// - Complexity: O(count).
  static func shortRowKeys(_ row: UnsafePointer<Self>, count: Int, into keys: UnsafeMutablePointer<Int32>) -> Bool
}

extension RowScanning {
  static func countRankedBeforeIfNaNFree(_ row: UnsafePointer<Self>, count n: Int, index c: Int, key: Key) -> Int? {
    isNaNFree(row, count: n) ? countRankedBefore(row, count: n, index: c, key: key) : nil
  }

  static func argmaxIfNaNFree(_ row: UnsafePointer<Self>, count: Int) -> Int? { nil }

  static func shortRowKeys(_ row: UnsafePointer<Self>, count n: Int, into keys: UnsafeMutablePointer<Int32>) -> Bool {
    shortRowKeysScalar(row, from: 0, to: n, into: keys)
  }

  /// The plain loop: scores `from..<to`, one at a time.
  @inline(__always)
  static func scanScalar<V: CandidateVisitor>(_ row: UnsafePointer<Self>, from: Int, to: Int, _ visitor: inout V)
    -> Bool where V.Bits == Self
  {
    var i = from
    while i < to {
      let bits = row[i]
      if isNaN(bits) || key(bits) >= visitor.threshold {
        if !visitor.visit(i, bits) { return false }
      }
      i &+= 1
    }
    return true
  }

  /// Visits the lanes set in `mask` (bit l: the score at `base + l`), lowest first.
  @inline(__always)
  static func visitLanes<V: CandidateVisitor>(
    _ mask: UInt64, base: Int, _ row: UnsafePointer<Self>, _ visitor: inout V
  ) -> Bool where V.Bits == Self {
    var mask = mask
    while mask != 0 {
      let i = base &+ mask.trailingZeroBitCount
      mask &= mask &- 1
      if !visitor.visit(i, row[i]) { return false }
    }
    return true
  }

  /// Block boundaries of segment `s` of `segments` over `blocks` blocks.
  @inline(__always)
  static func segmentBlocks(_ s: Int, of segments: Int, blocks: Int) -> Range<Int> {
    (s * blocks / segments)..<((s + 1) * blocks / segments)
  }
}

/// True if any of the 512 bits is set: the OR of the halves, a few vector
/// instructions. (The standard `any(mask)` reduces through a generic `min()`
/// that stays a lane-by-lane loop inside these generic scans.)
@inline(__always)
func anyBit(_ v: SIMD8<UInt64>) -> Bool {
  let a = v.lowHalf | v.highHalf
  let b = a.lowHalf | a.highHalf
  return (b[0] | b[1]) != 0
}

/// True if any lane of the mask is set.
@inline(__always)
func anyLane(_ mask: SIMDMask<SIMD16<Int32>>) -> Bool { anyBit(unsafeBitCast(mask, to: SIMD8<UInt64>.self)) }

/// True if any lane of the mask is set.
@inline(__always)
func anyLane(_ mask: SIMDMask<SIMD8<Int64>>) -> Bool { anyBit(unsafeBitCast(mask, to: SIMD8<UInt64>.self)) }

/// Bit l set for every true lane l of a 16-lane mask of 32-bit lanes (an AND
/// with powers of two and an OR tree: no per-lane branch).
@inline(__always)
func laneBits(_ mask: SIMDMask<SIMD16<Int32>>) -> UInt32 {
  let lanes = unsafeBitCast(mask, to: SIMD16<UInt32>.self)
    & SIMD16<UInt32>(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)
  let a = lanes.lowHalf | lanes.highHalf
  let b = a.lowHalf | a.highHalf
  return b[0] | b[1] | b[2] | b[3]
}

/// Bit l set for every true lane l of a 16-lane mask of 16-bit lanes.
@inline(__always)
func laneBits(_ mask: SIMDMask<SIMD16<Int16>>) -> UInt32 {
  let lanes = unsafeBitCast(mask, to: SIMD16<UInt16>.self)
    & SIMD16<UInt16>(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)
  let a = lanes.lowHalf | lanes.highHalf
  let b = a.lowHalf | a.highHalf
  let c = b.lowHalf | b.highHalf
  return UInt32(c[0] | c[1])
}

/// Bit l set for every true lane l of an 8-lane mask of 64-bit lanes.
@inline(__always)
func laneBits(_ mask: SIMDMask<SIMD8<Int64>>) -> UInt32 {
  let lanes = unsafeBitCast(mask, to: SIMD8<UInt64>.self) & SIMD8<UInt64>(1, 2, 4, 8, 16, 32, 64, 128)
  let a = lanes.lowHalf | lanes.highHalf
  let b = a.lowHalf | a.highHalf
  return UInt32(truncatingIfNeeded: b[0] | b[1])
}
