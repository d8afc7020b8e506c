/// One worker's engine for sparse scores (``SparseScores``): ranks each
/// row's stored entries, finds the hits among the first `maxK`, computes
/// every metric's value for every k from them (the same `RankingMetric` seam
/// as for dense scores) and adds the row to a ``MAPState``. It owns its
/// scratch and allocates nothing per row (a row storing more entries than any
/// before grows it); create one per thread.
///
/// The ranking is TensorFlow's `top_k` restricted to the stored entries:
/// higher score first, equal scores by the lower column (the same
/// order-preserving keys as for dense scores, so `-0.0` ties `0.0`), NaN
/// placed by ``NaNScorePolicy`` among the stored entries. A column not
/// stored is never retrieved: a row storing fewer than k entries has empty
/// positions after them, which are never hits. So on a row storing at least
/// k entries the value is the dense one for the same row with every missing
/// entry scored below every stored score. The labels follow the dense-score
/// rules with the matrix width as C (labels `>= width` are TensorFlow's
/// out-of-range labels).
///
/// A row of few labels against its stored entries is not sorted: a label stored in the row
/// is a hit at rank 1 + the number of stored entries that beat it (a larger
/// key, or an equal key and a lower column) when that is at most k, which
/// one branch-free pass over the entries counts per label. That is the rank
/// the sort gives, since no two entries of a row share a column
/// (``SparseScores`` refuses a repeated one). Rows of more labels, and dense
/// rows, are partially sorted.
///
/// With exclusions (`--exclude`), each row's excluded classes are no
/// candidates: they take no position, so the classes below them move up. A
/// label that is excluded can then never be hit, and still counts in `n`.
/// Dense scores with exclusions can be ranked here too, every class of the
/// row a candidate but the excluded ones (``DenseExclusionEvaluator`` does
/// so for its rows holding a NaN, and ranks the others faster).
public final class SparseScoreEvaluator {
  /// The configuration it evaluates.
  public let configuration: MAPConfiguration
  /// The width (C) of the matrices it evaluates.
  public let width: Int
  /// The score type it expects.
  public let scoreType: ScoreType

  private let maxK: Int
  /// The accumulation of every metric from a ranked row, shared with the
  /// dense-scores and ranked-ids paths (`MetricAccumulator`).
  private var accumulator: MetricAccumulator
  /// The label counts some requested metric reads beyond `n`.
  private let reads: RowCounts
  /// The row's hit ranks (1-based, ascending), at most `maxK`.
  private let hits: UnsafeMutablePointer<Int32>
  /// A row's matchable labels, sorted and distinct (room for `labelCapacity`).
  private var labels: UnsafeMutablePointer<Int64>
  private var labelCapacity = 16
  /// A row's stored entries as (key, column), room for `entryCapacity`.
  private var entries: UnsafeMutablePointer<RankEntry<Int64>>
  private var entryCapacity = 64
  /// The counting path's candidates: their keys (64-bit scores), or their
  /// keys narrowed to 32 bits (16- and 32-bit scores), and their columns,
  /// room for `entryCapacity` each.
  private var keys: UnsafeMutablePointer<Int64>
  private var narrowKeys: UnsafeMutablePointer<Int32>
  private var columns: UnsafeMutablePointer<Int32>
  /// A row's excluded classes in `0 ..< width`, sorted and distinct (room for `excludedCapacity`).
  private var excluded: UnsafeMutablePointer<Int64>
  private var excludedCapacity = 16

  /// Creates a worker for matrices of `width` columns of `scoreType` scores.
  ///
  /// - Throws: ``MAPKError/kAboveClasses(k:classes:)`` when a k exceeds `width`.
  public init(configuration: MAPConfiguration, width: Int, scoreType: ScoreType) throws {
    try configuration.validate(classes: width)
    self.configuration = configuration
    self.width = width
    self.scoreType = scoreType
    maxK = configuration.maxK
    accumulator = MetricAccumulator(configuration: configuration)
    reads = accumulator.reads
    hits = .allocate(capacity: maxK)
    labels = .allocate(capacity: labelCapacity)
    entries = .allocate(capacity: entryCapacity)
    keys = .allocate(capacity: entryCapacity)
    narrowKeys = .allocate(capacity: entryCapacity)
    columns = .allocate(capacity: entryCapacity)
    excluded = .allocate(capacity: excludedCapacity)
  }

