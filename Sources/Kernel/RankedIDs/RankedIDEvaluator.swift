/// One worker's engine for ranked ids: finds each row's hit ranks among its
/// first `maxK` ids, computes every metric's value for every k from them
/// (the same `RankingMetric` seam as for scores) and adds the row to a
/// ``MAPState``. It owns its scratch and allocates nothing per row (a row
/// longer than any before grows it); create one per thread.
///
/// The hits are TensorFlow's for `predictions_idx`
/// (`_sparse_average_precision_at_top_k`): the id at column `i` is a hit at
/// rank `i + 1` when it is one of the row's labels, and the row's `n` follows
/// the labels' semantics (dense: the non-negative entries, duplicates
/// included; sparse: the distinct values, negatives included). Two cases
/// TensorFlow gives no meaningful value for are defined instead:
/// - a pad (``RankedIDReading/pad``) takes its position and is never a hit
///   (TensorFlow would match `-1` against dense labels' `-1` padding), so a
///   row's value equals TensorFlow's on the same row with each pad replaced
///   by a distinct id that is no label;
/// - a repeated id is refused, or (``DuplicateIDPolicy/first``) its later
///   copies are misses (TensorFlow counts every copy as a hit), so each label
///   is hit at most once, as with scores.
/// With ``RankedIDReading/classes`` labels `>= classes` become -1 before
/// counting, TensorFlow's cleaning for dense scores.
public final class RankedIDEvaluator {
  /// The configuration it evaluates.
  public let configuration: MAPConfiguration
  /// How it reads ids.
  public let reading: RankedIDReading

  private let maxK: Int
  /// The accumulation of every metric from a ranked row, shared with the
  /// scores path (`MetricAccumulator`).
  private var accumulator: MetricAccumulator
  /// The label counts some requested metric reads beyond `n`.
  private let reads: RowCounts
  /// The row's hit ranks (1-based, ascending), at most `maxK`.
  private let hits: UnsafeMutablePointer<Int32>
  /// A row's matchable labels, sorted and distinct (room for `labelCapacity`),
  /// and the stamp of the row in which each was hit.
  private var labels: UnsafeMutablePointer<Int64>
  private var labelStamps: UnsafeMutablePointer<UInt32>
  private var labelCapacity = 16
  /// The duplicate check (under ``DuplicateIDPolicy/error`` only), in two
  /// disjoint parts by id: for an id below `idBound`, `idStamps[id]` is the
  /// low 16 bits of the stamp of the last row that walked it (a load and a
  /// compare per id, no hash, no probe and nothing to clear: the table is
  /// zeroed once every 65,536 stamps, and no stamp's low 16 bits are 0); for
  /// the other ids an open-addressing set of the row's ids, whose slot
  /// belongs to the current row when its stamp is `stamp`. An id is in
  /// exactly one part, so a repeat is found whichever it is in.
  private let idStamps: UnsafeMutablePointer<UInt16>
  /// The ids the table covers, `0..<idBound`: `idLimit`, or the classes
  /// when fewer (ids at or above them can still be written, and go to the
  /// set); 0 under ``DuplicateIDPolicy/first`` (no check).
  let idBound: UInt64
  /// The most ids the stamp table covers: 2^18, 512 KiB per worker (a core's
  /// L2 cache, where a load is cheaper than the set's hash and probe).
  static let idLimit = 1 << 18
  private let slotIDs: UnsafeMutablePointer<Int64>
  private let slotStamps: UnsafeMutablePointer<UInt32>
  private let slotMask: Int
  private var stamp: UInt32 = 0

