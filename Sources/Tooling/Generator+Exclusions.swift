import MAPKShards

extension Generator {
  /// The most exclusions a generated row may have (as for labels: drawing
  /// them costs O(e²) per row).
  package static var maximumExclusionsPerRow: Int { maximumLabelsPerRow }

  /// Writes row `r`'s `e` excluded classes (items "already seen", for
  /// `--exclude`), distinct and ascending, to `out` (room for `e`): uniform
  /// over the classes, independent of the row's labels (so a label is also
  /// excluded with probability about e / C, the case eval warns about).
  ///
  /// Drawn from the row's stream at indices from 2^33, far from its labels'
  /// and its scores' draws: the labels and scores do not change.
  ///
  /// - Complexity: O(e²) (Floyd's sampling with a sorted insert).
  package func exclusions(ofRow r: Int, count e: Int, into out: UnsafeMutablePointer<Int32>) {
    precondition(e >= 0 && e <= classes, "exclusions per row must be in 0...classes")
    let key = key(ofRow: r)
    var n = 0
    // Floyd's algorithm: e distinct values of 0..<classes, each subset equally likely.
    for j in (classes - e)..<classes {
      let t = Int32(Generator.bits(key, 0x2_0000_0000 &+ UInt64(j - (classes - e))) % UInt64(j + 1))
      var seen = false
      for i in 0..<n where out[i] == t { seen = true }
      let value = seen ? Int32(j) : t
      var i = n
      while i > 0 && out[i - 1] > value {
        out[i] = out[i - 1]
        i -= 1
      }
      out[i] = value
      n += 1
    }
  }

  /// Writes `<i8` `[rows, e]` exclusions to `path` (`numpy.save`'s layout):
  /// each row its ``exclusions(ofRow:count:into:)``. Memory is one block of
  /// rows, whatever the count; the file appears only when complete.
  /// - Throws: ``FileError`` if the file cannot be written.
  package func writeExclusions(to path: String, perRow e: Int) throws {
    let writer = try NPYWriter(path: path, type: .int64, shape: [rows, e])
    let blockRows = max(1, (1 << 16) / max(1, e))
    let row = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, e))
    defer { row.deallocate() }
    var block: [Int64] = []
    block.reserveCapacity(blockRows * e)
    for r in 0..<rows {
      exclusions(ofRow: r, count: e, into: row)
      for i in 0..<e { block.append(Int64(row[i])) }
      if block.count >= blockRows * e || r == rows - 1 {
        try block.withUnsafeBufferPointer { try writer.append($0) }
        block.removeAll(keepingCapacity: true)
      }
    }
    try writer.finish()
  }
}
