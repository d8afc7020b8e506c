import Dispatch
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
  /// The entries of `labels`' rows in `rows` that are `>= classes`, counted
  /// by up to `threads` workers.
  ///
  /// The rows' entries are one contiguous span of the values in both layouts
  /// (uniform rows are consecutive; explicit offsets are non-decreasing, so
  /// row `r` ends where row `r + 1` starts), so the count is one branch-free
  /// loop over that span: about 5 instructions per label, where a visit per
  /// row and per entry through the layout's and the value type's switches
  /// cost about 12 (59 a row of 5 labels, 15% of a 50-class row's whole
  /// evaluation). A span is split among the workers in parts of at least 2^20
  /// entries (2,000,000 rows of 5 labels: 80 MB, about 15 ms on one core);
  /// the parts are integers, so their sum is the same for any split.
  /// - Complexity: O(label entries of those rows).
  static func countAtOrAbove(_ classes: Int, in labels: LabelRows, rows: Range<Int>, threads: Int = 1) -> Int {
    guard !rows.isEmpty else { return 0 }
    let span = labels.range(ofRow: rows.lowerBound).lowerBound..<labels.range(ofRow: rows.upperBound - 1).upperBound
    let parts = Swift.max(1, Swift.min(threads, span.count >> 20))
    if parts == 1 { return count(classes, labels.values, span) }
    let counts = WorkerSlots<Int>(count: parts)
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      let lower = span.lowerBound + span.count * part / parts
      let upper = span.lowerBound + span.count * (part + 1) / parts
      counts.store(count(classes, labels.values, lower..<upper), at: part)
    }
    return counts.values.reduce(0, +)
  }

  /// The values at positions `span` that are `>= classes`.
  private static func count(_ classes: Int, _ values: LabelRows.Values, _ span: Range<Int>) -> Int {
    switch values {
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
