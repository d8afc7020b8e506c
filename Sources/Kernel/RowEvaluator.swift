/// Where per-row AP values go: a row-major `[rows, ks]` float64 buffer whose
/// first row is row `firstRow` of the input.
public struct PerRowSink: @unchecked Sendable {
  // Sendable: workers write disjoint rows of the buffer.
  /// The start of the buffer.
  public let base: UnsafeMutablePointer<Double>
  /// The input row stored at `base`.
  public let firstRow: Int

  /// Creates a sink.
  public init(base: UnsafeMutablePointer<Double>, firstRow: Int = 0) {
    self.base = base
    self.firstRow = firstRow
  }
}

/// One worker's engine: ranks rows, computes their AP for every k and adds
/// them to a ``MAPState``. It owns all the scratch it needs and allocates
/// nothing per row; create one per thread.
public final class RowEvaluator {
  /// The configuration it evaluates.
  public let configuration: MAPConfiguration
  /// The number of classes of the scores it expects.
  public let classes: Int
  /// The score type it expects.
  public let scoreType: ScoreType

  private enum Selector {
    case float16(TopKSelector<UInt16>)
    case float32(TopKSelector<UInt32>)
    case float64(TopKSelector<UInt64>)
  }

  private let selector: Selector
  private let ks: [Int]
  /// rank + 1 of each class in the current row's top k, 0 elsewhere.
  private let rankOf: UnsafeMutablePointer<Int32>
  private var hits: [Int32] = []
  private var scratchLabels: [Int64] = []
  private var apScratch: [Double]

  /// Creates a worker for scores of `type` with `classes` classes.
  ///
  /// - Throws: ``MAPKError/kAboveClasses(k:classes:)`` when a k exceeds `classes`.
  public init(configuration: MAPConfiguration, classes: Int, scoreType: ScoreType) throws {
    try configuration.validate(classes: classes)
    self.configuration = configuration
    self.classes = classes
    self.scoreType = scoreType
    self.ks = configuration.ks
    let k = configuration.maxK
    switch scoreType {
    case .float16: selector = .float16(TopKSelector(k: k, classes: classes, nanPolicy: configuration.nanScores))
    case .float32: selector = .float32(TopKSelector(k: k, classes: classes, nanPolicy: configuration.nanScores))
    case .float64: selector = .float64(TopKSelector(k: k, classes: classes, nanPolicy: configuration.nanScores))
    }
    rankOf = .allocate(capacity: classes)
    rankOf.initialize(repeating: 0, count: classes)
    apScratch = Array(repeating: 0, count: configuration.ks.count)
  }

  deinit { rankOf.deallocate() }

  /// Evaluates `rows` and adds them to `state`.
  ///
  /// - Parameters:
  ///   - rows: The rows to evaluate (indices into `scores` and `labels`).
  ///   - scores: `[rows, classes]` scores of this evaluator's type.
  ///   - labels: The labels of the same rows.
  ///   - weights: The weights (broadcast per row).
  ///   - state: The accumulator to add to.
  ///   - perRow: Where to write each row's AP@k, if wanted.
  /// - Throws: ``MAPKError/nanScore(row:classIndex:)`` under the `error` NaN policy.
  /// - Complexity: O(rows · (classes + k log k + labels)) for small k.
  public func evaluate(rows: Range<Int>, scores: ScoreMatrix, labels: LabelRows, weights: RowWeights,
                       into state: inout MAPState, perRow: PerRowSink? = nil) throws {
    precondition(scores.classes == classes && scores.type == scoreType, "scores do not match the evaluator")
    precondition(rows.lowerBound >= 0 && rows.upperBound <= scores.rows && scores.rows == labels.rows)
    switch selector {
    case .float16(let s): try run(s, rows, scores, labels, weights, &state, perRow)
    case .float32(let s): try run(s, rows, scores, labels, weights, &state, perRow)
    case .float64(let s): try run(s, rows, scores, labels, weights, &state, perRow)
    }
  }

