import Foundation
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

  /// A row's label counts under each library's rule (docs/semantics.md):
  /// `n`, TensorFlow's AP count (dense: entries in `0..<C`, duplicates
  /// included; sparse: distinct values, negatives included, labels `>= C`
  /// one value); `relevant`, the distinct labels `>= 0` (trec_eval's R);
  /// `distinct`, every distinct value (TensorFlow recall's count).
  public static func labelCounts(_ labels: [Int], classes c: Int, semantics: LabelSemantics)
    -> (n: Int, relevant: Int, distinct: Int)
  {
    let cleaned = labels.map { $0 >= c ? -1 : $0 }
    let n = semantics == .dense ? cleaned.filter { $0 >= 0 }.count : Set(cleaned).count
    return (n, Set(labels.filter { $0 >= 0 }).count, Set(labels).count)
  }

  /// True when the row has no relevant label under `metric`'s rule: for
  /// TensorFlow's AP, `n == 0`; for every other metric, no label `>= 0`.
  public static func isEmpty(_ metric: Metric, labels: [Int], classes c: Int, semantics: LabelSemantics) -> Bool {
    let counts = labelCounts(labels, classes: c, semantics: semantics)
    return metric == .averagePrecision ? counts.n == 0 : counts.relevant == 0
  }

  /// One row's numerator and denominator of `metric` at `k` from the
  /// definitions (a weighted mean: its value and 1; pooled: hits and k, or
  /// hits and the distinct label values). torchmetrics' variants count a
  /// hit only when its score is above 0.
  public static func rowParts(
    _ metric: Metric, scores: [Double], labels: [Int], k: Int, semantics: LabelSemantics,
    nan: NaNScorePolicy = .largest, ranking full: [Int]? = nil
  ) -> (value: Double, denominator: Double) {
    if metric == .averagePrecision {
      return (averagePrecision(scores: scores, labels: labels, k: k, semantics: semantics, nan: nan), 1)
    }
    let c = scores.count
    let counts = labelCounts(labels, classes: c, semantics: semantics)
    let inRange = Set(labels.filter { $0 >= 0 && $0 < c })
    let top = Array((full ?? ranking(scores, nan: nan)).prefix(k))
    let torch: Set<Metric> = [.torchAveragePrecision, .torchPrecision, .torchRecall, .torchReciprocalRank]
    // The 1-based ranks of the hits, ascending.
    var ranks: [Int] = []
    for (i, cls) in top.enumerated() where inRange.contains(cls) {
      if torch.contains(metric) && !(scores[cls] > 0) { continue }
      ranks.append(i + 1)
    }
    let hits = Double(ranks.count)
    let r = Double(counts.relevant)
    func precisionSum() -> Double {
      var sum = 0.0
      for (h, rank) in ranks.enumerated() { sum += Double(h + 1) / Double(rank) }
      return sum
    }
    switch metric {
    case .averagePrecision: fatalError("above")
    case .trecAveragePrecision: return (precisionSum() / r, 1)
    case .torchAveragePrecision: return (ranks.isEmpty ? 0 : precisionSum() / hits, 1)
    case .precision, .torchPrecision: return (hits, Double(k))
    case .recall: return (hits, Double(counts.distinct))
    case .macroRecall, .torchRecall: return (hits / r, 1)
    case .ndcg:
      var dcg = 0.0, ideal = 0.0
      for rank in ranks { dcg += 1 / log2(Double(rank + 1)) }
      for i in 0..<min(counts.relevant, k) { ideal += 1 / log2(Double(i + 2)) }
      return (dcg / ideal, 1)
    case .reciprocalRank, .torchReciprocalRank: return (ranks.first.map { 1 / Double($0) } ?? 0, 1)
    case .hitRate: return (ranks.isEmpty ? 0 : 1, 1)
    }
  }

  /// One row's value of `metric` at `k` (a pooled metric: its own ratio),
  /// for a row that is not empty under the metric's rule.
  public static func rowValue(
    _ metric: Metric, scores: [Double], labels: [Int], k: Int, semantics: LabelSemantics,
    nan: NaNScorePolicy = .largest
  ) -> Double {
    let (value, denominator) = rowParts(metric, scores: scores, labels: labels, k: k, semantics: semantics, nan: nan)
    return metric.aggregation == .pooled ? value / denominator : value
  }

  /// The exact state and the per-row output (``MAPState/totals`` order) the
  /// kernel must produce, built from the reference's row values: each
  /// metric's empty rows per the policy (a weighted mean: the policy's value,
  /// counted, or left out under skip; a pooled metric: counted as they come,
  /// or left out under skip, NaN in per-row output).
  public static func expectedState(
    _ configuration: MAPConfiguration, scores: [[Double]], labels: [[Int]], semantics: LabelSemantics,
    weights: [Double]? = nil
  ) throws -> (state: MAPState, perRow: [Double]) {
    let ks = configuration.ks, policy = configuration.emptyRows
    let pairs = configuration.pairs
    var totals = [ExactSum](repeating: ExactSum(), count: pairs.count)
    var denominators = totals
    var weightSum = ExactSum()
    var perRow: [Double] = []
    var emptyRows = 0, nans = 0
    let byAP = configuration.metrics.contains(.averagePrecision)
    for (r, row) in scores.enumerated() {
      let c = row.count
      nans += row.filter(\.isNaN).count
      if isEmpty(byAP ? .averagePrecision : .trecAveragePrecision, labels: labels[r], classes: c, semantics: semantics) {
        emptyRows += 1
      }
      let w = weights?[r] ?? 1
      let full = ranking(row, nan: configuration.nanScores)
      for metric in configuration.metrics {
        let empty = isEmpty(metric, labels: labels[r], classes: c, semantics: semantics)
        if metric == .averagePrecision && !(empty && policy == .skip) { weightSum.add(w) }
        for k in ks {
          let i = configuration.index(metric: metric, k: k)!
          if empty && policy == .skip {
            perRow.append(.nan)
            continue
          }
          var parts: (value: Double, denominator: Double)
          if empty && metric.aggregation == .weightedMean {
            parts = (policy == .zero ? 0 : .nan, 1)
          } else {
            parts = metric == .averagePrecision
              ? rowParts(metric, scores: row, labels: labels[r], k: k, semantics: semantics, nan: configuration.nanScores)
              : rowParts(metric, scores: row, labels: labels[r], k: k, semantics: semantics, nan: configuration.nanScores,
                         ranking: full)
          }
          perRow.append(metric.aggregation == .pooled ? parts.value / parts.denominator : parts.value)
          totals[i].add(weights == nil ? parts.value : w * parts.value)
          if !metric.sharesWeightSum { denominators[i].add(weights == nil ? parts.denominator : w * parts.denominator) }
        }
      }
    }
    let state = try MAPState(configuration: configuration, totals: totals, denominators: denominators,
                             weightSum: weightSum, rows: scores.count, emptyRows: emptyRows, nanScores: nans)
    return (state, perRow)
  }

  /// The metric over rows, summed in row order in plain doubles (close to,
  /// not bit-equal with, the kernel's exact sums): `Σ w · value / Σ w` for a
  /// ``MetricAggregation/weightedMean`` metric, 0 when `Σ w` is 0;
  /// `Σ w · numerator / Σ w · denominator` for a pooled one, NaN when that
  /// is 0/0; rows without a relevant label per `emptyRows`.
  public static func value(
    _ metric: Metric, scores: [[Double]], labels: [[Int]], k: Int, semantics: LabelSemantics,
    weights: [Double]? = nil, emptyRows: EmptyRowPolicy = .nan, nan: NaNScorePolicy = .largest
  ) -> Double {
    var total = 0.0, max = 0.0
    for (r, row) in scores.enumerated() {
      let w = weights?[r] ?? 1
      let empty = isEmpty(metric, labels: labels[r], classes: row.count, semantics: semantics)
      if empty && emptyRows == .skip { continue }
      if empty && metric.aggregation == .weightedMean {
        total += w * (emptyRows == .zero ? 0 : .nan)
        max += w
        continue
      }
      let parts = rowParts(metric, scores: row, labels: labels[r], k: k, semantics: semantics, nan: nan)
      total += w * parts.value
      max += w * parts.denominator
    }
    switch metric.aggregation {
    case .weightedMean: return max == 0 ? 0 : total / max
    case .pooled: return total / max
    }
  }
}
