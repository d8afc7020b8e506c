/// One row's excluded ids at a time, for ``RankedIDEvaluator``: read from
/// the exclusions' rows, sorted and distinct (ids `>= 0`: a negative value
/// names no id), looked up by binary search.
final class RankedIDExclusions: RankedIDFilter {
  let rows: LabelRows
  private var ids: UnsafeMutablePointer<Int64>
  private var capacity = 16
  private(set) var count = 0

  static var excludesNothing: Bool { false }

  init(_ rows: LabelRows) {
    self.rows = rows
    ids = .allocate(capacity: capacity)
  }

  deinit { ids.deallocate() }

  /// Makes row `r`'s exclusions the current ones.
  func gather(row r: Int) {
    let span = rows.range(ofRow: r)
    if span.count > capacity {
      ids.deallocate()
      capacity = Swift.max(span.count, 2 * capacity)
      ids = .allocate(capacity: capacity)
    }
    var w = 0
    for i in span {
      let v = rows.value(at: i)
      ids[w] = v
      w &+= v >= 0 ? 1 : 0
    }
    var all = UnsafeMutableBufferPointer(start: ids, count: w)
    all.sort()
    var kept = 0
    for i in 0..<w where kept == 0 || ids[i] != ids[kept - 1] {
      ids[kept] = ids[i]
      kept &+= 1
    }
    count = kept
  }

  /// The current row's exclusions, sorted and distinct (`count` of them).
  var sortedIDs: UnsafePointer<Int64> { UnsafePointer(ids) }

  /// True if `id` is one of the current row's exclusions.
  @inline(__always)
  func contains(_ id: Int64) -> Bool {
    var lo = 0, hi = count
    while lo < hi {
      let mid = (lo &+ hi) >> 1
      if ids[mid] < id { lo = mid &+ 1 } else { hi = mid }
    }
    return lo < count && ids[lo] == id
  }
}