  private func run<Bits: ScoreBits>(
    _ selector: TopKSelector<Bits>, _ rows: Range<Int>, _ scores: ScoreMatrix, _ labels: LabelRows,
    _ weights: RowWeights, _ state: inout MAPState, _ perRow: PerRowSink?
  ) throws {
    let base = scores.base.assumingMemoryBound(to: Bits.self)
    let policy = configuration.emptyRows
    let unweighted = weights.isNone
    let k = configuration.maxK
    for r in rows {
      let outcome = selector.select(base + r * classes)
      if outcome.nanCount > 0 {
        if configuration.nanScores == .error { throw MAPKError.nanScore(row: r, classIndex: outcome.firstNaN) }
        state.nanScores += outcome.nanCount
      }
      let n = relevantCount(row: r, labels: labels, ranking: selector.ranking, k: k)
      state.rows += 1
      if n == 0 {
        state.emptyRows += 1
        let ap: Double = policy == .zero ? 0 : .nan
        if let perRow { for j in ks.indices { perRow.base[(r - perRow.firstRow) * ks.count + j] = ap } }
        if policy == .skip { continue }
        let w = unweighted ? 1 : weights.weight(ofRow: r)
        let contribution = unweighted ? ap : w * ap
        for j in ks.indices { state.totals[j].add(contribution) }
        state.weightSum.add(w)
        continue
      }
      averagePrecisions(relevant: n)
      if let perRow { for j in ks.indices { perRow.base[(r - perRow.firstRow) * ks.count + j] = apScratch[j] } }
      let w = unweighted ? 1 : weights.weight(ofRow: r)
      for j in ks.indices { state.totals[j].add(unweighted ? apScratch[j] : w * apScratch[j]) }
      state.weightSum.add(w)
    }
  }

  /// Finds the ranks of the row's relevant labels (into `hits`, ascending,
  /// distinct) and returns `n`, the denominator's label count.
  private func relevantCount(row r: Int, labels: LabelRows, ranking: UnsafePointer<Int32>, k: Int) -> Int {
    for i in 0..<k { rankOf[Int(ranking[i])] = Int32(i + 1) }
    defer { for i in 0..<k { rankOf[Int(ranking[i])] = 0 } }
    hits.removeAll(keepingCapacity: true)
    let span = labels.range(ofRow: r)
    let c = Int64(classes)
    var n = 0
    switch labels.semantics {
    case .dense:
      // Every in-range entry counts, duplicates included; negatives and
      // labels >= C (TensorFlow's -1) count nowhere.
      for i in span {
        let v = labels.value(at: i)
        guard v >= 0 && v < c else { continue }
        n += 1
        let p = rankOf[Int(v)]
        if p > 0 { hits.append(p) }
      }
    case .sparse:
      // Distinct values count, negatives included; every label >= C becomes
      // the one value -1.
      scratchLabels.removeAll(keepingCapacity: true)
      for i in span {
        let v = labels.value(at: i)
        scratchLabels.append(v >= c ? -1 : v)
      }
      insertionSort(&scratchLabels)
      var previous: Int64? = nil
      for v in scratchLabels where v != previous {
        previous = v
        n += 1
        if v >= 0 {
          let p = rankOf[Int(v)]
          if p > 0 { hits.append(p) }
        }
      }
    }
    // A label listed twice is one hit at one rank.
    insertionSort(&hits)
    if hits.count > 1 {
      var w = 1
      for i in 1..<hits.count where hits[i] != hits[w - 1] {
        hits[w] = hits[i]
        w += 1
      }
      hits.removeLast(hits.count - w)
    }
    return n
  }

  /// AP@k for every k from the one ranking: `Σ_{hits at rank i <= k} P_i / min(n, k)`,
  /// summed in rank order as TensorFlow does.
  private func averagePrecisions(relevant n: Int) {
    var sum = 0.0
    var h = 0
    for (j, k) in ks.enumerated() {
      while h < hits.count && Int(hits[h]) <= k {
        h += 1
        sum += Double(h) / Double(hits[h - 1])
      }
      apScratch[j] = sum / Double(Swift.min(n, k))
    }
  }
}

/// Sorts a short array in place without allocating (label rows are short).
@inline(__always)
func insertionSort<T: Comparable>(_ a: inout [T]) {
  guard a.count > 1 else { return }
  if a.count > 64 {
    a.sort()
    return
  }
  for i in 1..<a.count {
    let e = a[i]
    var j = i
    while j > 0 && a[j - 1] > e {
      a[j] = a[j - 1]
      j -= 1
    }
    a[j] = e
  }
}
