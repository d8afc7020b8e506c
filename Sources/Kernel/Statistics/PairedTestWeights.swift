/// The weights rule of the paired tests (t-test and randomization test).
///
/// Rows of weight 0 are left out of the tests. The other rows must all have
/// the same weight, and are then tested unweighted: both tests are invariant
/// under one common weight, while for unequal weights neither has one
/// accepted meaning (frequency weights, reliability weights and importance
/// weights give different tests), so the library refuses them rather than
/// pick one silently. The bootstrap has no such limit: it resamples rows with
/// their weights, and its statistic Σ w·v / Σ w is the metric itself.
public enum PairedTestWeights {
  /// Why a set of weights cannot be used by the paired tests.
  public enum Refusal: Error, Equatable, Sendable {
    /// Two rows with nonzero weights `first` and `other` (the first pair found).
    case unequalWeights(first: Double, other: Double)
    /// A weight that is negative, infinite or NaN.
    case invalidWeight(Double)
  }

  /// Checks `weights` against the rule, or throws the first violation.
  ///
  /// - Returns: Whether each row takes part (its weight is not 0).
  /// - Complexity: O(n).
  public static func rowsInTests<C: Collection>(_ weights: C) throws(Refusal) -> [Bool] where C.Element == Double {
    var common: Double? = nil
    var taking: [Bool] = []
    taking.reserveCapacity(weights.count)
    for w in weights {
      guard w.isFinite && w >= 0 else { throw .invalidWeight(w) }
      if w == 0 { taking.append(false); continue }
      if let c = common, c != w { throw .unequalWeights(first: c, other: w) }
      common = w
      taking.append(true)
    }
    return taking
  }
}
