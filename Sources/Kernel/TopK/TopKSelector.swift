/// Per-worker scratch that ranks the top k scores of one row at a time.
///
/// The ranking is TensorFlow's: descending score, and among equal scores the
/// lower class index first. Scores are compared through their
/// order-preserving integer keys (see `ScoreBits`), so `-0.0 == 0.0` and
/// NaN ranks where the policy puts it.
///
/// Every strategy is made of SIMD passes over the row (`RowScanning`): a
/// block of 16 scores (64 for float16) is compared with a threshold at once,
/// and only the rare blocks holding a score at or above it (or a NaN, which
/// always qualifies) are looked at one score at a time, in increasing index
/// order. What is asked decides the passes:
///
/// - ``rankClasses(_:_:count:)`` (what AP needs: the ranks of a row's
///   labels, not the ranked top k): k = 1 is one argmax pass; otherwise a
///   pass takes the maxima of disjoint groups of the row, whose k-th largest
///   bounds the row's k-th largest score from below and rules out the labels
///   under it, and one scan with the lowest live label as the threshold
///   counts the scores that beat each label (a label beaten k times is out,
///   and the threshold rises). For short rows, or a k too large for a useful
///   bound, each label's rank is counted directly over the row instead.
/// - ``select(_:)`` (the ranked top k itself): k = 1 keeps the running
///   maximum; larger k collects every score at or above the group-maxima
///   bound and partially sorts those few (every score, when k is too close
///   to the row's length for a bound).
///
/// Nothing is allocated per row.
final class TopKSelector<Bits: RowScanning> {
  typealias Key = Bits.Key

  /// The most labels ``rankClasses(_:_:count:)`` ranks by counting; more go
  /// through ``select(_:)`` and a lookup table.
  static var labelLimit: Int { 64 }

  let k: Int
  let classes: Int
  let nanPolicy: NaNScorePolicy
  /// The key NaN ranks with (ignored under `.error`, which stops instead).
  let nanKey: Key
  /// The ranked class indices after ``select(_:)``: `ranking[0..<k]`.
  let ranking: UnsafeMutablePointer<Int32>
  /// The ranks (1-based, distinct, in no particular order) of the classes
  /// found in the top k by ``rankClasses(_:_:count:)``: `hitRanks[0..<hitCount]`.
  let hitRanks: UnsafeMutablePointer<Int32>
  private(set) var hitCount = 0

  /// Candidates collected by ``select(_:)`` for k > 1 (room for a whole
  /// row: with ties every score may be one), made on first use, so that
  /// what never selects (k = 1, few labels) costs O(k + labels), not
  /// 8 bytes per class: a row of 2^31 - 1 classes at k = 1 allocates nothing
  /// of its size.
  private var entries: UnsafeMutablePointer<RankEntry<Key>>?
  /// Group maxima for the lower bound of ``select(_:)``.
  let maxima: UnsafeMutablePointer<Key>
  let maximaCapacity: Int
  /// The labels being ranked, in rank order, and how many scores beat each.
  let labelKeys: UnsafeMutablePointer<Key>
  let labelClasses: UnsafeMutablePointer<Int32>
  let labelBeaten: UnsafeMutablePointer<Int>
  /// rank of each class in the last ``select(_:)``, only for many labels (lazily made).
  private var rankOf: UnsafeMutablePointer<Int32>?
  /// Short rows (see ``ShortRows``): the row's keys (`ShortRows.chunks` of
  /// 8, padded with `Int32.min`); nil for longer rows or 64-bit keys.
  let shortKeys: UnsafeMutablePointer<Int32>?
  /// ``ShortRows/makeBeforeTable(classes:)``, with ``shortKeys``.
  let shortTable: UnsafeMutablePointer<Int32>?

