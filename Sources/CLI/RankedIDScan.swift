import MAPKShards

/// What `mapk inspect` says about an integer array read as ranked ids
/// (`[D1..DN, K]`, best first), under eval's default reading: pad -1,
/// repeated ids refused.
struct RankedIDScan {
  /// Entries equal to the default pad (-1).
  var pads = 0
  /// Negative entries other than -1 (eval refuses them unless one is the pad).
  var otherNegatives = 0
  /// The smallest and largest non-negative id, if any.
  var smallest = Int64.max, largest = Int64.min
  /// Rows holding an id more than once, and the first such row and id.
  var repeatedRows = 0
  var firstRepeat: (row: Int, id: Int64)?

  /// Scans every row of `ids`.
  /// - Complexity: O(rows · K log K).
  init(_ ids: RankedIDs) {
    var row = [Int64](repeating: 0, count: ids.width)
    for r in 0..<ids.rows {
      var n = 0
      for c in 0..<ids.width {
        let v = ids.id(row: r, column: c)
        if v == -1 { pads += 1; continue }
        if v < 0 { otherNegatives += 1; continue }
        smallest = min(smallest, v)
        largest = max(largest, v)
        row[n] = v
        n += 1
      }
      row[0..<n].sort()
      if let i = (0..<max(0, n - 1)).first(where: { row[$0] == row[$0 + 1] }) {
        repeatedRows += 1
        if firstRepeat == nil { firstRepeat = (r, row[i]) }
      }
    }
  }

  /// The lines `mapk inspect` prints.
  var lines: [String] {
    var out: [String] = []
    if smallest <= largest { out.append("  ids      \(smallest) ... \(largest)  (--classes C ignores labels >= C)") }
    out.append("  pads (-1)  \(Inspection.grouped(pads))  (empty positions, never a hit; another pad: --pad-id V)")
    if otherNegatives > 0 {
      out.append("  negative ids other than -1  \(Inspection.grouped(otherNegatives))  (mapk eval refuses them unless --pad-id names them)")
    }
    if let first = firstRepeat {
      out.append("  rows with a repeated id  \(Inspection.grouped(repeatedRows)), first row \(first.row) (id \(first.id))"
                 + "  (mapk eval refuses a repeat among the k ids it evaluates; --duplicate-ids first: later copies are misses)")
    } else {
      out.append("  rows with a repeated id  0")
    }
    return out
  }
}