  deinit {
    accumulator.deallocate()
    hits.deallocate()
    labels.deallocate()
    entries.deallocate()
    keys.deallocate()
    narrowKeys.deallocate()
    columns.deallocate()
    excluded.deallocate()
  }

  /// Evaluates `rows` of `scores` and adds them to `state`.
  ///
  /// - Parameters:
  ///   - rows: The rows to evaluate.
  ///   - scores: The sparse scores, of this engine's width and score type.
  ///   - labels: The labels of the same rows.
  ///   - weights: The weights (broadcast per row).
  ///   - state: The accumulator to add to.
  ///   - perRow: Where to write each row's value per (metric, k), if wanted.
  ///   - exclusions: Classes to take out of each row's ranking (`--exclude`): they
  ///     occupy no position, later stored entries move up; nil for none.
  /// - Throws: ``MAPKError/nanScore(row:classIndex:)`` under the `error` NaN
  ///   policy, naming the row and the column of its first stored NaN.
  /// - Complexity: O(rows · min(s · m, s + k log k) + m log m) for s stored
  ///   entries and m labels per row.
  public func evaluate(rows: Range<Int>, scores: SparseScores, labels: LabelRows, weights: RowWeights,
                       excluding exclusions: LabelRows? = nil, into state: inout MAPState,
                       perRow: PerRowSink? = nil) throws {
    precondition(scores.width == width && scores.scoreType == scoreType && scores.rows == labels.rows
                   && rows.lowerBound >= 0 && rows.upperBound <= scores.rows, "scores do not match the evaluator")
    precondition(exclusions.map { $0.rows == labels.rows } ?? true, "exclusions do not match the labels")
    switch scoreType {
    case .float16: try run(scores.values.assumingMemoryBound(to: UInt16.self), scores, rows, labels, weights, exclusions, &state, perRow)
    case .float32: try run(scores.values.assumingMemoryBound(to: UInt32.self), scores, rows, labels, weights, exclusions, &state, perRow)
    case .float64: try run(scores.values.assumingMemoryBound(to: UInt64.self), scores, rows, labels, weights, exclusions, &state, perRow)
    case .bfloat16: try run(scores.values.assumingMemoryBound(to: BFloat16Bits.self), scores, rows, labels, weights, exclusions, &state, perRow)
    }
  }

  /// Evaluates `rows` of dense `scores` with each row's `exclusions` removed
  /// from its ranking before the top k: every class of the row is a
  /// candidate except the excluded ones (values in `0 ..< width`; others are
  /// ignored), so the classes below an excluded one move up.
  ///
  /// - Parameters:
  ///   - rows: The rows to evaluate.
  ///   - scores: `[rows, width]` dense scores of this engine's score type.
  ///   - labels: The labels of the same rows.
  ///   - weights: The weights (broadcast per row).
  ///   - exclusions: The classes to remove, one row per row of labels.
  ///   - state: The accumulator to add to.
  ///   - perRow: Where to write each row's value per (metric, k), if wanted.
  /// - Throws: ``MAPKError/nanScore(row:classIndex:)`` under the `error` NaN policy.
  /// - Complexity: O(rows · (width + k log k + m log m + e log e)) for m labels and e exclusions per row.
  public func evaluate(rows: Range<Int>, denseScores scores: ScoreMatrix, labels: LabelRows, weights: RowWeights,
                       excluding exclusions: LabelRows, into state: inout MAPState,
                       perRow: PerRowSink? = nil) throws {
    precondition(scores.classes == width && scores.type == scoreType && scores.rows == labels.rows
                   && exclusions.rows == labels.rows && rows.lowerBound >= 0 && rows.upperBound <= scores.rows,
                 "scores do not match the evaluator")
    switch scoreType {
    case .float16: try runDense(scores.base.assumingMemoryBound(to: UInt16.self), rows, labels, weights, exclusions, &state, perRow)
    case .float32: try runDense(scores.base.assumingMemoryBound(to: UInt32.self), rows, labels, weights, exclusions, &state, perRow)
    case .float64: try runDense(scores.base.assumingMemoryBound(to: UInt64.self), rows, labels, weights, exclusions, &state, perRow)
    case .bfloat16: try runDense(scores.base.assumingMemoryBound(to: BFloat16Bits.self), rows, labels, weights, exclusions, &state, perRow)
    }
  }

