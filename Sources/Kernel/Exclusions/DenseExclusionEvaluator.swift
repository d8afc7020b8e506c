/// One worker's engine for dense scores with exclusions (`--exclude`): each
/// row is ranked among its classes that are not excluded, at the dense
/// path's speed, and added to a ``MAPState``. It owns its scratch and
/// allocates nothing per row (a row longer than any before grows it); create
/// one per thread.
///
/// The value of a row is the one of the same row with its excluded columns
/// deleted (TensorFlow's order: higher score first, equal scores by the
/// lower class, NaN placed by ``NaNScorePolicy``). It is found without
/// writing the row out: for a row with e excluded classes,
///
/// 1. the labels that are excluded are dropped (they cannot be hit; they
///    still count in `n`);
/// 2. the dense SIMD top-k selector ranks the other labels among the whole
///    row for its first `k + e` positions. A label's rank in the row without
///    the excluded classes is its rank in the whole row minus the excluded
///    classes that precede it, at most e, so a label not in the first
///    `k + e` cannot be in the first k once they are removed;
/// 3. each hit's rank is lowered by the excluded classes ranked before it,
///    found for each excluded class by a binary search among the hit labels
///    in rank order: the ranks stay distinct and increasing, and those at
///    most k are the row's hits.
///
/// A row holding a NaN score is ranked by ``SparseScoreEvaluator`` instead
/// (every class but the excluded ones a candidate): an excluded NaN is then
/// neither counted nor, under the `error` policy, an error, exactly as if
/// its column were deleted. Either way the sums are exact, so the bits are
/// the same for any split of the rows.
public final class DenseExclusionEvaluator {
  /// The configuration it evaluates.
  public let configuration: MAPConfiguration
  /// The number of classes (C) of the scores it expects.
  public let classes: Int
  /// The score type it expects.
  public let scoreType: ScoreType

  private enum Selectors {
    case float16(ExclusionSelectors<UInt16>)
    case bfloat16(ExclusionSelectors<BFloat16Bits>)
    case float32(ExclusionSelectors<UInt32>)
    case float64(ExclusionSelectors<UInt64>)
  }

  private let selectors: Selectors
  /// The rows holding a NaN score.
  private let fallback: SparseScoreEvaluator
  private let maxK: Int
  /// The shared accumulation of every metric from a ranked row.
  private var accumulator: MetricAccumulator
  /// The label counts some requested metric reads beyond `n`.
  private let reads: RowCounts
  /// The row's hit ranks without the excluded classes (1-based, ascending), at most `maxK`.
  private let hits: UnsafeMutablePointer<Int32>
  /// A row's matchable labels, sorted and distinct, then those not excluded as
  /// class ids and as (key, class) entries (room for `labelCapacity` each).
  private var labels: UnsafeMutablePointer<Int64>
  private var labelIDs: UnsafeMutablePointer<Int32>
  private var labelEntries: UnsafeMutablePointer<RankEntry<Int64>>
  private var labelCapacity = 16
  /// A row's excluded classes in `0 ..< classes`, sorted and distinct (room for `excludedCapacity`).
  private var excluded: UnsafeMutablePointer<Int64>
  private var excludedCapacity = 16
  /// Per hit label (and one past them): the excluded classes ranked just before it.
  private var shifts: UnsafeMutablePointer<Int>
  private var shiftCapacity: Int

  /// Creates a worker for `[rows, classes]` scores of `scoreType`.
  ///
  /// - Throws: ``MAPKError/kAboveClasses(k:classes:)`` when a k exceeds `classes`.
  public init(configuration: MAPConfiguration, classes: Int, scoreType: ScoreType) throws {
    fallback = try SparseScoreEvaluator(configuration: configuration, width: classes, scoreType: scoreType)
    self.configuration = configuration
    self.classes = classes
    self.scoreType = scoreType
    maxK = configuration.maxK
    let policy = configuration.nanScores
    switch scoreType {
    case .float16: selectors = .float16(ExclusionSelectors(k: maxK, classes: classes, nanPolicy: policy))
    case .bfloat16: selectors = .bfloat16(ExclusionSelectors(k: maxK, classes: classes, nanPolicy: policy))
    case .float32: selectors = .float32(ExclusionSelectors(k: maxK, classes: classes, nanPolicy: policy))
    case .float64: selectors = .float64(ExclusionSelectors(k: maxK, classes: classes, nanPolicy: policy))
    }
    accumulator = MetricAccumulator(configuration: configuration)
    reads = accumulator.reads
    hits = .allocate(capacity: maxK)
    labels = .allocate(capacity: labelCapacity)
    labelIDs = .allocate(capacity: labelCapacity)
    labelEntries = .allocate(capacity: labelCapacity)
    excluded = .allocate(capacity: excludedCapacity)
    // Grown with the hits of a row (at most its labels): nothing of the size of C.
    shiftCapacity = maxK + 1
    shifts = .allocate(capacity: shiftCapacity)
  }

