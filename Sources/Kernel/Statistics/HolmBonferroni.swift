/// Holm–Bonferroni step-down adjustment of a family of p-values.
public enum HolmBonferroni {
  /// The Holm-adjusted p-values, in the order given.
  ///
  /// With the m p-values sorted ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎, the adjusted
  /// value of p₍ᵢ₎ is maxⱼ≤ᵢ min(1, (m − j + 1)·p₍ⱼ₎): step-down, monotone in
  /// the sorted order, capped at 1 (statsmodels' `multipletests(method='holm')`).
  /// Equal p-values get equal adjusted values (the running maximum makes the
  /// order among ties irrelevant). NaN p-values stay NaN and are not counted
  /// in m.
  ///
  /// - Complexity: O(m log m).
  public static func adjusted(_ pValues: [Double]) -> [Double] {
    let order = pValues.indices.filter { !pValues[$0].isNaN }.sorted { pValues[$0] < pValues[$1] }
    let m = order.count
    var out = pValues
    var running = 0.0
    for (j, i) in order.enumerated() {
      running = max(running, min(1, Double(m - j) * pValues[i]))
      out[i] = running
    }
    return out
  }
}
