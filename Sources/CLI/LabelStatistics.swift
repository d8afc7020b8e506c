import MAPKShards

/// Per-row label counts: the range, the mean, empty rows, the values' range.
struct LabelStatistics: Equatable {
  /// Rows.
  var rows = 0
  /// Fewest and most labels (entries >= 0) in a row.
  var fewest = Int.max, most = 0
  /// Labels in all rows.
  var total = 0
  /// Rows without any label.
  var empty = 0
  /// Smallest and largest label value (entries >= 0).
  var smallest = Int64.max, largest = Int64.min
  /// Negative entries other than the -1 padding (ignored by dense rules).
  var otherNegatives = 0

  /// Scans every row.
  /// - Complexity: O(label entries).
  init(_ labels: LabelRows) {
    rows = labels.rows
    for r in 0..<labels.rows {
      var n = 0
      for i in labels.range(ofRow: r) {
        let v = labels.value(at: i)
        if v >= 0 {
          n += 1
          smallest = min(smallest, v)
          largest = max(largest, v)
        } else if v != -1 {
          otherNegatives += 1
        }
      }
      fewest = min(fewest, n)
      most = max(most, n)
      total += n
      if n == 0 { empty += 1 }
    }
  }

  var lines: [String] {
    guard rows > 0 else { return ["  no rows"] }
    var out = [
      "  labels per row  min \(fewest), max \(most), mean \(format(Double(total) / Double(rows), 2))",
      "  rows without labels  \(Inspection.grouped(empty))"
        + (empty > 0 ? "  (their AP is NaN, as in TensorFlow; see --empty-rows)" : ""),
    ]
    if total > 0 { out.append("  label values  \(smallest) ... \(largest)  (need classes > \(largest))") }
    if otherNegatives > 0 { out.append("  negative entries other than -1  \(Inspection.grouped(otherNegatives)) (ignored)") }
    return out
  }
}