  /// The sparse row loop. A row whose labels are few against its stored
  /// entries (`counts(labels:stored:ranked:narrow:)`) is ranked by counting: one pass converts the
  /// stored entries (never an excluded one) to keys, then each label found
  /// among them gets its rank from one branch-free pass counting the
  /// entries that beat it; no sort. Other rows take the sorting path that
  /// dense rows with exclusions take (`rank`): both give the same hits, so
  /// the choice changes no bit.
  @inline(__always)
  private func run<Bits: ScoreBits>(
    _ data: UnsafePointer<Bits>, _ scores: SparseScores, _ rows: Range<Int>, _ labelRows: LabelRows,
    _ weights: RowWeights, _ exclusions: LabelRows?, _ state: inout MAPState, _ perRow: PerRowSink?
  ) throws {
    var accumulator = self.accumulator
    let counting = weights.isNone && perRow == nil && accumulator.canCount
    defer {
      accumulator.flushUnits(into: &state)
      accumulator.flushCounts(into: &state)
      self.accumulator = accumulator
    }
    let nanPolicy = configuration.nanScores
    // Keys of 32 bits or fewer are counted as Int32 (4 lanes of a 128-bit
    // compare, which x86-64's baseline has for 32-bit lanes, not 64-bit).
    let narrow = Bits.Key.bitWidth <= 32
    // A NaN's key: one value for every payload, so NaNs tie and the lower
    // column wins. Non-NaN keys lie within `±infinityKey`, so `Int32.max`
    // and `.min` (narrow) and `Int64.max` and `.min` lie beyond every one.
    let nanKey: Int64 = narrow ? (nanPolicy == .largest ? Int64(Int32.max) : Int64(Int32.min))
                               : (nanPolicy == .largest ? .max : .min)
    let ascending = scores.columnsAscend
    let hits = self.hits, maxK = self.maxK
    for r in rows {
      let e = exclusions.map { gatherExclusions(row: r, exclusions: $0) } ?? 0
      let span = labelRows.range(ofRow: r)
      if span.count > labelCapacity { growLabels(span.count) }
      // Labels >= width are TensorFlow's out-of-range labels (-1 in n).
      let (n, m, relevant, distinct) = RowLabels.read(row: r, labels: labelRows, classes: width,
                                                      counting: !reads.isEmpty, into: self.labels)
      let labels = self.labels, excluded = self.excluded
      let lower = Int(scores.offsets[r]), most = scores.storedCount(ofRow: r)
      if most > entryCapacity { growEntries(most) }
      var hitCount = 0, nanHits = 0, positiveHits = 0, nanCount = 0
      if Self.counts(labels: m, stored: most, ranked: Swift.min(most, maxK), narrow: narrow) {
        let keys = self.keys, narrowKeys = self.narrowKeys, columns = self.columns
        // The conversion pass, branch-free but for exclusions: the NaNs are
        // counted, and under `error` the first one in stored order (the one
        // the sorting path reports: the same order, the same skipped
        // columns) is looked for afterwards.
        @inline(__always) func convert<C: FixedWidthInteger>(_ indices: UnsafePointer<C>) -> Int {
          let indices = indices + lower, values = data + lower
          @inline(__always) func write(_ j: Int, to w: Int) {
            let bits = values[j], nan = Bits.isNaN(bits)
            let c = Int32(truncatingIfNeeded: indices[j])
            let key = nan ? nanKey : Int64(Bits.key(bits))
            nanCount &+= nan ? 1 : 0
            if narrow { narrowKeys[w] = Int32(truncatingIfNeeded: key) } else { keys[w] = key }
            columns[w] = c
          }
          if e == 0 {
            for j in 0..<most { write(j, to: j) }
            return most
          }
          var count = 0
          // An excluded column is no candidate: it takes no position.
          for j in 0..<most where !Self.contains(Int64(indices[j]), excluded, count: e) {
            write(j, to: count)
            count &+= 1
          }
          return count
        }
        let stored: Int
        switch scores.columns {
        case .int32(let p): stored = convert(p)
        case .int64(let p): stored = convert(p)
        }
        if nanCount > 0 && nanPolicy == .error {
          // A NaN's key is `nanKey`, no score's: the candidates keep the stored order.
          for j in 0..<stored where (narrow ? Int64(narrowKeys[j]) : keys[j]) == nanKey {
            throw MAPKError.nanScore(row: r, classIndex: Int(columns[j]))
          }
        }
        for l in 0..<m {
          // A label not stored (or excluded) is never retrieved.
          guard let p = Self.position(of: labels[l], columns, count: stored, ascending: ascending) else { continue }
          let column = columns[p]
          // The entries that beat the label: a larger key, or the same key
          // and a lower column (columns are distinct in a row: `SparseScores`
          // refuses a repeated one, so no entry but the label's own ties it).
          var beaten = 0
          let key: Int64
          if narrow {
            let target = narrowKeys[p]
            var count: Int32 = 0
            for j in 0..<stored {
              let k = narrowKeys[j]
              count &+= (k > target ? 1 : 0) | ((k == target ? 1 : 0) & (columns[j] < column ? 1 : 0))
            }
            beaten = Int(count)
            key = Int64(target)
          } else {
            let target = keys[p]
            for j in 0..<stored {
              let k = keys[j]
              beaten &+= (k > target ? 1 : 0) | ((k == target ? 1 : 0) & (columns[j] < column ? 1 : 0))
            }
            key = target
          }
          // Rank 1 + beaten, within the first min(stored, k) positions (beaten < stored always).
          guard beaten < maxK else { continue }
          hits[hitCount] = Int32(truncatingIfNeeded: beaten &+ 1)
          hitCount &+= 1
          nanHits &+= key == nanKey ? 1 : 0
          positiveHits &+= key > 0 && key != nanKey ? 1 : 0
        }
        // The labels ascend by column, the metrics read the ranks ascending.
        sortAscending(hits, count: hitCount)
      } else {
        let entries = self.entries
        var stored = 0
        for j in 0..<most {
          let i = lower &+ j
          let column = scores.columns[i]
          if e > 0 && Self.contains(column, excluded, count: e) { continue }
          let bits = data[i]
          if Bits.isNaN(bits) {
            if nanPolicy == .error { throw MAPKError.nanScore(row: r, classIndex: Int(column)) }
            nanCount &+= 1
            entries[stored] = RankEntry(key: nanPolicy == .largest ? .max : .min,
                                        index: Int32(truncatingIfNeeded: column))
          } else {
            entries[stored] = RankEntry(key: Int64(Bits.key(bits)), index: Int32(truncatingIfNeeded: column))
          }
          stored &+= 1
        }
        (hitCount, nanHits, positiveHits) = Self.sortedHits(entries, count: stored, maxK: maxK, labels: labels, m: m,
                                                            nanKey: nanPolicy == .largest ? .max : .min, into: hits)
      }
      state.nanScores += nanCount
      // Ranked NaN hits come first under `largest` (then the hits above 0), last under `lowest`.
      let skip = nanPolicy == .largest ? nanHits : 0
      let row = RankedRow(hits: hits, count: hitCount, n: n, relevant: relevant, distinct: distinct,
                          positiveHits: skip..<(skip &+ positiveHits), discounts: accumulator.discounts)
      accumulator.accumulate(r, row: row, weights: weights, into: &state, perRow: perRow, counting: counting)
    }
  }

