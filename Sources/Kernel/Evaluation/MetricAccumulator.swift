/// The per-metric accumulation every predictions kind shares: one ranked
/// row (`RankedRow`) in, each requested metric's value for every k added
/// to a ``MAPState`` under the metric's own rule for rows without labels
/// (`RankingMetric/isEmpty(_:)`) and the ``EmptyRowPolicy``, with its own
/// denominator (``MAPState/denominators``; AP@k's is the shared weight sum).
///
/// A predictions kind (dense scores, ranked ids, sparse scores) finds a
/// row's hit ranks and label counts, builds its `RankedRow` and calls
/// `accumulate(_:row:weights:into:perRow:counting:)`: everything after the
/// ranking is here, once. Each worker owns one accumulator (its scratch is
/// allocated once, nothing per row) and copies it into a local for a call's
/// row loop (the buffers are shared by the copies; only the scalars and the
/// table's bookkeeping are copied back), calling `flushUnits(into:)` at
/// the end of each call and `flushCounts(into:)` before the state is read.
///
/// Counting: rows without weights or per-row output that are not empty
/// under any metric's rule are counted by outcome (`RowOutcomeCounts`)
/// and their values added at a flush, count · value in two exact parts: the
/// same exact sums as adding each row, so the same bits for any chunk size,
/// thread count or moment of flushing. The table may outlive a call (a
/// worker's chunks share it), which is what makes counting pay: a flush costs
/// a call per metric per distinct outcome.
struct MetricAccumulator {
  /// The requested ks (ascending), the metrics, and one value per (metric,
  /// k) in ``MAPState/totals`` order, as raw buffers: the per-row loop must
  /// not touch an array's reference count.
  let ks: UnsafeMutablePointer<Int>
  let ksCount: Int
  let metrics: UnsafeMutablePointer<Metric>
  let metricCount: Int
  /// `metricCount · ksCount`: the values per row.
  let valueCount: Int
  let values: UnsafeMutablePointer<Double>
  /// A row's denominators per (metric, k): a pooled metric's own, 1 for a
  /// weighted mean's counted row.
  let rowDenominators: UnsafeMutablePointer<Double>
  /// The unweighted rows' denominators summed per (metric, k) since the last
  /// `flushUnits(into:)` (small integers: exact in a double below 2^53).
  let unitDenominators: UnsafeMutablePointer<Double>
  /// Per requested metric: pooled, and AP@k (divided by the shared weight sum).
  let pooled: UnsafeMutablePointer<Bool>
  let sharesWeightSum: UnsafeMutablePointer<Bool>
  /// `1 / log2(i + 1)` for `i` in `0...maxK` (entry 0 unused), when a metric reads them.
  let discounts: UnsafeMutablePointer<Double>?
  /// The label counts the requested metrics read beyond TensorFlow's `n`.
  let reads: RowCounts
  /// True when rows without labels are counted by TensorFlow's AP rule
  /// (`n == 0`; AP@k requested), else by the retrieval rule (no label `>= 0`).
  let emptyByAP: Bool
  /// True when every metric counts by pattern (`RankingMetric/countsByPattern`:
  /// TensorFlow's AP@k), whose empty rows are those with `n == 0`.
  let emptyOnlyByN: Bool
  let maxK: Int
  let policy: EmptyRowPolicy
  /// True when rows may be counted by outcome (every k at most `RowOutcomeCounts/maxK`).
  let canCount: Bool
  /// The rows counted by outcome and not yet added.
  var outcomes: RowOutcomeCounts
  /// Unweighted rows added to the shared weight sum since the last `flushUnits(into:)`.
  var unitWeights = 0