  init(k: Int, classes: Int, nanPolicy: NaNScorePolicy) {
    precondition(k >= 1 && k <= classes && classes <= Int(Int32.max))
    self.k = k
    self.classes = classes
    self.nanPolicy = nanPolicy
    self.nanKey = nanPolicy == .lowest ? Key.min : Key.max
    ranking = .allocate(capacity: k)
    hitRanks = .allocate(capacity: k + 1)  // k hits, and a slot a miss may write into
    maximaCapacity = Swift.max(1, Self.segments(k: k, classes: classes) * Bits.lanesPerSegment)
    maxima = .allocate(capacity: maximaCapacity)
    let labels = Swift.min(Self.labelLimit, classes)
    labelKeys = .allocate(capacity: labels)
    labelClasses = .allocate(capacity: labels)
    labelBeaten = .allocate(capacity: labels)
    if classes <= ShortRows.maxClasses && Bits.hasShortRowKeys {
      let lanes = ShortRows.chunks(classes: classes) * 8
      let keys = ShortRows.allocate(lanes: lanes)
      // Lanes past the row are never written again: Int32.min beats no label.
      keys.initialize(repeating: .min, count: lanes)
      shortKeys = keys
      shortTable = ShortRows.makeBeforeTable(classes: classes)
    } else {
      shortKeys = nil
      shortTable = nil
    }
  }

  deinit {
    ranking.deallocate()
    hitRanks.deallocate()
    entries?.deallocate()
    maxima.deallocate()
    labelKeys.deallocate()
    labelClasses.deallocate()
    labelBeaten.deallocate()
    rankOf?.deallocate()
    if let shortKeys { ShortRows.deallocate(shortKeys) }
    if let shortTable { ShortRows.deallocate(shortTable) }
  }

  /// The outcome of ranking one row.
  struct Outcome {
    /// NaN scores seen in the row (with the `error` policy: 1 and the row stops).
    var nanCount: Int
    /// The class of the first NaN, if any.
    var firstNaN: Int
  }

  /// The key a score of the row ranks with (NaN per the policy).
  @inline(__always)
  func rankKey(_ bits: Bits) -> Key {
    Bits.isNaN(bits) ? nanKey : Bits.key(bits)
  }

  // MARK: - Ranks of given classes

