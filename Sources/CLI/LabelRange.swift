import MAPKShards

/// Labels at or above the number of classes: TensorFlow's rule (kept) is
/// that they match no class (dense rules: they count nowhere; sparse rules:
/// every such label of a row becomes one label `-1`, counted but never
/// found). `mapk eval` counts them to warn, as it does for rows without labels.
///
/// The count is a pass over the label entries of the evaluated rows here
/// rather than a counter in the kernel's state: labels are a small part of
/// the input (L entries a row against C scores) and the kernel's hot loop
/// stays as it is. A state file records the count of its rows
/// (``StateFile/labelsAtOrAboveClasses``), so `mapk merge` prints the same
/// warning for the merged rows.
enum LabelRange {
  /// The entries of `labels`' rows in `rows` that are `>= classes`.
  /// - Complexity: O(label entries of those rows).
  static func countAtOrAbove(_ classes: Int, in labels: LabelRows, rows: Range<Int>) -> Int {
    let c = Int64(classes)
    var count = 0
    for r in rows {
      for i in labels.range(ofRow: r) where labels.value(at: i) >= c { count += 1 }
    }
    return count
  }

  /// The warning for `count` such labels, or nil for none.
  static func warning(_ count: Int, classes: Int, semantics: LabelSemantics,
                      source: String = "the predictions' last dimension") -> String? {
    guard count > 0 else { return nil }
    let rule = semantics == .dense
      ? "they match no class and count nowhere"
      : "in each row they count as one label that matches no class"
    return "\(count) label\(count == 1 ? " is" : "s are") >= \(classes), the number of classes (\(source)): "
      + "\(rule), as in TensorFlow"
  }
}
