/// The reading of one row's exclusions (`--exclude`) that the sparse-score
/// and the dense-score engines share: the classes of the matrix the row
/// names, sorted and distinct. The caller owns the scratch (room for the
/// row's entry count, grown before the call), so nothing is allocated per row.
enum RowExclusions {
  /// Reads row `r`'s excluded classes in `0 ..< width` (others exclude
  /// nothing: no such class is ranked), sorted and distinct, into
  /// `excluded`; returns how many.
  ///
  /// - Parameters:
  ///   - r: The row.
  ///   - rows: The exclusions.
  ///   - width: The classes of the matrix (C).
  ///   - excluded: Room for at least the row's entry count.
  /// - Complexity: O(e log e) for e entries (O(e²) up to 32).
  @inline(__always)
  static func gather(row r: Int, exclusions rows: LabelRows, width: Int,
                     into excluded: UnsafeMutablePointer<Int64>) -> Int {
    let span = rows.range(ofRow: r)
    let limit = Int64(width)
    var w = 0
    @inline(__always) func read<T: FixedWidthInteger>(_ p: UnsafePointer<T>) {
      for i in span {
        let v = Int64(p[i])
        excluded[w] = v
        // Only classes of the matrix can be removed from its rankings.
        w &+= v >= 0 && v < limit ? 1 : 0
      }
    }
    switch rows.values {
    case .int64(let p): read(p)
    case .int32(let p): read(p)
    }
    sortAscending(excluded, count: w)
    var kept = 0
    for i in 0..<w where kept == 0 || excluded[i] != excluded[kept - 1] {
      excluded[kept] = excluded[i]
      kept &+= 1
    }
    return kept
  }
}
