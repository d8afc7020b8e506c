/// One worker's engine: ranks rows, computes their value for every metric
/// and k and adds them to a ``MAPState``. It owns all the scratch it needs
/// and allocates nothing per row; create one per thread.
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
    case bfloat16(TopKSelector<BFloat16Bits>)
  }

  private let selector: Selector
  /// The requested ks, metrics and per-(metric, k) scratch, shared with
  /// `accumulator` (which owns them): the AP path reads them directly.
  private let ks: UnsafeMutablePointer<Int>
  private let ksCount: Int
  private let metrics: UnsafeMutablePointer<Metric>
  private let metricCount: Int
  private let valueCount: Int
  private let values: UnsafeMutablePointer<Double>
  private let rowDenominators: UnsafeMutablePointer<Double>
  /// True when every requested metric is TensorFlow's AP@k alone (or
  /// another metric with its row rules): the rows take the AP path as it
  /// was before other metrics existed, pattern counting included.
  private let apRules: Bool
  /// The label counts the requested metrics read beyond TensorFlow's `n`.
  private let reads: RowCounts
  /// The accumulation of every metric from a ranked row (the path of every
  /// other set of metrics), its outcome table kept across calls when the
  /// caller holds counts (``evaluate(rows:scores:labels:weights:into:perRow:holdingCounts:)``).
  private var accumulator: MetricAccumulator
  /// A row's label values (room for `labelCapacity`, grown for longer rows)
  /// and its distinct in-range classes.
  private var labelValues: UnsafeMutablePointer<Int64>
  private(set) var labelClasses: UnsafeMutablePointer<Int32>
  private(set) var labelCapacity = 0
  /// Rows counted per hit pattern, when the ks are small (see `PatternCounts`).
  private var patterns: PatternCounts?

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
    case .bfloat16: selector = .bfloat16(TopKSelector(k: k, classes: classes, nanPolicy: configuration.nanScores))
    }
    accumulator = MetricAccumulator(configuration: configuration)
    ks = accumulator.ks
    ksCount = accumulator.ksCount
    metrics = accumulator.metrics
    metricCount = accumulator.metricCount
    valueCount = accumulator.valueCount
    values = accumulator.values
    rowDenominators = accumulator.rowDenominators
    apRules = configuration.metrics.allSatisfy(\.countsByPattern)
    reads = accumulator.reads
    labelCapacity = 16
    // Pattern counting keys on the hits and min(n, maxK): only for metrics whose rows depend on nothing else.
    patterns = configuration.maxK <= PatternCounts.maxK && apRules ? PatternCounts(maxK: configuration.maxK) : nil
    labelValues = .allocate(capacity: labelCapacity)
    labelClasses = .allocate(capacity: labelCapacity)
  }

  deinit {
    accumulator.deallocate()
    labelValues.deallocate()
    labelClasses.deallocate()
    patterns?.counts.deallocate()
  }

  /// Evaluates `rows` and adds them to `state`.
  ///
  /// - Parameters:
  ///   - rows: The rows to evaluate (indices into `scores` and `labels`).
  ///   - scores: `[rows, classes]` scores of this evaluator's type.
  ///   - labels: The labels of the same rows.
  ///   - weights: The weights (broadcast per row).
  ///   - state: The accumulator to add to.
  ///   - perRow: Where to write each row's value per (metric, k), if wanted.
  ///   - holdingCounts: True to keep the rows counted by outcome (several
  ///     metrics, no weights, no per-row output) in this evaluator after the
  ///     call, to be added to `state` by a later call or by ``finish(into:)``:
  ///     pass the same `state` to every call and to ``finish(into:)``. The
  ///     sums are exact, so the result has the same bits; a worker's chunks
  ///     then share one table of outcomes (one flush instead of one per chunk).
  ///     False (the default): `state` holds every row on return.
  /// - Throws: ``MAPKError/nanScore(row:classIndex:)`` under the `error` NaN policy.
  /// - Complexity: O(rows · (classes + v · m)) where m is the labels per row
  ///   and v the scores a row's scan has to look at (above its lowest label
  ///   still possibly in the top k).
  public func evaluate(rows: Range<Int>, scores: ScoreMatrix, labels: LabelRows, weights: RowWeights,
                       into state: inout MAPState, perRow: PerRowSink? = nil, holdingCounts: Bool = false) throws {
    precondition(scores.classes == classes && scores.type == scoreType, "scores do not match the evaluator")
    precondition(rows.lowerBound >= 0 && rows.upperBound <= scores.rows && scores.rows == labels.rows)
    switch selector {
    case .float16(let s): try run(s, rows, scores, labels, weights, &state, perRow, holdingCounts)
    case .float32(let s): try run(s, rows, scores, labels, weights, &state, perRow, holdingCounts)
    case .float64(let s): try run(s, rows, scores, labels, weights, &state, perRow, holdingCounts)
    case .bfloat16(let s): try run(s, rows, scores, labels, weights, &state, perRow, holdingCounts)
    }
  }

  /// Adds the rows still held by outcome (calls with `holdingCounts`) to
  /// `state`, the state those calls were given.
  public func finish(into state: inout MAPState) {
    accumulator.flushCounts(into: &state)
  }

  private func run<Bits: RowScanning>(
    _ selector: TopKSelector<Bits>, _ rows: Range<Int>, _ scores: ScoreMatrix, _ labels: LabelRows,
    _ weights: RowWeights, _ state: inout MAPState, _ perRow: PerRowSink?, _ holdingCounts: Bool
  ) throws {
    let base = scores.base.assumingMemoryBound(to: Bits.self)
    let unweighted = weights.isNone
    // Without weights every counted row adds exactly 1 to the weight sum:
    // count them and add the integer once (exact below 2^53 rows).
    var unitWeights = 0
    // Without weights or per-row output, small-k rows are counted per pattern
    // and their values added once per pattern at the end.
    // (Fewer than 2^26 rows per call keep every count times value exact.)
    var patterns = self.patterns
    let counting = unweighted && perRow == nil && patterns != nil && rows.count < 1 << 26
    defer {
      if unitWeights > 0 { state.weightSum.add(Double(unitWeights)) }
      if counting {
        flush(&patterns!, into: &state)
        self.patterns = patterns
      }
    }
    // Short rows while counting patterns: runs of rows ranked straight into
    // hit patterns (`runShortRows`, its own loop: this one stays as it was).
    if counting, let short = ShortRowCounting(selector) {
      try runShortRows(short, selector, rows, base, labels, weights, &state, &patterns, &unitWeights)
      return
    }
    if !apRules {
      // Several metrics: the shared accumulation, from a local copy (a class's
      // `var` costs an exclusivity check per access); without weights or
      // per-row output, rows counted per outcome (`RowOutcomeCounts`).
      var accumulator = self.accumulator
      let countOutcomes = unweighted && perRow == nil && accumulator.canCount
      defer {
        accumulator.flushUnits(into: &state)
        if !holdingCounts { accumulator.flushCounts(into: &state) }
        self.accumulator = accumulator
      }
      for r in rows {
        try evaluateRowAllMetrics(r, selector, base, labels, weights, &state, perRow, &accumulator, countOutcomes)
      }
      return
    }
    for r in rows {
      try evaluateRow(r, selector, base, labels, weights, &state, perRow, counting, &patterns, &unitWeights)
    }
  }

  /// One row on the general path: ranks its labels, then adds its values (or
  /// counts its pattern) to `state`, under every empty-row and NaN policy.
  @inline(__always)
  func evaluateRow<Bits: RowScanning>(
    _ r: Int, _ selector: TopKSelector<Bits>, _ base: UnsafePointer<Bits>, _ labels: LabelRows,
    _ weights: RowWeights, _ state: inout MAPState, _ perRow: PerRowSink?, _ counting: Bool,
    _ patterns: inout PatternCounts?, _ unitWeights: inout Int
  ) throws {
    let policy = configuration.emptyRows
    let unweighted = weights.isNone
    let (n, m, _, _) = gatherLabels(row: r, labels: labels)
    let outcome = selector.rankClasses(base + r * classes, labelClasses, count: m)
    if outcome.nanCount > 0 {
      if configuration.nanScores == .error { throw MAPKError.nanScore(row: r, classIndex: outcome.firstNaN) }
      state.nanScores += outcome.nanCount
    }
    state.rows += 1
    if n == 0 {
      state.emptyRows += 1
      // The policy's value, for every metric (see `RankingMetric`).
      let ap: Double = policy == .zero ? 0 : .nan
      if let perRow { for j in 0..<valueCount { perRow.base[(r - perRow.firstRow) * valueCount + j] = ap } }
      if policy == .skip { return }
      let w = unweighted ? 1 : weights.weight(ofRow: r)
      let contribution = unweighted ? ap : w * ap
      for j in 0..<valueCount { state.totals[j].add(contribution) }
      if unweighted { unitWeights += 1 } else { state.weightSum.add(w) }
      return
    }
    if counting {
      patterns!.count(hits: selector.hitRanks, hitCount: selector.hitCount, relevant: n)
      unitWeights += 1
      return
    }
    sortAscending(selector.hitRanks, count: selector.hitCount)
    rowValues(hits: selector.hitRanks, count: selector.hitCount, relevant: n)
    if let perRow { for j in 0..<valueCount { perRow.base[(r - perRow.firstRow) * valueCount + j] = values[j] } }
    if unweighted {
      for j in 0..<valueCount { state.totals[j].add(values[j]) }
      unitWeights += 1
    } else {
      let w = weights.weight(ofRow: r)
      for j in 0..<valueCount { state.totals[j].add(w * values[j]) }
      state.weightSum.add(w)
    }

  }

  /// One row for any set of metrics: ranks it and hands its `RankedRow`
  /// to the shared accumulation (`MetricAccumulator`).
  @inline(__always)
  func evaluateRowAllMetrics<Bits: RowScanning>(
    _ r: Int, _ selector: TopKSelector<Bits>, _ base: UnsafePointer<Bits>, _ labels: LabelRows,
    _ weights: RowWeights, _ state: inout MAPState, _ perRow: PerRowSink?, _ accumulator: inout MetricAccumulator,
    _ counting: Bool
  ) throws {
    let (n, m, relevant, distinct) = gatherLabels(row: r, labels: labels, sets: !reads.isEmpty)
    let row = base + r * classes
    let outcome = selector.rankClasses(row, labelClasses, count: m)
    if outcome.nanCount > 0 {
      if configuration.nanScores == .error { throw MAPKError.nanScore(row: r, classIndex: outcome.firstNaN) }
      state.nanScores += outcome.nanCount
    }
    sortAscending(selector.hitRanks, count: selector.hitCount)
    let positiveHits = reads.contains(.positives) ? positiveHits(row, classes: m, hits: selector.hitCount) : 0..<0
    let ranked = RankedRow(hits: selector.hitRanks, count: selector.hitCount, n: n, relevant: relevant,
                           distinct: distinct, positiveHits: positiveHits, discounts: accumulator.discounts)
    accumulator.accumulate(r, row: ranked, weights: weights, into: &state, perRow: perRow, counting: counting)
  }

  /// The positions in the sorted hits of the hits scored above 0, from the
  /// scores of the row's `m` label classes (``labelClasses``): the ranking is
  /// descending, so the labels scored above 0 rank before the others but
  /// after the NaN labels under the `largest` policy. With u NaN labels and
  /// q labels above 0, those hits are positions `skip..<skip + min(q, ...)`,
  /// `skip` the NaN labels' hits (the first ones) under `largest`, else 0.
  /// (`-0.0` and `0.0` are not above 0, nor is a NaN.)
  ///
  /// - Complexity: O(m).
  @inline(__always)
  func positiveHits<Bits: RowScanning>(_ row: UnsafePointer<Bits>, classes m: Int, hits: Int) -> Range<Int> {
    var q = 0, u = 0
    for i in 0..<m {
      let b = row[Int(labelClasses[i])]
      // Sign bit clear, not +0, not NaN: 0 < bits <= +inf.
      q &+= b != 0 && b <= Bits.infinityMagnitude ? 1 : 0
      u &+= Bits.isNaN(b) ? 1 : 0
    }
    let skip = configuration.nanScores == .largest ? Swift.min(u, hits) : 0
    return skip..<(skip + Swift.min(q, hits - skip))
  }

  /// Row `r`'s distinct label values: those `>= 0` (trec_eval's R, labels
  /// `>= C` included) and all of them (TensorFlow recall's count, negatives
  /// and padding included), under either label semantics.
  ///
  /// - Complexity: O(L²) for L <= 16 labels, else O(L log L).
  @inline(__always)
  func labelSets(row r: Int, labels: LabelRows) -> (relevant: Int, distinct: Int) {
    let span = labels.range(ofRow: r)
    if span.count > labelCapacity { growLabels(span.count) }
    var w = 0
    @inline(__always) func read<T: FixedWidthInteger>(_ p: UnsafePointer<T>) {
      for i in span {
        labelValues[w] = Int64(p[i])
        w &+= 1
      }
    }
    switch labels.values {
    case .int64(let p): read(p)
    case .int32(let p): read(p)
    }
    let distinct = self.distinct(w)
    var relevant = 0
    for i in 0..<distinct { relevant &+= labelValues[i] >= 0 ? 1 : 0 }
    return (relevant, distinct)
  }

  /// Reads row `r`'s labels: returns `n`, the denominator's label count,
  /// `m`, the number of distinct in-range classes written to `labelClasses`
  /// (a label listed twice is one class, hit at one rank), and with `sets`
  /// the counts of `labelSets(row:labels:)` (else 0), found in the same
  /// pass over the labels on the common dense layout.
  @inline(__always)
  func gatherLabels(row r: Int, labels: LabelRows, sets: Bool = false)
    -> (n: Int, m: Int, relevant: Int, distinct: Int) {
    let span = labels.range(ofRow: r)
    if span.count > labelCapacity { growLabels(span.count) }
    let c = Int64(classes)
    let dense = labels.semantics == .dense
    if dense, case .uniform(let width) = labels.offsets, width <= 16 {
      // The common dense layout: every row has the same few slots, so loops
      // over all slots (with results kept by arithmetic, not branches) run
      // the same way on every row and the branch predictor is never wrong.
      let values = labelValues, classIDs = labelClasses
      if classes <= 64 && !sets {
        // Few classes: the classes seen so far as a bit set, no inner loop.
        @inline(__always) func read<T: FixedWidthInteger>(_ p: UnsafePointer<T>) -> (Int, Int, Int, Int) {
          var n = 0, m = 0
          var seen: UInt64 = 0
          for i in 0..<width {
            let v = Int64(p[span.lowerBound &+ i])
            let valid = UInt64(bitPattern: v) < UInt64(c)
            // &<< shifts by v mod 64; the bit of an invalid label is dropped.
            let bit = (1 as UInt64) &<< UInt64(truncatingIfNeeded: v) & (valid ? ~0 : 0)
            n &+= valid ? 1 : 0
            classIDs[m] = Int32(truncatingIfNeeded: v)
            m &+= bit & ~seen != 0 ? 1 : 0
            seen |= bit
          }
          return (n, m, 0, 0)
        }
        switch labels.values {
        case .int64(let p): return read(p)
        case .int32(let p): return read(p)
        }
      }
      @inline(__always) func read<T: FixedWidthInteger>(_ p: UnsafePointer<T>) -> (Int, Int, Int, Int) {
        var n = 0, m = 0, relevant = 0, distinct = 0
        for i in 0..<width {
          let v = Int64(p[span.lowerBound &+ i])
          values[i] = v
          // In range: counts in n (duplicates too), and is a class unless seen before.
          let valid = UInt64(bitPattern: v) < UInt64(c) ? 1 : 0
          var seen = 0
          for j in 0..<i { seen |= values[j] == v ? 1 : 0 }
          n &+= valid
          classIDs[m] = Int32(truncatingIfNeeded: v)
          m &+= valid & (seen ^ 1)
          // `labelSets(row:labels:)`'s counts: first copies of any value, and of those `>= 0`.
          distinct &+= seen ^ 1
          relevant &+= (v >= 0 ? 1 : 0) & (seen ^ 1)
        }
        return (n, m, relevant, distinct)
      }
      switch labels.values {
      case .int64(let p): return read(p)
      case .int32(let p): return read(p)
      }
    }
    // Any other layout: the counts first (`labelSets` uses the same scratch).
    let (relevant, distinctValues) = sets ? labelSets(row: r, labels: labels) : (0, 0)
    var w = 0
    @inline(__always) func read<T: FixedWidthInteger>(_ p: UnsafePointer<T>) {
      for i in span {
        let v = Int64(p[i])
        if dense {
          // Every in-range entry counts, duplicates included; negatives and
          // labels >= C (TensorFlow's -1) count nowhere. (Kept without a branch.)
          labelValues[w] = v
          w &+= UInt64(bitPattern: v) < UInt64(c) ? 1 : 0
        } else {
          // Distinct values count, negatives included; every label >= C
          // becomes the one value -1.
          labelValues[w] = v >= c ? -1 : v
          w &+= 1
        }
      }
    }
    switch labels.values {
    case .int64(let p): read(p)
    case .int32(let p): read(p)
    }
    // Dense: n counts the in-range entries, duplicates included. Sparse: n
    // counts the distinct values (negatives included).
    let n: Int
    if dense {
      n = w
      w = distinct(w)
    } else {
      w = distinct(w)
      n = w
    }
    var m = 0
    for i in 0..<w {
      labelClasses[m] = Int32(truncatingIfNeeded: labelValues[i])
      m &+= labelValues[i] >= 0 ? 1 : 0
    }
    return (n, m, relevant, distinctValues)
  }

  /// Removes repeated values from `labelValues[0..<count]`; returns how many stay.
  @inline(__always)
  private func distinct(_ count: Int) -> Int {
    if count <= 16 {
      // Few labels: compare each with all before it (the values at positions
      // below i, kept or not yet overwritten, are exactly the first i values).
      var kept = 0
      for i in 0..<count {
        let v = labelValues[i]
        var seen = false
        for j in 0..<i { seen = seen || labelValues[j] == v }
        labelValues[kept] = v
        kept &+= seen ? 0 : 1
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

  /// Adds the counted patterns' values to `state` and forgets them: for each
  /// pattern and metric, the value from the same arithmetic as a single
  /// row's (``rowValues(hits:count:relevant:)``), times its count, added exactly.
  private func flush(_ counts: inout PatternCounts, into state: inout MAPState) {
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: PatternCounts.maxK) { hits in
      for p in counts.used {
        let count = counts.counts[p]
        counts.counts[p] = 0
        let (mask, n) = PatternCounts.decode(p)
        var h = 0
        for rank in 0..<PatternCounts.maxK where mask & (1 << rank) != 0 {
          hits[h] = Int32(rank + 1)
          h += 1
        }
        rowValues(hits: hits.baseAddress!, count: h, relevant: n)
        for j in 0..<valueCount {
          let (high, low) = PatternCounts.split(values[j])
          // Exact: each part has at most 27 significant bits and count < 2^26.
          state.totals[j].add(high * Double(count))
          state.totals[j].add(low * Double(count))
        }
      }
    }
    counts.used.removeAll(keepingCapacity: true)
  }

  /// Every metric's values for every k from the one ranking, into `values`
  /// (``MAPState/totals`` order). `hits` are the ascending ranks found.
  ///
  /// The metrics are read from a raw buffer and opened by ``Metric/accept(_:)``,
  /// a switch whose arms call each implementation statically: with AP alone
  /// this is one loop trip and a direct, inlined call (no dynamic dispatch,
  /// no array access per row).
  @inline(__always)
  private func rowValues(hits: UnsafePointer<Int32>, count: Int, relevant n: Int) {
    for i in 0..<metricCount {
      metrics[i].accept(APRowValues(hits: hits, count: count, relevant: n, ks: ks, ksCount: ksCount,
                                    values: values + i &* ksCount, denominators: rowDenominators + i &* ksCount))
    }
  }
}

/// What a metric made of a row (``RowValues``).
enum RowOutcome {
  /// Values (and denominators) written.
  case valued
  /// A weighted mean's row without labels: nothing written, the policy decides.
  case empty
  /// A pooled metric's row without labels: its sums written (TensorFlow
  /// counts them), left out only under the skip policy.
  case emptyPooled
}

/// A row's values for one metric under its rule for rows without labels,
/// as a ``MetricVisitor`` (a static, specialized call).
struct RowValues: MetricVisitor {
  let row: RankedRow
  let ks: UnsafePointer<Int>
  let ksCount: Int
  let values: UnsafeMutablePointer<Double>
  let denominators: UnsafeMutablePointer<Double>

  @inline(__always)
  func visit<M: RankingMetric>(_ metric: M.Type) -> RowOutcome {
    let empty = M.isEmpty(row)
    if empty && M.aggregation == .weightedMean { return .empty }
    // A weighted mean's row counts once in its denominator, at every k.
    if M.aggregation == .weightedMean { for j in 0..<ksCount { denominators[j] = 1 } }
    M.rowValues(row, ks: ks, ksCount: ksCount, into: values, denominators: denominators)
    return empty ? .emptyPooled : .valued
  }
}

/// A row's values for one metric on the AP path, as a ``MetricVisitor`` (a
/// struct of the arguments, so the visit is a static, specialized call).
private struct APRowValues: MetricVisitor {
  let hits: UnsafePointer<Int32>
  let count: Int
  let relevant: Int
  let ks: UnsafePointer<Int>
  let ksCount: Int
  let values: UnsafeMutablePointer<Double>

  let denominators: UnsafeMutablePointer<Double>

  @inline(__always)
  func visit<M: RankingMetric>(_ metric: M.Type) {
    M.rowValues(RankedRow(hits: hits, count: count, n: relevant, relevant: 0, distinct: 0, positiveHits: 0..<0,
                          discounts: nil),
                ks: ks, ksCount: ksCount, into: values, denominators: denominators)
  }
}
