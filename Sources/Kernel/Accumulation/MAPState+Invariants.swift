/// What every state a run can produce satisfies, checked when a saved state
/// is read back (a file edited by hand, truncated or forged is refused, not
/// merged into a result no run could give).
extension MAPState {
  /// The first invariant this state breaks, in a few words naming the
  /// field, or nil when it could come from a run.
  ///
  /// The invariants follow from how a run accumulates (`RowEvaluator`):
  /// - every weight is finite and `>= 0` (``RowWeights``), so the weight
  ///   sum has no special term and is `>= 0`; without weights each counted
  ///   row adds exactly 1, so it is the number of counted rows (all rows,
  ///   less the empty ones under ``EmptyRowPolicy/skip``);
  /// - every metric's per-row value is in `[0, 1]` (``RankingMetric``), so
  ///   each total is within `0 ... weight sum` (0 when the weight sum is 0),
  ///   with no infinite term; its NaN terms come only from empty rows under
  ///   ``EmptyRowPolicy/nan``, one per empty row;
  /// - the counts are within their rows: `0 <= emptyRows <= rows`, and NaN
  ///   scores are counted only when the policy ranks them, at most
  ///   `classes` per row.
  ///
  /// - Parameters:
  ///   - weighted: Whether the run had weights (nil: unknown).
  ///   - classes: The scores per row.
  /// - Complexity: O(metrics · ks · limbs).
  package func inconsistency(weighted: Bool?, classes: Int) -> String? {
    guard rows >= 0 else { return "counts.rows \(rows) is negative" }
    guard emptyRows >= 0, emptyRows <= rows else { return "counts.empty_rows \(emptyRows) is not within 0...\(rows)" }
    if configuration.nanScores == .error {
      guard nanScores == 0 else {
        return "counts.nan_scores is \(nanScores) under the NaN-score policy error (a run stops at the first NaN)"
      }
    } else {
      let (most, overflow) = rows.multipliedReportingOverflow(by: max(0, classes))
      guard nanScores >= 0, overflow || nanScores <= most else {
        return "counts.nan_scores \(nanScores) is not within 0...\(most) (\(rows) rows of \(classes) scores)"
      }
    }
    guard !weightSum.hasSpecialTerms, !weightSum.finitePartIsBelow(ExactSum()) else {
      return "weight_sum is negative, NaN or infinite (weights are finite and >= 0)"
    }
    let counted = configuration.emptyRows == .skip ? rows - emptyRows : rows
    // Only AP@k adds to the shared weight sum (``Metric/sharesWeightSum``).
    let sharesWeightSum = configuration.metrics.contains(where: \.sharesWeightSum)
    if weighted == false && sharesWeightSum {
      var expected = ExactSum()
      expected.add(Double(counted))  // exact: counted < 2^53 for any real run
      guard weightSum == expected else {
        return "weight_sum is not \(counted), the rows counted without weights"
      }
    }
    let nanTerms = configuration.emptyRows == .nan ? emptyRows : 0
    for (i, pair) in configuration.pairs.enumerated() {
      let t = totals[i]
      let name = "the total of \(pair.metric.name)@\(pair.k)"
      // Another metric's rule for an empty row may differ from AP@k's (`n = 0`),
      // which `emptyRows` counts: its NaN terms are bounded by the rows.
      let nanBound = pair.metric.sharesWeightSum ? nanTerms : (configuration.emptyRows == .nan ? rows : 0)
      guard t.positiveInfinityCount == 0, t.negativeInfinityCount == 0, t.nanCount >= 0, t.nanCount <= nanBound else {
        return "\(name) has \(t.nanCount) NaN and \(t.positiveInfinityCount + t.negativeInfinityCount) infinite "
          + "terms (at most \(nanBound) NaN, one per empty row under the empty-row policy nan)"
      }
      if pair.metric.sharesWeightSum {
        guard !t.finitePartIsBelow(ExactSum()), !weightSum.finitePartIsBelow(t) else {
          return "\(name) (\(t.doubleValue)) is not within 0...weight_sum (\(weightSum.doubleValue)): "
            + "each row's value is in [0, 1]"
        }
      } else {
        // Its own denominator (``MAPState/denominators``): a weighted mean's
        // Σ w, or a pooled ratio's Σ w · d with each row's numerator at most its d.
        let d = denominators[i]
        guard !d.hasSpecialTerms, !d.finitePartIsBelow(ExactSum()) else {
          return "the denominator of \(pair.metric.name)@\(pair.k) is negative, NaN or infinite"
        }
        guard !t.finitePartIsBelow(ExactSum()), !d.finitePartIsBelow(t) else {
          return "\(name) (\(t.doubleValue)) is not within 0...its denominator (\(d.doubleValue))"
        }
      }
    }
    return nil
  }
}
