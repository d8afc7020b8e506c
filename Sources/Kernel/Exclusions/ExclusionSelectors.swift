/// The dense top-k selectors a worker needs for rows with exclusions: a row
/// with e excluded classes is ranked for its first `k + e` (or more) classes,
/// so that removing the excluded ones still leaves its first k.
///
/// A selector is made on first use per size and kept. Sizes are `k + e`
/// exactly for e up to ``exactExclusions``, then `k + 2^j` for the least
/// `2^j >= e` (ranking more classes than needed is correct, only slower), so
/// a worker holds at most ``exactExclusions`` + 64 selectors, whatever the
/// spread of the rows' exclusion counts; every size is capped at the row's
/// length.
final class ExclusionSelectors<Bits: RowScanning> {
  /// Exclusion counts below this get a selector of their own size.
  static var exactExclusions: Int { 32 }

  let k: Int
  let classes: Int
  let nanPolicy: NaNScorePolicy
  private var made: [TopKSelector<Bits>?]

  init(k: Int, classes: Int, nanPolicy: NaNScorePolicy) {
    self.k = k
    self.classes = classes
    self.nanPolicy = nanPolicy
    made = Array(repeating: nil, count: Self.exactExclusions + 64)
  }

  /// A selector ranking at least the first `k + excluded` classes of a row
  /// (all of them when that is more than the row has).
  @inline(__always)
  func selector(excluded e: Int) -> TopKSelector<Bits> {
    let slot: Int, extra: Int
    if e < Self.exactExclusions {
      slot = e
      extra = e
    } else {
      // The least power of two at least e: slot 32 + j for 2^j (j >= 5).
      let j = Int.bitWidth - (e &- 1).leadingZeroBitCount
      slot = Self.exactExclusions &+ j &- 5
      extra = 1 << j
    }
    if let s = made[slot] { return s }
    // k + extra never overflows: e <= classes <= Int32.max, so extra < 2^32.
    let s = TopKSelector<Bits>(k: Swift.min(classes, k + extra), classes: classes, nanPolicy: nanPolicy)
    made[slot] = s
    return s
  }
}