  /// Finds which of the distinct classes `ids[0..<count]` are in the row's top k,
  /// and their ranks, into ``hitRanks`` (unordered).
  ///
  /// Three strategies: k = 1 is one argmax pass; short rows, few labels or
  /// large k count each label's rank directly (a NaN pass, then one pass per
  /// label); otherwise a bound pass rules out low labels and one
  /// label-driven scan counts what beats the rest.
  ///
  /// - Complexity: O(classes · min(m, 2)) compares plus O(v · m) for the v
  ///   scores visited (those at or above the lowest label still possibly in
  ///   the top k) and the m = `count` labels; as ``select(_:)`` when `count`
  ///   exceeds ``labelLimit``.
  func rankClasses(_ row: UnsafePointer<Bits>, _ ids: UnsafePointer<Int32>, count m: Int) -> Outcome {
    if m > Self.labelLimit { return rankManyClasses(row, ids, count: m) }
    if k == 1 {
      if let first = Bits.argmaxIfNaNFree(row, count: classes) {
        // No NaN: the first-ranked class in one C call; a label is a hit if it is that class.
        hitCount = 0
        for i in 0..<m where ids[i] == Int32(truncatingIfNeeded: first) {
          hitRanks[0] = 1
          hitCount = 1
        }
        return Outcome(nanCount: 0, firstNaN: -1)
      }
      // One pass for the row's first-ranked class; a label is a hit if it is that class.
      var best = ArgMax<Bits>(nan: NaNTally(policy: nanPolicy, key: nanKey))
      let completed = Bits.scan(row, count: classes, nanFree: false, &best)
      hitCount = 0
      if completed && (0..<m).contains(where: { ids[$0] == Int32(truncatingIfNeeded: best.index) }) {
        hitRanks[0] = 1
        hitCount = 1
      }
      return Outcome(nanCount: best.nan.count, firstNaN: best.nan.first)
    }
    if let shortKeys, let shortTable, let hits = rankShortRow(row, ids, count: m, keys: shortKeys, table: shortTable) {
      hitCount = hits
      return Outcome(nanCount: 0, firstNaN: -1)
    }
    if countsDirectly(labels: m),
      let first = m > 0
        ? Bits.countRankedBeforeIfNaNFree(row, count: classes, index: Int(ids[0]), key: Bits.key(row[Int(ids[0])]))
        : Bits.isNaNFree(row, count: classes) ? 0 : nil
    {
      // Each label's rank counted over the row (the first pass also made sure
      // the row holds no NaN); a rank above k is a miss.
      hitCount = 0
      for i in 0..<m {
        let c = Int(ids[i])
        let before = i == 0 ? first : Bits.countRankedBefore(row, count: classes, index: c, key: Bits.key(row[c]))
        // Kept without a branch: whether a label is a hit is unpredictable.
        hitRanks[hitCount] = Int32(truncatingIfNeeded: before + 1)
        hitCount &+= before < k ? 1 : 0
      }
      return Outcome(nanCount: 0, firstNaN: -1)
    }
    // A lower bound of the k-th largest key rules out the labels below it; its
    // pass also brings the row into the cache before the labels' scores are read.
    let (bound, nanFree) = lowerBound(row)
    // The labels left, in rank order: larger key first, then lower index
    // (insertion sort: rows have few labels).
    var alive = 0
    for i in 0..<m {
      let c = ids[i]
      let key = rankKey(row[Int(c)])
      guard key >= bound else { continue }
      var j = alive
      while j > 0 && (labelKeys[j - 1] < key || (labelKeys[j - 1] == key && labelClasses[j - 1] > c)) {
        labelKeys[j] = labelKeys[j - 1]
        labelClasses[j] = labelClasses[j - 1]
        j -= 1
      }
      labelKeys[j] = key
      labelClasses[j] = c
      alive += 1
    }
    if alive == 0 && nanFree {
      // Every label is below the bound and the row holds no NaN: nothing to count.
      hitCount = 0
      return Outcome(nanCount: 0, firstNaN: -1)
    }
    if Bits.self == UInt32.self && nanFree && alive <= 2 {
      // float32, one or two labels left, no NaN: counting their ranks (a
      // pass each) costs less than the scan's visits, each a mispredicted branch.
      hitCount = 0
      for i in 0..<alive {
        let before = Bits.countRankedBefore(row, count: classes, index: Int(labelClasses[i]), key: labelKeys[i])
        hitRanks[hitCount] = Int32(truncatingIfNeeded: before + 1)
        hitCount &+= before < k ? 1 : 0
      }
      return Outcome(nanCount: 0, firstNaN: -1)
    }
    labelBeaten.update(repeating: 0, count: alive)
    var ranker = LabelRanker<Bits>(
      keys: labelKeys, classes: labelClasses, beaten: labelBeaten, alive: alive, k: k,
      nan: NaNTally(policy: nanPolicy, key: nanKey))
    guard Bits.scan(row, count: classes, nanFree: nanFree, &ranker) else {
      hitCount = 0  // stopped at a NaN (`.error`): no ranks
      return Outcome(nanCount: ranker.nan.count, firstNaN: ranker.nan.first)
    }
    // Survivors were beaten fewer than k times: rank = beaten + 1, and in rank
    // order these ranks strictly increase (each label beats the next one).
    hitCount = ranker.alive
    for i in 0..<ranker.alive { hitRanks[i] = Int32(truncatingIfNeeded: labelBeaten[i] + 1) }
    return Outcome(nanCount: ranker.nan.count, firstNaN: ranker.nan.first)
  }

