import MAPKShards

/// Per-row label counts: the range, the mean, empty rows, the values' range.
struct LabelStatistics: Equatable {
  /// Rows.
  var rows = 0
  /// Fewest and most labels in a row (as counted by ``semantics``).
  var fewest = Int.max, most = 0
  /// Labels in all rows.
  var total = 0
  /// Rows without any label.
  var empty = 0
  /// Smallest and largest label value (entries >= 0).
  var smallest = Int64.max, largest = Int64.min
  /// Negative entries: under dense rules other than the -1 padding.
  var otherNegatives = 0

  /// The counting rules the rows are read with (what `mapk eval` applies).
  var semantics: LabelSemantics = .dense

  /// Scans every row, counting its labels by the rules `mapk eval` applies
  /// to `labels.semantics` (``LabelSemantics``): dense, the entries `>= 0`,
  /// duplicates included (-1 pads; other negatives are ignored); sparse, the
  /// distinct values, negatives included (each a label never found). The
  /// number of classes is not known here, so labels `>= C` (dense: ignored;
  /// sparse: one per row) are counted as values; the range line says what C
  /// must exceed.
  /// - Complexity: O(label entries), plus sorting each sparse row.
  init(_ labels: LabelRows) {
    rows = labels.rows
    semantics = labels.semantics
    var row: [Int64] = []
    for r in 0..<labels.rows {
      var n = 0
      row.removeAll(keepingCapacity: true)
      for i in labels.range(ofRow: r) {
        let v = labels.value(at: i)
        if v >= 0 {
          smallest = min(smallest, v)
          largest = max(largest, v)
        }
        switch semantics {
        case .dense:
          if v >= 0 { n += 1 } else if v != -1 { otherNegatives += 1 }
        case .sparse:
          if v < 0 { otherNegatives += 1 }
          row.append(v)
        }
      }
      if semantics == .sparse && !row.isEmpty {
        row.sort()
        n = 1
        for j in 1..<row.count where row[j] != row[j - 1] { n += 1 }
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
    if largest >= 0 { out.append("  label values  \(smallest) ... \(largest)  (need classes > \(largest))") }
    switch semantics {
    case .dense:
      if otherNegatives > 0 { out.append("  negative entries other than -1  \(Inspection.grouped(otherNegatives)) (ignored)") }
    case .sparse:
      if otherNegatives > 0 {
        out.append("  negative labels  \(Inspection.grouped(otherNegatives)) (each counts as a label of its row, "
                   + "never found: it lowers the row's AP)")
      }
    }
    return out
  }
}