  /// True when counting ranks a row of `m` labels and `s` stored entries
  /// (`r` = min(s, k) positions) in fewer instructions than sorting: each
  /// label costs one pass over the entries, about 5 s instructions
  /// vectorised (16- and 32-bit scores), 10 s not (float64: x86-64's baseline
  /// has no 64-bit lane compare); the sort about 50 s + 18 r log2 r.
  /// Measured with callgrind on s = 100, k = 10 and 100, m = 3 to 40
  /// (docs/performance.md). Either path gives the same hits.
  @inline(__always)
  static func counts(labels m: Int, stored s: Int, ranked r: Int, narrow: Bool) -> Bool {
    let sorting = 10 &* s &+ 3 &* r &* (Int.bitWidth &- r.leadingZeroBitCount)
    return (narrow ? m : 2 &* m) &* s <= sorting
  }

  /// The position of `label` among the `count` candidate columns, if there:
  /// a binary search when they ascend, else a scan.
  @inline(__always)
  private static func position(of label: Int64, _ columns: UnsafeMutablePointer<Int32>, count: Int,
                               ascending: Bool) -> Int? {
    if ascending {
      var lo = 0, hi = count
      while lo < hi {
        let mid = (lo &+ hi) >> 1
        if Int64(columns[mid]) < label { lo = mid &+ 1 } else { hi = mid }
      }
      return lo < count && Int64(columns[lo]) == label ? lo : nil
    }
    for j in 0..<count where Int64(columns[j]) == label { return j }
    return nil
  }

