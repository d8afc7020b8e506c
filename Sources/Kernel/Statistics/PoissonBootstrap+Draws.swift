/// The fast path of the bootstrap's counts: one 64-bit draw gives two 32-bit
/// uniforms, a table over the top 11 bits of each settles its Poisson count
/// with one load for all but about 0.4% of them, and the counts, held as `UInt32`, multiply the limbs' 32-bit digits
/// in loops over replicates that vectorize (a 32 × 32 → 64-bit product per lane).
extension PoissonBootstrap {
  /// Cell i of the 2¹¹ cells [i·2²¹, (i + 1)·2²¹) of the 32-bit uniforms: the
  /// Poisson count of every draw in the cell, or `refine` when a threshold
  /// falls inside it (then `poissonCount(_:_:)` compares).
  ///
  /// Derived from `thresholds32` (not saved apart), so `countTable` and the
  /// comparisons give the same count for every uniform: a cell without a
  /// threshold in (i·2²¹, (i + 1)·2²¹ − 1] has one count, #{k : T_k ≤ i·2²¹}.
  static let countTable: [UInt8] = {
    (0..<(1 << tableBits)).map { i -> UInt8 in
      let lower = UInt32(i) << (32 - UInt32(tableBits))
      let upper = lower | ((1 << (32 - UInt32(tableBits))) - 1)
      if thresholds32.contains(where: { $0 > lower && $0 <= upper }) { return refine }
      return UInt8(thresholds32.filter { $0 <= lower }.count)
    }
  }()
  /// The table is indexed by a draw's top `tableBits` bits.
  static let tableBits = 11
  /// The mark of a cell a threshold splits.
  static let refine: UInt8 = 0xFF

  /// The Poisson count of `bits` by the table, comparing only in split cells:
  /// always `poissonCount(_:_:)`'s value.
  @inline(__always)
  static func tabledCount(_ bits: UInt32, _ table: UnsafePointer<UInt8>, _ t: UnsafeBufferPointer<UInt32>) -> UInt32 {
    let cell = table[Int(truncatingIfNeeded: bits >> (32 - UInt32(tableBits)))]
    return cell != refine ? UInt32(cell) : poissonCount(bits, t)
  }

  /// Adds c_b·x to replicate b's exact sum for all b, x placed as
  /// ``ExactSum/add(_:)`` places it: its three 32-bit digits times the
  /// counts, a digit of 0 skipped (1.0, a unit weight, has one digit).
  ///
  /// Each product c_b·digit < 2⁴·2³² (c_b ≤ 12) is formed from two 32-bit values, so
  /// the loop is a widening 32 × 32 → 64 multiply per lane; the sign of x
  /// picks adding or subtracting.
  @inline(__always)
  static func scatter(_ x: Double, _ counts: UnsafePointer<UInt32>, _ sum: UnsafeMutablePointer<Int64>, _ B: Int) {
    if x == 0 { return }
    let bits = x.bitPattern
    let exponentBits = Int((bits >> 52) & 0x7FF)
    var mantissa = bits & ((1 << 52) - 1)
    let exponent: Int
    if exponentBits == 0 { exponent = -1074 } else { mantissa |= 1 << 52; exponent = exponentBits - 1075 }
    let position = exponent + ExactSum.bias
    let index = position >> 5
    let shift = UInt64(position & 31)
    let low = UInt32(truncatingIfNeeded: mantissa << shift)
    let upper = mantissa >> (32 - shift)
    let middle = UInt32(truncatingIfNeeded: upper)
    let high = UInt32(truncatingIfNeeded: upper >> 32)
    let l0 = sum + index * B
    let negative = x < 0
    accumulate(l0, counts, low, negative, B)
    accumulate(l0 + B, counts, middle, negative, B)
    accumulate(l0 + 2 * B, counts, high, negative, B)
  }

  /// Adds c_b·(w·v) to replicate b's exact sum for all b: w·v as the two
  /// doubles of its error-free product (one when w = 1), as the means' values enter.
  @inline(__always)
  static func scatterProduct(_ w: Double, _ v: Double, _ counts: UnsafePointer<UInt32>, _ sum: UnsafeMutablePointer<Int64>,
                             _ B: Int) {
    let high = w * v
    scatter(high, counts, sum, B)
    if w != 1 { scatter((-high).addingProduct(w, v), counts, sum, B) }
  }

  /// limb[b] ± c_b·digit for all b.
  @inline(__always)
  static func accumulate(_ limb: UnsafeMutablePointer<Int64>, _ counts: UnsafePointer<UInt32>, _ digit: UInt32,
                         _ negative: Bool, _ B: Int) {
    if digit == 0 { return }
    let d = UInt64(digit)
    if negative {
      for b in 0..<B { limb[b] &-= Int64(bitPattern: UInt64(counts[b]) &* d) }
    } else {
      for b in 0..<B { limb[b] &+= Int64(bitPattern: UInt64(counts[b]) &* d) }
    }
  }
}