  /// Creates a worker.
  ///
  /// - Throws: ``MAPKError/kAboveClasses(k:classes:)`` when a k exceeds the
  ///   classes of `reading`, if given.
  public init(configuration: MAPConfiguration, reading: RankedIDReading) throws {
    if let c = reading.classes { try configuration.validate(classes: c) }
    self.configuration = configuration
    self.reading = reading
    maxK = configuration.maxK
    accumulator = MetricAccumulator(configuration: configuration)
    reads = accumulator.reads
    hits = .allocate(capacity: maxK)
    labels = .allocate(capacity: labelCapacity)
    labelStamps = .allocate(capacity: labelCapacity)
    labelStamps.initialize(repeating: 0, count: labelCapacity)
    // At most 1/16 full (at most half for k > 4096): a probe's first slot is
    // nearly always free, so its branch is predicted (at half full it is a
    // coin toss, and the mispredictions cost more than the reading).
    var slots = 16
    while slots < (maxK <= 4096 ? 16 : 2) * maxK { slots *= 2 }
    slotMask = slots - 1
    slotIDs = .allocate(capacity: slots)
    slotIDs.initialize(repeating: 0, count: slots)
    slotStamps = .allocate(capacity: slots)
    slotStamps.initialize(repeating: 0, count: slots)
    let bound = reading.duplicates == .error ? Swift.min(reading.classes ?? Self.idLimit, Self.idLimit) : 0
    idBound = UInt64(bound)
    idStamps = .allocate(capacity: Swift.max(bound, 1))
    idStamps.initialize(repeating: 0, count: Swift.max(bound, 1))
  }

  deinit {
    accumulator.deallocate()
    hits.deallocate()
    labels.deallocate()
    labelStamps.deallocate()
    slotIDs.deallocate()
    slotStamps.deallocate()
    idStamps.deallocate()
  }

  /// Evaluates `rows` of `ids` and adds them to `state`.
  ///
  /// - Parameters:
  ///   - rows: The rows to evaluate.
  ///   - ids: The ranked ids, at least `maxK` per row, read as this engine's ``reading``.
  ///   - labels: The labels of the same rows.
  ///   - weights: The weights (broadcast per row).
  ///   - state: The accumulator to add to.
  ///   - perRow: Where to write each row's value per (metric, k), if wanted.
  ///   - exclusions: Classes to take out of each row's ranking (`--exclude`)
  ///     before its first k: an excluded id takes no position, the later ids
  ///     move up; nil (the default) for none.
  ///   - holdingCounts: True to keep the rows counted by outcome (no weights,
  ///     no per-row output, every k at most 16) in this evaluator after the
  ///     call, to be added to `state` by a later call or by ``finish(into:)``:
  ///     pass the same `state` to every call and to ``finish(into:)``. The
  ///     sums are exact, so the result has the same bits; a worker's chunks
  ///     then share one table of outcomes (one flush instead of one per
  ///     chunk). A call that throws adds its held rows before it returns.
  ///     False (the default): `state` holds every row on return.
  /// - Throws: ``MAPKError/duplicateID(row:id:)`` or
  ///   ``MAPKError/invalidID(row:id:pad:)`` for the first bad row.
  /// - Complexity: O(rows · (k + m log m)) for m labels per row.
  public func evaluate(rows: Range<Int>, ids: RankedIDs, labels: LabelRows, weights: RowWeights,
                       excluding exclusions: LabelRows? = nil,
                       into state: inout MAPState, perRow: PerRowSink? = nil, holdingCounts: Bool = false) throws {
    precondition(ids.width >= maxK && ids.rows == labels.rows && rows.lowerBound >= 0
                   && rows.upperBound <= ids.rows, "ids do not match the evaluator")
    precondition(exclusions.map { $0.rows == labels.rows } ?? true, "exclusions do not match the labels")
    if let exclusions {
      let excluding = RankedIDExclusions(exclusions)
      switch ids.values {
      case .int32(let p): try run(p, ids.stride, ids.width, rows, labels, weights, excluding, &state, perRow, holdingCounts)
      case .int64(let p): try run(p, ids.stride, ids.width, rows, labels, weights, excluding, &state, perRow, holdingCounts)
      }
      return
    }
    switch ids.values {
    case .int32(let p): try run(p, ids.stride, maxK, rows, labels, weights, NoRankedIDExclusions(), &state, perRow, holdingCounts)
    case .int64(let p): try run(p, ids.stride, maxK, rows, labels, weights, NoRankedIDExclusions(), &state, perRow, holdingCounts)
    }
  }

