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
  ///
  /// The rows' entries are one contiguous span of the values in both layouts
  /// (uniform rows are consecutive; explicit offsets are non-decreasing, so
  /// row `r` ends where row `r + 1` starts), so the count is one branch-free
  /// loop over that span, which the compiler vectorises: about one
  /// instruction per label, where a visit per row and per entry through the
  /// layout's and the value type's switches cost about 12 (59 a row of 5
  /// labels, 15% of a 50-class row's whole evaluation).
  /// - Complexity: O(label entries of those rows).
  static func countAtOrAbove(_ classes: Int, in labels: LabelRows, rows: Range<Int>) -> Int {
    guard !rows.isEmpty else { return 0 }
    let span = labels.range(ofRow: rows.lowerBound).lowerBound..<labels.range(ofRow: rows.upperBound - 1).upperBound
    switch labels.values {
    case .int32(let p):
      // No int32 reaches a class count above Int32.max.
      guard classes <= Int(Int32.max) else { return 0 }
      return count(UnsafeBufferPointer(start: p + span.lowerBound, count: span.count), atOrAbove: Int32(classes))
    case .int64(let p):
      return count(UnsafeBufferPointer(start: p + span.lowerBound, count: span.count), atOrAbove: Int64(classes))
    }
  }

  /// The values of `values` that are `>= bound`.
  private static func count<T: FixedWidthInteger>(_ values: UnsafeBufferPointer<T>, atOrAbove bound: T) -> Int {
    var count = 0
    for v in values { count &+= v >= bound ? 1 : 0 }
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
