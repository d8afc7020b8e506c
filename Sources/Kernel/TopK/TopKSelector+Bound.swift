/// A lower bound of a row's k-th largest key, from one SIMD pass.
///
/// The row is cut into disjoint groups (a lane of a segment of blocks, see
/// `RowScanning.groupMaxima`); each group's maximum is a score of the row.
/// If t is the k-th largest of those maxima, k different groups hold a score
/// at least t, so at least k scores are at least t: t is at most the row's
/// k-th largest. More groups give a tighter bound and cost more to select from.
extension TopKSelector {
  /// The number of segments (each giving `Bits.lanesPerSegment` groups) for
  /// 16 groups up to k = 16, about 2k up to k = 32 and 4k beyond, of at
  /// least 2 scores each; 0 when that makes fewer than k groups (no bound).
  /// (More groups would give a tighter bound, but selecting from them costs
  /// more than the few extra scores the scan then visits.)
  static func segments(k: Int, classes: Int) -> Int {
    let lanes = Bits.lanesPerSegment
    let blocks = classes / lanes
    let wanted = k <= 16 ? 16 : k <= 32 ? 2 * k : 4 * k
    let segments = Swift.min((wanted + lanes - 1) / lanes, Swift.max(1, blocks / 2))
    return blocks > 0 && segments * lanes >= k ? segments : 0
  }

  /// A key at most the row's k-th largest rank key (`Key.min` when there is
  /// no useful bound), and whether the row is known to hold no NaN.
  ///
  /// - Complexity: O(classes) for the pass plus O(g²/16) (g <= 64) or O(g)
  ///   expected for the g groups.
  func lowerBound(_ row: UnsafePointer<Bits>) -> (key: Key, nanFree: Bool) {
    let segments = Self.segments(k: k, classes: classes)
    guard segments > 0 else { return (Key.min, false) }
    let (groups, nanFree) = Bits.groupMaxima(row, count: classes, segments: segments, into: maxima)
    guard groups >= k else { return (Key.min, nanFree) }
    let bound = Bits.kthLargestGroupMaximum(maxima, count: groups, k: k)
      ?? Self.kthLargest(maxima, count: groups, k: k)
    // A group with nothing but NaN reports -inf (or less) without holding such
    // a score: a bound that low must let everything in (NaN under `.lowest`
    // ranks below -inf).
    return (bound > 0 &- Bits.infinityKey ? bound : Key.min, nanFree)
  }

  /// The k-th largest of `keys[0..<count]` (reordered), by quickselect.
  ///
  /// - Complexity: O(count) expected.
  static func kthLargest(_ keys: UnsafeMutablePointer<Key>, count: Int, k: Int) -> Key {
    var lo = 0, hi = count - 1
    let target = k - 1  // index in descending order
    while lo < hi {
      let pivot = keys[lo + (hi - lo) / 2]
      var i = lo, j = hi
      while i <= j {
        while keys[i] > pivot { i += 1 }
        while keys[j] < pivot { j -= 1 }
        if i <= j {
          let t = keys[i]
          keys[i] = keys[j]
          keys[j] = t
          i += 1
          j -= 1
        }
      }
      // Now keys[lo...j] >= pivot >= keys[i...hi], and j < i.
      if target <= j {
        hi = j
      } else if target >= i {
        lo = i
      } else {
        return pivot
      }
    }
    return keys[target]
  }
}

/// The k-th largest of `keys[0..<count]` (`count` a multiple of 16, at most
/// 64): for each key, how many keys are at least it, counted 16 at a time;
/// the largest key with at least k such is the k-th largest. No branch.
///
/// Concrete `Int32`, not generic over the key: in a generic context the SIMD
/// operators resolve to their lane-by-lane fallbacks, even once specialized.
///
/// - Complexity: O(count²/16).
func kthLargestByCounting(_ keys: UnsafePointer<Int32>, count: Int, k: Int) -> Int32 {
  let raw = UnsafeRawPointer(keys)
  var best = Int32.min
  var i = 0
  while i < count {
    let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Int32>.self)
    // below[l] = -#{j : keys[j] < v[l]} (a true lane is -1), written as a
    // strict compare of two vector values: one `pcmpgtd` per 4 lanes.
    var below = SIMD16<Int32>(repeating: 0)
    for j in 0..<count {
      let b = SIMD16<Int32>(repeating: keys[j])
      below &+= unsafeBitCast(v .> b, to: SIMD16<Int32>.self)
    }
    // #{j : keys[j] >= v[l]} = count + below[l] >= k.
    let short = SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: k - count))
    let eligible = v.replacing(with: Int32.min, where: short .> below)
    // The largest eligible lane, by halves.
    let a = eligible.lowHalf.replacing(with: eligible.highHalf, where: eligible.highHalf .> eligible.lowHalf)
    let b = a.lowHalf.replacing(with: a.highHalf, where: a.highHalf .> a.lowHalf)
    let c = b.lowHalf.replacing(with: b.highHalf, where: b.highHalf .> b.lowHalf)
    best = Swift.max(best, Swift.max(c[0], c[1]))
    i += 16
  }
  return best
}
