/// Comparisons of exact sums, for checking a saved state's invariants
/// (``MAPState/inconsistency(weighted:)``).
extension ExactSum {
  /// Whether the finite part of `self` is below that of `other` (the special
  /// terms, NaN and infinities, are ignored).
  ///
  /// Exact: both are compared in canonical form, top limb first. The top
  /// limb carries the sign and every other limb is in `0..<2^32`, so the
  /// value is ordered like the limbs read from the top (signed, then
  /// unsigned), as a number's digits are.
  ///
  /// - Complexity: O(limbs).
  package func finitePartIsBelow(_ other: ExactSum) -> Bool {
    var a = self, b = other
    a.normalize()
    b.normalize()
    for i in stride(from: Self.limbCount - 1, through: 0, by: -1) where a.limbs[i] != b.limbs[i] {
      return a.limbs[i] < b.limbs[i]
    }
    return false
  }

  /// Whether any NaN or infinite term was added.
  package var hasSpecialTerms: Bool {
    nanCount != 0 || positiveInfinityCount != 0 || negativeInfinityCount != 0
  }

  /// `merge(other)`, or false (and `self` unchanged) if a special-term count
  /// would overflow `Int` (only a forged saved state can get near 2^63).
  ///
  /// - Complexity: O(limbs).
  package mutating func mergeReportingOverflow(_ other: ExactSum) -> Bool {
    guard !nanCount.addingReportingOverflow(other.nanCount).overflow,
          !positiveInfinityCount.addingReportingOverflow(other.positiveInfinityCount).overflow,
          !negativeInfinityCount.addingReportingOverflow(other.negativeInfinityCount).overflow
    else { return false }
    merge(other)
    return true
  }
}
