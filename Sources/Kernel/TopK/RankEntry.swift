/// A (key, class index) pair ordered as TensorFlow ranks: larger key first,
/// then lower index. Indices are distinct, so the order is strict and total.
struct RankEntry<Key: FixedWidthInteger & SignedInteger> {
  var key: Key
  var index: Int32

  @inline(__always)
  init(key: Key, index: Int32) {
    self.key = key
    self.index = index
  }

  /// True when `a` ranks before `b`.
  @inline(__always)
  static func precedes(_ a: RankEntry, _ b: RankEntry) -> Bool {
    a.key > b.key || (a.key == b.key && a.index < b.index)
  }

  /// Orders `base[0..<prefix]` as the first `prefix` of the full ranking of
  /// `base[0..<count]`: a quicksort that recurses only into parts that
  /// overlap the prefix.
  ///
  /// - Complexity: O(count + prefix · log prefix) expected.
  static func partialSort(_ base: UnsafeMutablePointer<RankEntry>, count: Int, prefix: Int) {
    var lo = 0, hi = count
    // Iterate on the part overlapping the prefix; recurse into the left part.
    while hi - lo > 16 {
      let mid = lo + (hi - 1 - lo) / 2
      // Median of three into `mid`; Hoare's scheme then never returns an empty side.
      if precedes(base[mid], base[lo]) { swapAt(base, mid, lo) }
      if precedes(base[hi - 1], base[mid]) {
        swapAt(base, hi - 1, mid)
        if precedes(base[mid], base[lo]) { swapAt(base, mid, lo) }
      }
      let pivot = base[mid]
      var i = lo - 1, j = hi
      while true {
        repeat { i += 1 } while precedes(base[i], pivot)
        repeat { j -= 1 } while precedes(pivot, base[j])
        if i >= j { break }
        swapAt(base, i, j)
      }
      let split = j + 1
      if split >= prefix {
        hi = split  // the right part lies wholly beyond the prefix
      } else {
        partialSort(base + lo, count: split - lo, prefix: split - lo)
        lo = split
      }
    }
    // Insertion sort of the small remaining part.
    if hi - lo > 1 {
      for i in (lo + 1)..<hi {
        let e = base[i]
        var j = i
        while j > lo && precedes(e, base[j - 1]) {
          base[j] = base[j - 1]
          j -= 1
        }
        base[j] = e
      }
    }
  }

  @inline(__always)
  static func swapAt(_ base: UnsafeMutablePointer<RankEntry>, _ i: Int, _ j: Int) {
    let t = base[i]
    base[i] = base[j]
    base[j] = t
  }
}
