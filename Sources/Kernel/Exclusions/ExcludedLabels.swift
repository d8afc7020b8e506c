/// The labels that exclusions (`--exclude`) make impossible to hit.
///
/// Excluded classes are removed from each row's ranking before the top k;
/// a label that is also excluded therefore can never be hit, yet it still
/// counts in the row's `n` (as RecBole and Microsoft Recommenders count a
/// test item also in the masked history). This counts them, so that a
/// caller can warn.
public enum ExcludedLabels {
  /// The number of (row, label) pairs whose label is one of the row's
  /// exclusions: each row's distinct labels `>= 0` (and below `classes`, if
  /// given: others match nothing anyway) that its exclusions name.
  ///
  /// - Parameters:
  ///   - labels: The label rows.
  ///   - exclusions: The excluded classes, one row per label row.
  ///   - classes: The number of classes, if known.
  /// - Complexity: O(L log L + E log E) over all L labels and E exclusions.
  public static func count(labels: LabelRows, exclusions: LabelRows, classes: Int?) -> Int {
    precondition(labels.rows == exclusions.rows, "exclusions do not match the labels")
    var total = 0
    var a: [Int64] = [], b: [Int64] = []
    let limit = Int64(classes ?? Int.max)
    for r in 0..<labels.rows {
      a.removeAll(keepingCapacity: true)
      b.removeAll(keepingCapacity: true)
      for i in labels.range(ofRow: r) {
        let v = labels.value(at: i)
        if v >= 0 && v < limit { a.append(v) }
      }
      if a.isEmpty { continue }
      for i in exclusions.range(ofRow: r) { b.append(exclusions.value(at: i)) }
      if b.isEmpty { continue }
      a.sort()
      b.sort()
      var i = 0, j = 0
      while i < a.count && j < b.count {
        if i > 0 && a[i] == a[i - 1] {
          i += 1
        } else if a[i] < b[j] {
          i += 1
        } else if a[i] > b[j] {
          j += 1
        } else {
          total += 1
          i += 1
        }
      }
    }
    return total
  }
}
