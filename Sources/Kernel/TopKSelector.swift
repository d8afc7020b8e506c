/// Per-worker scratch that ranks the top k scores of one row at a time.
///
/// The ranking is TensorFlow's: descending score, and among equal scores the
/// lower class index first. Scores are compared through their
/// order-preserving integer keys (see `ScoreBits`), so `-0.0 == 0.0` and
/// NaN ranks where the policy puts it.
///
/// Two strategies, chosen by k:
/// - small k: one pass keeping the k best in a sorted buffer; a score enters
///   only if strictly above the k-th key, and indices are scanned in
///   increasing order, so an equal score later in the row never displaces an
///   earlier one (TensorFlow's tie rule, for free);
/// - large k: every (key, index) goes to a buffer that a partial quicksort
///   orders only where it overlaps the first k.
///
/// Nothing is allocated per row.

final class TopKSelector<Bits: ScoreBits> {
  typealias Key = Bits.Key

  /// The largest k for which the insertion buffer is used.
  static var insertionLimit: Int { 32 }

  let k: Int
  let classes: Int
  let nanPolicy: NaNScorePolicy
  let nanKey: Key
  let keys: UnsafeMutablePointer<Key>
  /// The ranked class indices after ``select(_:)``: `ranking[0..<k]`.
  let ranking: UnsafeMutablePointer<Int32>
  let entries: UnsafeMutablePointer<RankEntry<Key>>?

  
  init(k: Int, classes: Int, nanPolicy: NaNScorePolicy) {
    precondition(k >= 1 && k <= classes && classes <= Int(Int32.max))
    self.k = k
    self.classes = classes
    self.nanPolicy = nanPolicy
    self.nanKey = nanPolicy == .lowest ? Key.min : Key.max
    keys = .allocate(capacity: k)
    ranking = .allocate(capacity: k)
    entries = k > Self.insertionLimit ? .allocate(capacity: classes) : nil
  }

  deinit {
    keys.deallocate()
    ranking.deallocate()
    entries?.deallocate()
  }

  /// The outcome of ranking one row.
  
  struct Outcome {
    /// NaN scores seen in the row (with the `error` policy: 1 and the row stops).
    var nanCount: Int
    /// The class of the first NaN, if any.
    var firstNaN: Int
  }

  /// Ranks one row of `classes` scores into ``ranking``.
  ///
  /// - Complexity: O(classes · log k) expected for small k; O(classes + k log k)
  ///   expected for large k.
  
  func select(_ row: UnsafePointer<Bits>) -> Outcome {
    k <= Self.insertionLimit ? selectByInsertion(row) : selectByPartialSort(row)
  }

  
  func selectByInsertion(_ row: UnsafePointer<Bits>) -> Outcome {
    var nanCount = 0, firstNaN = -1
    var filled = 0
    let last = k - 1
    for i in 0..<classes {
      let bits = row[i]
      var key: Key
      if Bits.isNaN(bits) {
        if nanCount == 0 { firstNaN = i }
        nanCount += 1
        if nanPolicy == .error { return Outcome(nanCount: nanCount, firstNaN: firstNaN) }
        key = nanKey
      } else {
        key = Bits.key(bits)
      }
      if filled == k {
        // Strictly greater: an equal score at a later index never enters.
        guard key > keys[last] else { continue }
      } else {
        filled += 1
      }
      // Find the slot: after every kept key >= this one (they have lower indices).
      var j = filled - 1
      while j > 0 && keys[j - 1] < key {
        keys[j] = keys[j - 1]
        ranking[j] = ranking[j - 1]
        j -= 1
      }
      keys[j] = key
      ranking[j] = Int32(truncatingIfNeeded: i)
    }
    return Outcome(nanCount: nanCount, firstNaN: firstNaN)
  }

  
  func selectByPartialSort(_ row: UnsafePointer<Bits>) -> Outcome {
    let entries = self.entries.unsafelyUnwrapped
    var nanCount = 0, firstNaN = -1
    for i in 0..<classes {
      let bits = row[i]
      var key: Key
      if Bits.isNaN(bits) {
        if nanCount == 0 { firstNaN = i }
        nanCount += 1
        if nanPolicy == .error { return Outcome(nanCount: nanCount, firstNaN: firstNaN) }
        key = nanKey
      } else {
        key = Bits.key(bits)
      }
      entries[i] = RankEntry(key: key, index: Int32(truncatingIfNeeded: i))
    }
    RankEntry.partialSort(entries, count: classes, prefix: k)
    for r in 0..<k { ranking[r] = entries[r].index }
    return Outcome(nanCount: nanCount, firstNaN: firstNaN)
  }
}

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
