import MAPKKernel

/// A deliberately plain reference of the metrics, per row and aggregated,
/// written from their definitions (docs/semantics.md for TensorFlow's AP@k)
/// without any of the kernel's machinery: a full stable sort of the row,
/// then the definition. Tests compare the fast paths against it.
public enum ReferenceMAP {
  /// The class indices of `scores` ranked by descending score, lower index
  /// first among equals; NaN placed per `nan` (`.error` ranks it largest).
  public static func ranking(_ scores: [Double], nan: NaNScorePolicy) -> [Int] {
    func rankKey(_ x: Double) -> Double {
      if x.isNaN { return nan == .lowest ? -Double.infinity : Double.infinity }
      return x
    }
    // A NaN ties with another NaN and sits beyond ±inf: compare (isNaN-level, value).
    func level(_ x: Double) -> Int { x.isNaN ? (nan == .lowest ? -1 : 1) : 0 }
    return scores.indices.sorted { a, b in
      let la = level(scores[a]), lb = level(scores[b])
      if la != lb { return la > lb }
      let x = rankKey(scores[a]), y = rankKey(scores[b])
      if la == 0 && x != y { return x > y }
      return a < b
    }
  }

  /// AP@k of one row. `labels` are the row's raw label values.
  public static func averagePrecision(
    scores: [Double], labels: [Int], k: Int, semantics: LabelSemantics, nan: NaNScorePolicy = .largest
  ) -> Double {
    let c = scores.count
    let cleaned = labels.map { $0 >= c ? -1 : $0 }
    let n: Int
    switch semantics {
    case .dense: n = cleaned.filter { $0 >= 0 }.count
    case .sparse: n = Set(cleaned).count
    }
    let relevant = Set(cleaned.filter { $0 >= 0 })
    let top = Array(ranking(scores, nan: nan).prefix(k))
    var hits = 0
    var sum = 0.0
    for (i, cls) in top.enumerated() where relevant.contains(cls) {
      hits += 1
      sum += Double(hits) / Double(i + 1)
    }
    return sum / Double(min(n, k))
  }

  /// One row's value of `metric` at `k` (one arm per ``Metric`` case, so a
  /// new metric cannot be left without a reference).
  public static func rowValue(
    _ metric: Metric, scores: [Double], labels: [Int], k: Int, semantics: LabelSemantics,
    nan: NaNScorePolicy = .largest
  ) -> Double {
    switch metric {
    case .averagePrecision: return averagePrecision(scores: scores, labels: labels, k: k, semantics: semantics, nan: nan)
    }
  }

  /// The metric over rows, summed in row order in plain doubles (close to,
  /// not bit-equal with, the kernel's exact sums): `Σ w · value / Σ w` for a
  /// ``MetricAggregation/weightedMean`` metric, 0 when `Σ w` is 0; rows
  /// without a relevant label per `emptyRows`.
  public static func value(
    _ metric: Metric, scores: [[Double]], labels: [[Int]], k: Int, semantics: LabelSemantics,
    weights: [Double]? = nil, emptyRows: EmptyRowPolicy = .nan, nan: NaNScorePolicy = .largest
  ) -> Double {
    var total = 0.0, max = 0.0
    for (r, row) in scores.enumerated() {
      let w = weights?[r] ?? 1
      let c = row.count
      let cleaned = labels[r].map { $0 >= c ? -1 : $0 }
      let empty = semantics == .dense ? !cleaned.contains { $0 >= 0 } : cleaned.isEmpty
      if empty {
        if emptyRows == .skip { continue }
        total += w * (emptyRows == .zero ? 0 : .nan)
        max += w
        continue
      }
      total += w * rowValue(metric, scores: row, labels: labels[r], k: k, semantics: semantics, nan: nan)
      max += w
    }
    switch metric.aggregation {
    case .weightedMean: return max == 0 ? 0 : total / max
    }
  }
}