  init(configuration: MAPConfiguration) {
    maxK = configuration.maxK
    policy = configuration.emptyRows
    ksCount = configuration.ks.count
    ks = .allocate(capacity: ksCount)
    ks.initialize(from: configuration.ks, count: ksCount)
    metricCount = configuration.metrics.count
    metrics = .allocate(capacity: metricCount)
    metrics.initialize(from: configuration.metrics, count: metricCount)
    valueCount = metricCount * ksCount
    values = .allocate(capacity: valueCount)
    values.initialize(repeating: 0, count: valueCount)
    rowDenominators = .allocate(capacity: valueCount)
    rowDenominators.initialize(repeating: 0, count: valueCount)
    unitDenominators = .allocate(capacity: valueCount)
    unitDenominators.initialize(repeating: 0, count: valueCount)
    reads = configuration.metrics.reduce(into: RowCounts()) { $0.formUnion($1.reads) }
    emptyByAP = configuration.metrics.contains(.averagePrecision)
    emptyOnlyByN = configuration.metrics.allSatisfy(\.countsByPattern)
    pooled = .allocate(capacity: metricCount)
    pooled.initialize(from: configuration.metrics.map { $0.aggregation == .pooled }, count: metricCount)
    sharesWeightSum = .allocate(capacity: metricCount)
    sharesWeightSum.initialize(from: configuration.metrics.map(\.sharesWeightSum), count: metricCount)
    if reads.contains(.discounts) {
      let table = UnsafeMutablePointer<Double>.allocate(capacity: maxK + 1)
      table[0] = 0
      for i in 1...maxK { table[i] = NDCG.discount(i) }
      discounts = table
    } else {
      discounts = nil
    }
    canCount = maxK <= RowOutcomeCounts.maxK
    outcomes = RowOutcomeCounts(slots: canCount ? RowOutcomeCounts.capacity : 0)
  }

  /// Frees the buffers (once, by the owner, after the last use of any copy).
  func deallocate() {
    ks.deallocate()
    metrics.deallocate()
    values.deallocate()
    rowDenominators.deallocate()
    unitDenominators.deallocate()
    pooled.deallocate()
    sharesWeightSum.deallocate()
    discounts?.deallocate()
    outcomes.deallocate()
  }

  /// Adds row `r`, ranked as `ranked`, to `state`: its row count, its empty
  /// count, and every metric's value for every k (or, when `counting` and the
  /// row is empty under no metric's rule, its outcome, added at a flush).
  ///
  /// - Parameters:
  ///   - r: The row's index (for its weight and per-row output).
  ///   - ranked: The row's hit ranks (ascending) and label counts.
  ///   - weights: The weights.
  ///   - state: The accumulator to add to.
  ///   - perRow: Where to write the row's value per (metric, k), if wanted.
  ///   - counting: True to count the row by outcome when it can be (only
  ///     without weights and per-row output; the caller decides once per call).
  @inline(__always)
  mutating func accumulate(_ r: Int, row ranked: RankedRow, weights: RowWeights, into state: inout MAPState,
                           perRow: PerRowSink?, counting: Bool) {
    state.rows += 1
    if emptyByAP ? ranked.n == 0 : ranked.relevant == 0 { state.emptyRows += 1 }
    // Not empty under any metric's rule: counted by outcome, its values added at the flush.
    // When every metric counts by pattern its empty rows are those with
    // `n == 0` (`RankingMetric/countsByPattern`), so `n > 0` alone is "not
    // empty": `relevant` is then not even computed (no such metric reads
    // it; 0 on every row, it must not send the row to the direct path).
    if counting, ranked.n > 0, ranked.relevant > 0 || emptyOnlyByN,
       let key = RowOutcomeCounts.key(ranked, maxK: maxK) {
      if outcomes.isFull { flushCounts(into: &state) }
      outcomes.count(key)
      // AP@k's denominator is the shared weight sum: one per row, as on the direct path.
      unitWeights &+= emptyByAP ? 1 : 0
      return
    }
    addDirectly(r, row: ranked, weights: weights, into: &state, perRow: perRow)
  }

