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
  /// The requested ks (ascending) and one AP per k, as raw buffers: the
  /// per-row loop must not touch an array's reference count.
  private let ks: UnsafeMutablePointer<Int>
  private let ksCount: Int
  private let ap: UnsafeMutablePointer<Double>
  /// A row's label values (room for `labelCapacity`, grown for longer rows)
  /// and its distinct in-range classes.
  private var labelValues: UnsafeMutablePointer<Int64>
  private var labelClasses: UnsafeMutablePointer<Int32>
  private var labelCapacity = 0

  /// Creates a worker for scores of `type` with `classes` classes.
  ///
  /// - Throws: ``MAPKError/kAboveClasses(k:classes:)`` when a k exceeds `classes`.
  public init(configuration: MAPConfiguration, classes: Int, scoreType: ScoreType) throws {
    try configuration.validate(classes: classes)
    self.configuration = configuration
    self.classes = classes
    self.scoreType = scoreType
    let k = configuration.maxK
    switch scoreType {
    case .float16: selector = .float16(TopKSelector(k: k, classes: classes, nanPolicy: configuration.nanScores))
    case .float32: selector = .float32(TopKSelector(k: k, classes: classes, nanPolicy: configuration.nanScores))
    case .float64: selector = .float64(TopKSelector(k: k, classes: classes, nanPolicy: configuration.nanScores))
    }
    ksCount = configuration.ks.count
    ks = .allocate(capacity: ksCount)
    ks.initialize(from: configuration.ks, count: ksCount)
    ap = .allocate(capacity: ksCount)
    ap.initialize(repeating: 0, count: ksCount)
    labelCapacity = 16
    labelValues = .allocate(capacity: labelCapacity)
    labelClasses = .allocate(capacity: labelCapacity)
  }

  deinit {
    ks.deallocate()
    ap.deallocate()
    labelValues.deallocate()
    labelClasses.deallocate()
  }

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
  /// - Complexity: O(rows · (classes + v · m)) where m is the labels per row
  ///   and v the scores a row's scan has to look at (above its lowest label
  ///   still possibly in the top k).
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

  private func run<Bits: RowScanning>(
    _ selector: TopKSelector<Bits>, _ rows: Range<Int>, _ scores: ScoreMatrix, _ labels: LabelRows,
    _ weights: RowWeights, _ state: inout MAPState, _ perRow: PerRowSink?
  ) throws {
    let base = scores.base.assumingMemoryBound(to: Bits.self)
    let policy = configuration.emptyRows
    let unweighted = weights.isNone
    // Without weights every counted row adds exactly 1 to the weight sum:
    // count them and add the integer once (exact below 2^53 rows).
    var unitWeights = 0
    defer { if unitWeights > 0 { state.weightSum.add(Double(unitWeights)) } }
    for r in rows {
      let (n, m) = gatherLabels(row: r, labels: labels)
      let outcome = selector.rankClasses(base + r * classes, labelClasses, count: m)
      if outcome.nanCount > 0 {
        if configuration.nanScores == .error { throw MAPKError.nanScore(row: r, classIndex: outcome.firstNaN) }
        state.nanScores += outcome.nanCount
      }
      state.rows += 1
      if n == 0 {
        state.emptyRows += 1
        let ap: Double = policy == .zero ? 0 : .nan
        if let perRow { for j in 0..<ksCount { perRow.base[(r - perRow.firstRow) * ksCount + j] = ap } }
        if policy == .skip { continue }
        let w = unweighted ? 1 : weights.weight(ofRow: r)
        let contribution = unweighted ? ap : w * ap
        for j in 0..<ksCount { state.totals[j].add(contribution) }
        if unweighted { unitWeights += 1 } else { state.weightSum.add(w) }
        continue
      }
      averagePrecisions(hits: selector.hitRanks, count: selector.hitCount, relevant: n)
      if let perRow { for j in 0..<ksCount { perRow.base[(r - perRow.firstRow) * ksCount + j] = ap[j] } }
      if unweighted {
        for j in 0..<ksCount { state.totals[j].add(ap[j]) }
        unitWeights += 1
      } else {
        let w = weights.weight(ofRow: r)
        for j in 0..<ksCount { state.totals[j].add(w * ap[j]) }
        state.weightSum.add(w)
      }
    }
  }

  /// Reads row `r`'s labels: returns `n`, the denominator's label count, and
  /// `m`, the number of distinct in-range classes written to `labelClasses`
  /// (a label listed twice is one class, hit at one rank).
  @inline(__always)
  private func gatherLabels(row r: Int, labels: LabelRows) -> (n: Int, m: Int) {
    let span = labels.range(ofRow: r)
    if span.count > labelCapacity { growLabels(span.count) }
    let c = Int64(classes)
    var w = 0
    var n = 0
    switch labels.semantics {
    case .dense:
      // Every in-range entry counts, duplicates included; negatives and
      // labels >= C (TensorFlow's -1) count nowhere.
      for i in span {
        let v = labels.value(at: i)
        guard v >= 0 && v < c else { continue }
        labelValues[w] = v
        w += 1
      }
      n = w
      w = distinct(w)
    case .sparse:
      // Distinct values count, negatives included; every label >= C becomes
      // the one value -1.
      for i in span {
        let v = labels.value(at: i)
        labelValues[w] = v >= c ? -1 : v
        w += 1
      }
      w = distinct(w)
      n = w
    }
    var m = 0
    for i in 0..<w where labelValues[i] >= 0 {
      labelClasses[m] = Int32(truncatingIfNeeded: labelValues[i])
      m += 1
    }
    return (n, m)
  }

  /// Removes repeated values from `labelValues[0..<count]`; returns how many stay.
  @inline(__always)
  private func distinct(_ count: Int) -> Int {
    if count <= 16 {
      // Few labels: compare each with the ones kept so far.
      var kept = 0
      outer: for i in 0..<count {
        let v = labelValues[i]
        for j in 0..<kept where labelValues[j] == v { continue outer }
        labelValues[kept] = v
        kept += 1
      }
      return kept
    }
    var values = UnsafeMutableBufferPointer(start: labelValues, count: count)
    values.sort()
    var kept = 1
    for i in 1..<count where labelValues[i] != labelValues[kept - 1] {
      labelValues[kept] = labelValues[i]
      kept += 1
    }
    return kept
  }

  /// Makes room for a row of `count` labels (rare: rows longer than any before).
  private func growLabels(_ count: Int) {
    labelValues.deallocate()
    labelClasses.deallocate()
    labelCapacity = Swift.max(count, 2 * labelCapacity)
    labelValues = .allocate(capacity: labelCapacity)
    labelClasses = .allocate(capacity: labelCapacity)
  }

  /// AP@k for every k from the one ranking: `Σ_{hits at rank i <= k} P_i / min(n, k)`,
  /// summed in rank order as TensorFlow does. `hits` are the ascending ranks found.
  @inline(__always)
  private func averagePrecisions(hits: UnsafePointer<Int32>, count: Int, relevant n: Int) {
    var sum = 0.0
    var h = 0
    for j in 0..<ksCount {
      let k = ks[j]
      while h < count && Int(hits[h]) <= k {
        h += 1
        sum += Double(h) / Double(hits[h - 1])
      }
      ap[j] = sum / Double(Swift.min(n, k))
    }
  }
}