  deinit {
    accumulator.deallocate()
    hits.deallocate()
    labels.deallocate()
    labelIDs.deallocate()
    labelEntries.deallocate()
    excluded.deallocate()
    shifts.deallocate()
  }

  /// Evaluates `rows` of `scores` with each row's `exclusions` removed from
  /// its ranking before the top k, and adds them to `state`.
  ///
  /// - Parameters:
  ///   - rows: The rows to evaluate.
  ///   - scores: `[rows, classes]` dense scores of this engine's score type
  ///     (only the rows in `rows` are read).
  ///   - labels: The labels of the same rows.
  ///   - weights: The weights (broadcast per row).
  ///   - exclusions: The classes to remove, one row per row of labels
  ///     (values outside `0 ..< classes` exclude nothing).
  ///   - state: The accumulator to add to.
  ///   - perRow: Where to write each row's value per (metric, k), if wanted.
  /// - Throws: ``MAPKError/nanScore(row:classIndex:)`` under the `error` NaN
  ///   policy, naming the row and its first NaN that is not excluded.
  /// - Complexity: O(rows · (classes + v · m + m log m + e log e)) for m
  ///   labels and e exclusions per row, v the scores the dense selector
  ///   visits for its first `k + e`: the cost of the excluded entries, not of
  ///   another pass over C.
  public func evaluate(rows: Range<Int>, scores: ScoreMatrix, labels: LabelRows, weights: RowWeights,
                       excluding exclusions: LabelRows, into state: inout MAPState,
                       perRow: PerRowSink? = nil) throws {
    precondition(scores.classes == classes && scores.type == scoreType && scores.rows == labels.rows
                   && exclusions.rows == labels.rows && rows.lowerBound >= 0 && rows.upperBound <= scores.rows,
                 "scores do not match the evaluator")
    switch selectors {
    case .float16(let s): try run(s, rows, scores, labels, weights, exclusions, &state, perRow)
    case .bfloat16(let s): try run(s, rows, scores, labels, weights, exclusions, &state, perRow)
    case .float32(let s): try run(s, rows, scores, labels, weights, exclusions, &state, perRow)
    case .float64(let s): try run(s, rows, scores, labels, weights, exclusions, &state, perRow)
    }
  }