  /// The sorting path's hits: orders the first min(count, k) of `count`
  /// candidates and writes the ranks of the labels among them to `hits`;
  /// returns how many, and how many of them are NaN and above 0.
  @inline(__always)
  private static func sortedHits(_ entries: UnsafeMutablePointer<RankEntry<Int64>>, count stored: Int, maxK: Int,
                                 labels: UnsafeMutablePointer<Int64>, m: Int, nanKey: Int64,
                                 into hits: UnsafeMutablePointer<Int32>) -> (Int, Int, Int) {
    // Only the first min(stored, k) positions hold candidates; the rest are empty.
    let ranked = Swift.min(stored, maxK)
    RankEntry.partialSort(entries, count: stored, prefix: ranked)
    var hitCount = 0, nanHits = 0, positiveHits = 0
    if m > 0 {
      for i in 0..<ranked where Self.contains(Int64(entries[i].index), labels, count: m) {
        let key = entries[i].key
        hits[hitCount] = Int32(truncatingIfNeeded: i &+ 1)
        hitCount &+= 1
        // Above 0: a positive key that is no NaN's (`Int64.max` is no score's key).
        nanHits &+= key == nanKey ? 1 : 0
        positiveHits &+= key > 0 && key != nanKey ? 1 : 0
      }
    }
    return (hitCount, nanHits, positiveHits)
  }

  @inline(__always)
  private func runDense<Bits: ScoreBits>(
    _ base: UnsafePointer<Bits>, _ rows: Range<Int>, _ labelRows: LabelRows, _ weights: RowWeights,
    _ exclusions: LabelRows, _ state: inout MAPState, _ perRow: PerRowSink?
  ) throws {
    let width = self.width
    try rank(Bits.self, rows, labelRows, weights, exclusions, &state, perRow, bound: { _ in width }) { r, excluded, e, visit in
      let row = base + r &* width
      var count = 0, next = 0
      for c in 0..<width {
        // The excluded classes are sorted: one walk alongside the columns.
        if next < e && excluded[next] == Int64(c) {
          next &+= 1
          continue
        }
        try visit(row[c], Int32(truncatingIfNeeded: c), &count)
      }
      return count
    }
  }

