/// Sorts `values[0..<count]` ascending in place: an insertion sort for the
/// few values of a typical row (hit ranks, labels: no call, no allocation),
/// the standard library's sort beyond 32.
///
/// Shared by the scores path (hit ranks, `Int32`) and the ranked-ids path
/// (labels, `Int64`); inlined and specialized at each.
///
/// - Complexity: O(count²) up to 32 values, else O(count log count).
@inline(__always)
func sortAscending<T: Comparable>(_ values: UnsafeMutablePointer<T>, count: Int) {
  if count > 32 {
    var all = UnsafeMutableBufferPointer(start: values, count: count)
    all.sort()
    return
  }
  for i in 1..<Swift.max(1, count) {
    let e = values[i]
    var j = i
    while j > 0 && values[j - 1] > e {
      values[j] = values[j - 1]
      j -= 1
    }
    values[j] = e
  }
}