  private func run<Bits: RowScanning>(
    _ selectors: ExclusionSelectors<Bits>, _ rows: Range<Int>, _ scores: ScoreMatrix, _ labelRows: LabelRows,
    _ weights: RowWeights, _ exclusions: LabelRows, _ state: inout MAPState, _ perRow: PerRowSink?
  ) throws {
    let base = scores.base.assumingMemoryBound(to: Bits.self)
    // The shared accumulation, from a local copy; without weights or per-row
    // output, rows counted by outcome and added at the end of the call (the
    // same exact sums as adding each row: the same bits).
    var accumulator = self.accumulator
    let counting = weights.isNone && perRow == nil && accumulator.canCount
    defer {
      accumulator.flushUnits(into: &state)
      accumulator.flushCounts(into: &state)
      self.accumulator = accumulator
    }
    let width = classes
    let hits = self.hits
    for r in rows {
      let span = labelRows.range(ofRow: r)
      if span.count > labelCapacity { growLabels(span.count) }
      let excludedSpan = exclusions.range(ofRow: r)
      if excludedSpan.count > excludedCapacity { growExcluded(excludedSpan.count) }
      let labels = self.labels, ids = labelIDs, entries = labelEntries, excluded = self.excluded
      let e = RowExclusions.gather(row: r, exclusions: exclusions, width: width, into: excluded)
      // Labels >= C are TensorFlow's out-of-range labels (-1 in n).
      let (n, m, relevant, distinct) = RowLabels.read(row: r, labels: labelRows, classes: width,
                                                      counting: !reads.isEmpty, into: labels)
      // The labels not excluded (both lists sorted: one walk); an excluded one is never hit.
      var kept = 0, next = 0
      for i in 0..<m {
        let label = labels[i]
        while next < e && excluded[next] < label { next &+= 1 }
        if next < e && excluded[next] == label { continue }
        ids[kept] = Int32(truncatingIfNeeded: label)
        kept &+= 1
      }
      let row = base + r &* width
      let selector = selectors.selector(excluded: e)
      let outcome = selector.rankClasses(row, ids, count: kept)
      if outcome.nanCount > 0 {
        // A NaN in the row (maybe an excluded one): ranked with the excluded columns left out one by one.
        try fallback.evaluate(rows: r..<(r &+ 1), denseScores: scores, labels: labelRows, weights: weights,
                              excluding: exclusions, into: &state, perRow: perRow)
        continue
      }
      // The hits are the first h labels in rank order (a label ranked before
      // a hit is a hit), so the ascending ranks pair with them in that order.
      let h = selector.hitCount
      sortAscending(selector.hitRanks, count: h)
      var count = 0, positive = 0
      if h > 0 {
        if h >= shiftCapacity { growShifts(h + 1) }
        let shifts = self.shifts
        for i in 0..<kept {
          let c = ids[i]
          entries[i] = RankEntry(key: Int64(Bits.key(row[Int(c)])), index: c)
        }
        RankEntry.partialSort(entries, count: kept, prefix: h)
        // shifts[p]: the excluded classes ranked before hit label p but after
        // label p - 1 (TensorFlow's order is strict: classes are distinct).
        shifts.update(repeating: 0, count: h &+ 1)
        for j in 0..<e {
          let x = RankEntry(key: Int64(Bits.key(row[Int(excluded[j])])), index: Int32(truncatingIfNeeded: excluded[j]))
          var lo = 0, hi = h
          while lo < hi {
            let mid = (lo &+ hi) >> 1
            if RankEntry.precedes(x, entries[mid]) { hi = mid } else { lo = mid &+ 1 }
          }
          shifts[lo] &+= 1
        }
        var before = 0
        for i in 0..<h {
          before &+= shifts[i]
          // The rank without the excluded classes: increasing in i (between two
          // hit labels lie at least the excluded classes ranked between them).
          let rank = Int(selector.hitRanks[i]) &- before
          if rank > maxK { break }
          hits[count] = Int32(truncatingIfNeeded: rank)
          count &+= 1
          // A NaN-free row: the hits scored above 0 come first.
          positive &+= entries[i].key > 0 ? 1 : 0
        }
      }
      let ranked = RankedRow(hits: hits, count: count, n: n, relevant: relevant, distinct: distinct,
                             positiveHits: 0..<positive, discounts: accumulator.discounts)
      accumulator.accumulate(r, row: ranked, weights: weights, into: &state, perRow: perRow, counting: counting)
    }
  }

  /// Makes room for a row of `count` labels (rare: rows longer than any before).
  private func growLabels(_ count: Int) {
    labels.deallocate()
    labelIDs.deallocate()
    labelEntries.deallocate()
    labelCapacity = Swift.max(count, 2 * labelCapacity)
    labels = .allocate(capacity: labelCapacity)
    labelIDs = .allocate(capacity: labelCapacity)
    labelEntries = .allocate(capacity: labelCapacity)
  }

  /// Makes room for `count` shifts (rare: a row with more hits than any before).
  private func growShifts(_ count: Int) {
    shifts.deallocate()
    shiftCapacity = Swift.max(count, 2 * shiftCapacity)
    shifts = .allocate(capacity: shiftCapacity)
  }

  /// Makes room for a row of `count` exclusions (rare: rows longer than any before).
  private func growExcluded(_ count: Int) {
    excluded.deallocate()
    excludedCapacity = Swift.max(count, 2 * excludedCapacity)
    excluded = .allocate(capacity: excludedCapacity)
  }
}