  /// `accumulate`'s direct path: every metric's values for the row, added
  /// (or written per row). Out of line, so the counted path above, inlined
  /// in each caller's row loop, stays small.
  @inline(never)
  mutating func addDirectly(_ r: Int, row ranked: RankedRow, weights: RowWeights, into state: inout MAPState,
                            perRow: PerRowSink?) {
    let unweighted = weights.isNone
    let w = unweighted ? 1 : weights.weight(ofRow: r)
    let policyValue: Double = policy == .zero ? 0 : .nan
    for i in 0..<metricCount {
      let first = i &* ksCount
      let outcome = metrics[i].accept(
        RowValues(row: ranked, ks: ks, ksCount: ksCount, values: values + first, denominators: rowDenominators + first))
      if outcome != .valued && policy == .skip {
        // Left out of this metric's sums (its per-row value is NaN).
        if let perRow {
          for j in first..<(first + ksCount) { perRow.base[(r - perRow.firstRow) * valueCount + j] = .nan }
          if pooled[i], let numerators = perRow.numerators, let denominators = perRow.denominators {
            for j in first..<(first + ksCount) {
              numerators[(r - perRow.firstRow) * valueCount + j] = 0
              denominators[(r - perRow.firstRow) * valueCount + j] = 0
            }
          }
        }
        continue
      }
      if outcome == .empty {
        // A weighted mean's row without labels: the policy's value, counted.
        for j in first..<(first + ksCount) {
          values[j] = policyValue
          rowDenominators[j] = 1
        }
      }
      if let perRow {
        for j in first..<(first + ksCount) {
          perRow.base[(r - perRow.firstRow) * valueCount + j] =
            pooled[i] ? values[j] / rowDenominators[j] : values[j]
        }
        // A pooled metric's parts, as its sums below add them (times the weight).
        if pooled[i], let numerators = perRow.numerators, let denominators = perRow.denominators {
          for j in first..<(first + ksCount) {
            numerators[(r - perRow.firstRow) * valueCount + j] = values[j]
            denominators[(r - perRow.firstRow) * valueCount + j] = rowDenominators[j]
          }
        }
      }
      if sharesWeightSum[i] {
        // AP@k: its denominator is the shared weight sum, once per row.
        for j in first..<(first + ksCount) { state.totals[j].add(unweighted ? values[j] : w * values[j]) }
        if unweighted { unitWeights &+= 1 } else { state.weightSum.add(w) }
      } else if unweighted {
        for j in first..<(first + ksCount) {
          state.totals[j].add(values[j])
          unitDenominators[j] += rowDenominators[j]
        }
      } else {
        for j in first..<(first + ksCount) {
          state.totals[j].add(w * values[j])
          state.denominators[j].add(w * rowDenominators[j])
        }
      }
    }
  }

  /// Adds the unweighted rows' weight count and denominators to `state` and
  /// clears them (at the end of each call: cheap, `valueCount` additions).
  mutating func flushUnits(into state: inout MAPState) {
    if unitWeights > 0 { state.weightSum.add(Double(unitWeights)) }
    unitWeights = 0
    for j in 0..<valueCount where unitDenominators[j] != 0 {
      state.denominators[j].add(unitDenominators[j])
      unitDenominators[j] = 0
    }
  }

  /// Adds the counted outcomes' values to `state` and forgets them: for each
  /// outcome and metric, the value from the same arithmetic as a single
  /// row's, times its count, added exactly (two parts of at most 27
  /// significant bits, times a count below 2^26: `RowOutcomeCounts` holds
  /// fewer rows than that); the denominators alike.
  mutating func flushCounts(into state: inout MAPState) {
    if outcomes.isEmpty { return }
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: RowOutcomeCounts.maxK) { hits in
      outcomes.drain(hits: hits.baseAddress!, discounts: discounts) { row, count in
        let c = Double(count)
        for i in 0..<metricCount {
          let first = i &* ksCount
          // Never empty here (n > 0 and relevant > 0): every metric writes its values.
          _ = metrics[i].accept(RowValues(row: row, ks: ks, ksCount: ksCount, values: values + first,
                                          denominators: rowDenominators + first))
          for j in first..<(first + ksCount) {
            let (high, low) = PatternCounts.split(values[j])
            state.totals[j].add(high * c)
            state.totals[j].add(low * c)
            if !sharesWeightSum[i] {
              let (dHigh, dLow) = PatternCounts.split(rowDenominators[j])
              state.denominators[j].add(dHigh * c)
              state.denominators[j].add(dLow * c)
            }
          }
        }
      }
    }
  }
}