  // Specialized for each arm of the switch above: one loop per id type and
  // filter (without exclusions, no check per id).
  @inline(__always)
  private func run<T: FixedWidthInteger, Filter: RankedIDFilter>(
    _ base: UnsafePointer<T>, _ stride: Int, _ columns: Int, _ rows: Range<Int>, _ labelRows: LabelRows,
    _ weights: RowWeights, _ exclusions: Filter, _ state: inout MAPState, _ perRow: PerRowSink?,
    _ holdingCounts: Bool
  ) throws {
    // The shared accumulation, from a local copy; without weights or per-row
    // output, rows counted by outcome and added at the end of the call (or,
    // holding counts, by a later call or `finish(into:)`; after a throw, now).
    var accumulator = self.accumulator
    let counting = weights.isNone && perRow == nil && accumulator.canCount
    var failed = true
    defer {
      accumulator.flushUnits(into: &state)
      if !holdingCounts || failed { accumulator.flushCounts(into: &state) }
      self.accumulator = accumulator
    }
    let pad = reading.pad
    let refuse = reading.duplicates == .error
    // The row loop reads the scratch through locals: a `var` property of a
    // class costs a dynamic exclusivity check on every access.
    let slotIDs = self.slotIDs, slotStamps = self.slotStamps, slotMask = self.slotMask, hits = self.hits
    let idStamps = self.idStamps, bound = self.idBound, maxK = self.maxK, classes = reading.classes
    var stamp = self.stamp
    defer { self.stamp = stamp }
    for r in rows {
      let span = labelRows.range(ofRow: r)
      if span.count > labelCapacity { growLabels(span.count) }
      // The counts as written; `n` after the cleaning by the classes, if known.
      // A few dense labels a row (the common layout), when no metric reads
      // the distinct counts: in the order seen, searched linearly (`find`
      // for at most 8); else sorted.
      let few = reads.isEmpty ? RowLabels.gatherFew(row: r, labels: labelRows, classes: classes,
                                                    into: self.labels) : nil
      let (n, m, relevant, distinct) = few.map { ($0.n, $0.m, 0, 0) }
        ?? RowLabels.read(row: r, labels: labelRows, classes: classes, counting: !reads.isEmpty, into: self.labels)
      // (After gathering, which may have grown them.)
      let labels = self.labels, labelStamps = self.labelStamps
      stamp &+= 1
      if stamp & 0xFFFF == 0 {
        // Every 2^16 rows: forget the id table's stamps (their low 16 bits
        // would repeat), and skip the stamp whose low bits are 0 (a zeroed
        // entry's); after 2^32 rows (stamp 0) every other stamp too.
        idStamps.update(repeating: 0, count: Int(bound))
        if stamp == 0 {
          slotStamps.update(repeating: 0, count: slotMask + 1)
          labelStamps.update(repeating: 0, count: labelCapacity)
        }
        stamp &+= 1
      }
      let idStamp = UInt16(truncatingIfNeeded: stamp)
      var hitCount = 0
      let row = base + r &* stride
      // A one-word Bloom filter of the row's labels, keyed by the low 6 bits
      // of the value: an id whose bit is clear is no label (no false
      // negatives: equal values have equal bits), so most ids skip the
      // search. Past 16 labels it would be nearly full, so every id
      // searches.
      var bloom: UInt64 = m > 16 ? ~0 : 0
      if m <= 16 {
        for j in 0..<m { bloom |= 1 &<< (UInt64(bitPattern: labels[j]) & 63) }
      }
      // Without exclusions `columns` is maxK and every column a position
      // (`position == i`); with them, excluded ids take none and the walk
      // goes on past maxK columns until maxK positions are filled.
      exclusions.gather(row: r)
      var position = 0
      var i = 0
      while i < columns && (Filter.excludesNothing || position < maxK) {
        let id = Int64(row[i])
        i &+= 1
        if exclusions.contains(id) { continue }
        let rank = position &+ 1
        position = rank
        if id == pad { continue }
        let u = UInt64(bitPattern: id)
        if u < bound {
          // A non-negative id the table covers (`bound` is 0 unless refusing).
          let slot = Int(truncatingIfNeeded: u)
          if idStamps[slot] == idStamp { throw MAPKError.duplicateID(row: r, id: id) }
          idStamps[slot] = idStamp
        } else {
          if id < 0 { throw MAPKError.invalidID(row: r, id: id, pad: pad) }
          if refuse && !Self.insert(id, Self.hash(id), slotIDs, slotStamps, slotMask, stamp) {
            throw MAPKError.duplicateID(row: r, id: id)
          }
        }
        if bloom & (1 &<< (u & 63)) == 0 { continue }
        let j = Self.find(id, labels, count: m)
        // A label already hit in this row is a later copy of its id: a miss
        // (only under `first`; `error` refused the copy above).
        if j >= 0 && labelStamps[j] != stamp {
          labelStamps[j] = stamp
          hits[hitCount] = Int32(truncatingIfNeeded: rank)
          hitCount &+= 1
        }
      }
      // The hits are ascending by construction (columns in order), as the
      // metrics require. Ids carry no scores, so every hit counts as scored
      // above 0 (torchmetrics' rule has nothing to exclude).
      let ranked = RankedRow(hits: hits, count: hitCount, n: n, relevant: relevant, distinct: distinct,
                             positiveHits: 0..<hitCount, discounts: accumulator.discounts)
      accumulator.accumulate(r, row: ranked, weights: weights, into: &state, perRow: perRow, counting: counting)
    }
    failed = false
  }