  /// The shared row loop: `fill` hands each candidate of row `r` (its bits
  /// and column, never an excluded one: `excluded[0..<e]` sorted) to `visit`,
  /// which writes its entry (`bound(r)` at most); then the candidates are
  /// ranked, the hits found and every metric's value added.
  @inline(__always)
  private func rank<Bits: ScoreBits>(
    _: Bits.Type, _ rows: Range<Int>, _ labelRows: LabelRows, _ weights: RowWeights, _ exclusions: LabelRows?,
    _ state: inout MAPState, _ perRow: PerRowSink?, bound: (Int) -> Int,
    fill: (Int, UnsafeMutablePointer<Int64>, Int, (Bits, Int32, inout Int) throws -> Void) throws -> Int
  ) throws {
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
    let nanPolicy = configuration.nanScores
    // A NaN's key: one value for every payload, so NaNs tie and the lower
    // column wins; `Int64.max` and `.min` lie beyond every widened key.
    let nanKey: Int64 = nanPolicy == .largest ? .max : .min
    let hits = self.hits, maxK = self.maxK
    for r in rows {
      let e = exclusions.map { gatherExclusions(row: r, exclusions: $0) } ?? 0
      let span = labelRows.range(ofRow: r)
      if span.count > labelCapacity { growLabels(span.count) }
      // Labels >= width are TensorFlow's out-of-range labels (-1 in n).
      let (n, m, relevant, distinct) = RowLabels.read(row: r, labels: labelRows, classes: width,
                                                      counting: !reads.isEmpty, into: self.labels)
      let labels = self.labels, excluded = self.excluded
      let most = bound(r)
      if most > entryCapacity { growEntries(most) }
      let entries = self.entries
      var nanCount = 0
      let stored = try fill(r, excluded, e) { bits, column, count in
        if Bits.isNaN(bits) {
          if nanPolicy == .error { throw MAPKError.nanScore(row: r, classIndex: Int(column)) }
          nanCount &+= 1
          entries[count] = RankEntry(key: nanKey, index: column)
        } else {
          entries[count] = RankEntry(key: Int64(Bits.key(bits)), index: column)
        }
        count &+= 1
      }
      state.nanScores += nanCount
      let (hitCount, nanHits, positiveHits) = Self.sortedHits(entries, count: stored, maxK: maxK, labels: labels,
                                                              m: m, nanKey: nanKey, into: hits)
      // Ranked NaN hits come first under `largest` (then the hits above 0), last under `lowest`.
      let skip = nanPolicy == .largest ? nanHits : 0
      let row = RankedRow(hits: hits, count: hitCount, n: n, relevant: relevant, distinct: distinct,
                          positiveHits: skip..<(skip &+ positiveHits), discounts: accumulator.discounts)
      accumulator.accumulate(r, row: row, weights: weights, into: &state, perRow: perRow, counting: counting)
    }
  }

  /// True if `column` is one of the `count` sorted labels.
  @inline(__always)
  private static func contains(_ column: Int64, _ labels: UnsafeMutablePointer<Int64>, count: Int) -> Bool {
    if count <= 8 {
      for j in 0..<count where labels[j] == column { return true }
      return false
    }
    var lo = 0, hi = count
    while lo < hi {
      let mid = (lo &+ hi) >> 1
      if labels[mid] < column { lo = mid &+ 1 } else { hi = mid }
    }
    return lo < count && labels[lo] == column
  }

  /// Makes room for a row of `count` labels (rare: rows longer than any before).
  private func growLabels(_ count: Int) {
    labels.deallocate()
    labelCapacity = Swift.max(count, 2 * labelCapacity)
    labels = .allocate(capacity: labelCapacity)
  }

  /// Reads row `r`'s excluded classes: those in `0 ..< width`, sorted and
  /// distinct, into `excluded` (`RowExclusions`); returns how many.
  @inline(__always)
  private func gatherExclusions(row r: Int, exclusions rows: LabelRows) -> Int {
    let span = rows.range(ofRow: r)
    if span.count > excludedCapacity {
      excluded.deallocate()
      excludedCapacity = Swift.max(span.count, 2 * excludedCapacity)
      excluded = .allocate(capacity: excludedCapacity)
    }
    return RowExclusions.gather(row: r, exclusions: rows, width: width, into: excluded)
  }

  /// Makes room for a row of `count` candidates (rare: rows longer than any before).
  private func growEntries(_ count: Int) {
    entries.deallocate()
    keys.deallocate()
    narrowKeys.deallocate()
    columns.deallocate()
    entryCapacity = Swift.max(count, 2 * entryCapacity)
    entries = .allocate(capacity: entryCapacity)
    keys = .allocate(capacity: entryCapacity)
    narrowKeys = .allocate(capacity: entryCapacity)
    columns = .allocate(capacity: entryCapacity)
  }
}