  /// True when counting each of `m` labels' rank over the whole row is
  /// expected to cost less than the bound pass and the label-driven scan:
  /// short rows, few labels, or a k so large that the bound is weak. (Rough
  /// operation counts per block of 16 scores, measured on x86-64.)
  @inline(__always)
  func countsDirectly(labels m: Int) -> Bool {
    let blocks = (classes + 15) / 16
    let selectBound = k <= 16 ? 200 : k <= 32 ? 800 : 40 * k
    if Bits.Key.self == Int16.self {
      // float16 and bfloat16: a label's count is one compare per 8 lanes (positive keys),
      // while the bound pass keeps three extremes per lane.
      return (m * 6 + 6) * blocks <= 36 * blocks + selectBound + 40 * k
    }
    // float32 from 256 classes on: the first label's pass also checks for NaN (no
    // separate pass); measured on 1,000 classes, k = 10: direct for m <= 2.
    // The C passes (AVX2) count a later label without the NaN check (504
    // instructions a pass on average on 1,000 classes, one pass in three
    // checked, against 767 before): direct for m <= 3 there (callgrind,
    // 1,000 classes, k = 10; m <= 4 measured worse).
    let float32 = Bits.self == UInt32.self && classes >= 256
    let direct = float32 ? (SIMDPath.usesC ? (m * 7 + 4) * blocks : m * 14 * blocks) : (m * 20 + 6) * blocks
    let scan = 22 * blocks + selectBound + 40 * k
    return direct <= scan
  }

  private func rankManyClasses(_ row: UnsafePointer<Bits>, _ ids: UnsafePointer<Int32>, count m: Int) -> Outcome {
    let outcome = select(row)
    hitCount = 0
    if nanPolicy == .error && outcome.nanCount > 0 { return outcome }
    let table: UnsafeMutablePointer<Int32>
    if let rankOf { table = rankOf } else {
      table = .allocate(capacity: classes)
      table.initialize(repeating: 0, count: classes)
      rankOf = table
    }
    for r in 0..<k { table[Int(ranking[r])] = Int32(truncatingIfNeeded: r + 1) }
    for i in 0..<m {
      let rank = table[Int(ids[i])]
      if rank > 0 {
        hitRanks[hitCount] = rank
        hitCount += 1
      }
    }
    for r in 0..<k { table[Int(ranking[r])] = 0 }
    return outcome
  }

  // MARK: - The ranked top k

  /// Ranks the row's top k into ``ranking``.
  ///
  /// - Complexity: O(classes) for the scans plus O(v + k log k) expected for
  ///   the v collected candidates; O(classes + k log k) when every score is a
  ///   candidate.
  func select(_ row: UnsafePointer<Bits>) -> Outcome {
    if k == 1 {
      if let first = Bits.argmaxIfNaNFree(row, count: classes) {
        ranking[0] = Int32(truncatingIfNeeded: first)
        return Outcome(nanCount: 0, firstNaN: -1)
      }
      var best = ArgMax<Bits>(nan: NaNTally(policy: nanPolicy, key: nanKey))
      _ = Bits.scan(row, count: classes, nanFree: false, &best)
      ranking[0] = Int32(truncatingIfNeeded: best.index)
      return Outcome(nanCount: best.nan.count, firstNaN: best.nan.first)
    }
    let entries: UnsafeMutablePointer<RankEntry<Key>>
    if let made = self.entries { entries = made } else {
      entries = .allocate(capacity: classes)
      self.entries = entries
    }
    let (bound, nanFree) = lowerBound(row)
    var collector = Collector<Bits>(entries: entries, threshold: bound, nan: NaNTally(policy: nanPolicy, key: nanKey))
    if !Bits.scan(row, count: classes, nanFree: nanFree, &collector) {
      return Outcome(nanCount: collector.nan.count, firstNaN: collector.nan.first)
    }
    // At least k entries: the bound is at most the k-th largest key.
    RankEntry.partialSort(entries, count: collector.count, prefix: k)
    for r in 0..<k { ranking[r] = entries[r].index }
    return Outcome(nanCount: collector.nan.count, firstNaN: collector.nan.first)
  }
}