  /// Adds the rows still held by outcome (calls with `holdingCounts`) to
  /// `state`, the state those calls were given.
  public func finish(into state: inout MAPState) {
    accumulator.flushCounts(into: &state)
  }

  /// The index of `id` among the `count` labels, or -1: sorted labels, or
  /// at most `RowLabels/fewWidth` (8) in any order (searched linearly).
  @inline(__always)
  private static func find(_ id: Int64, _ labels: UnsafeMutablePointer<Int64>, count: Int) -> Int {
    if count <= 8 {
      for j in 0..<count where labels[j] == id { return j }
      return -1
    }
    var lo = 0, hi = count
    while lo < hi {
      let mid = (lo &+ hi) >> 1
      if labels[mid] < id { lo = mid &+ 1 } else { hi = mid }
    }
    return lo < count && labels[lo] == id ? lo : -1
  }

  /// The Fibonacci hash of `id`: its high bits spread consecutive ids.
  @inline(__always)
  private static func hash(_ id: Int64) -> UInt64 {
    UInt64(bitPattern: id) &* 0x9E37_79B9_7F4A_7C15
  }

  /// Adds `id` (whose `hash(_:)` is `h`) to the row's set of ids; false if
  /// it was there already.
  @inline(__always)
  private static func insert(_ id: Int64, _ h: UInt64, _ slotIDs: UnsafeMutablePointer<Int64>,
                             _ slotStamps: UnsafeMutablePointer<UInt32>, _ slotMask: Int, _ stamp: UInt32) -> Bool {
    // Bits 32 and up of the hash pick the slot.
    var s = Int(truncatingIfNeeded: h >> 32) & slotMask
    while slotStamps[s] == stamp {
      if slotIDs[s] == id { return false }
      s = (s &+ 1) & slotMask
    }
    slotStamps[s] = stamp
    slotIDs[s] = id
    return true
  }

  /// Makes room for a row of `count` labels (rare: rows longer than any before).
  private func growLabels(_ count: Int) {
    labels.deallocate()
    labelStamps.deallocate()
    labelCapacity = Swift.max(count, 2 * labelCapacity)
    labels = .allocate(capacity: labelCapacity)
    labelStamps = .allocate(capacity: labelCapacity)
    labelStamps.initialize(repeating: 0, count: labelCapacity)
  }
}
