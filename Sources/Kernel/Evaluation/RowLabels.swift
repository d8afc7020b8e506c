/// The reading of one row's labels that the ranked-ids and sparse-scores
/// paths share: the label counts a metric reads (`RowCounts`) and the
/// sorted, distinct labels a candidate can match, with TensorFlow's `n`.
///
/// The caller owns the scratch (room for the row's label count, grown before
/// the call), so nothing is allocated per row; both functions are inlined
/// and specialized at each caller.
enum RowLabels {
  /// Reads row `r`'s labels for a ranking: `sets(row:labels:scratch:)`
  /// first when `counting` (the metrics read those counts), then
  /// `gather(row:labels:classes:into:)`, both in `labels`.
  ///
  /// - Parameters:
  ///   - r: The row.
  ///   - rows: The labels.
  ///   - classes: C, when known: labels `>= C` become -1 before counting `n`.
  ///   - counting: True to count the distinct values (else `relevant` and `distinct` are 0).
  ///   - labels: Room for at least the row's label count; on return the `m` matchable labels.
  /// - Complexity: O(m log m) for m labels (O(m²) up to 32).
  @inline(__always)
  static func read(row r: Int, labels rows: LabelRows, classes: Int?, counting: Bool,
                   into labels: UnsafeMutablePointer<Int64>) -> (n: Int, m: Int, relevant: Int, distinct: Int) {
    // The distinct-value counts first: `gather` reuses the same scratch.
    let (relevant, distinct) = counting ? sets(row: r, labels: rows, scratch: labels) : (0, 0)
    let (n, m) = gather(row: r, labels: rows, classes: classes, into: labels)
    return (n, m, relevant, distinct)
  }

  /// The widest uniform dense row `gatherFew(row:labels:classes:into:)` reads.
  static let fewWidth = 8

  /// `gather(row:labels:classes:into:)` for the common dense layout of at
  /// most ``fewWidth`` labels a row (`.uniform` offsets): the same `n` and
  /// the same `m` distinct matchable labels, but in the order first seen, not
  /// sorted (for a caller that searches them linearly; an unsorted list has
  /// the same members). Every row runs the same loop over every slot, its
  /// counts kept by arithmetic, not branches, so the branch predictor is not
  /// wrong on the data (as `RowEvaluator`'s gathering). Nil for any other
  /// layout or semantics.
  ///
  /// - Complexity: O(w²) for w <= 8 labels a row.
  @inline(__always)
  static func gatherFew(row r: Int, labels rows: LabelRows, classes: Int?,
                        into labels: UnsafeMutablePointer<Int64>) -> (n: Int, m: Int)? {
    guard rows.semantics == .dense, case .uniform(let width) = rows.offsets, width <= fewWidth else { return nil }
    // A label is matchable when `0 <= v < limit` (TensorFlow's cleaning makes
    // a label `>= C` -1; with C unknown, every non-negative label): one
    // unsigned compare. Dense `n` counts exactly those, duplicates included.
    let limit = UInt64(classes ?? Int.max)
    let first = r &* width
    @inline(__always) func read<T: FixedWidthInteger>(_ p: UnsafePointer<T>) -> (n: Int, m: Int) {
      var n = 0, m = 0
      for i in 0..<width {
        let v = Int64(p[first &+ i])
        let valid = UInt64(bitPattern: v) < limit ? 1 : 0
        var seen = 0
        for j in 0..<m { seen |= labels[j] == v ? 1 : 0 }
        // Written at `m` always; kept (m grows) only when matchable and new.
        labels[m] = v
        n &+= valid
        m &+= valid & (seen ^ 1)
      }
      return (n, m)
    }
    switch rows.values {
    case .int64(let p): return read(p)
    case .int32(let p): return read(p)
    }
  }

  /// Row `r`'s distinct label values (negatives included: TensorFlow
  /// `recall_at_k`'s count) and, of those, the ones `>= 0` (trec_eval's R),
  /// as written, before any cleaning of labels `>= C`.
  ///
  /// - Parameters:
  ///   - r: The row.
  ///   - rows: The labels.
  ///   - scratch: Room for at least the row's label count; overwritten.
  /// - Complexity: O(m log m) for m labels (O(m²) up to 32).
  @inline(__always)
  static func sets(row r: Int, labels rows: LabelRows,
                   scratch labels: UnsafeMutablePointer<Int64>) -> (relevant: Int, distinct: Int) {
    let span = rows.range(ofRow: r)
    var w = 0
    @inline(__always) func read<T: FixedWidthInteger>(_ p: UnsafePointer<T>) {
      for i in span {
        labels[w] = Int64(p[i])
        w &+= 1
      }
    }
    switch rows.values {
    case .int64(let p): read(p)
    case .int32(let p): read(p)
    }
    sortAscending(labels, count: w)
    var distinct = 0, relevant = 0
    for i in 0..<w where i == 0 || labels[i] != labels[i - 1] {
      distinct &+= 1
      relevant &+= labels[i] >= 0 ? 1 : 0
    }
    return (relevant, distinct)
  }

  /// Reads row `r`'s labels: returns `n`, TensorFlow's label count (dense
  /// labels: the non-negative entries, duplicates included; sparse: the
  /// distinct values, negatives included), after its cleaning of labels
  /// `>= classes` to -1 when `classes` is given, and `m`, the number of
  /// distinct labels a candidate can match (non-negative, below `classes`
  /// if given), written sorted to `labels[0..<m]`.
  ///
  /// - Parameters:
  ///   - r: The row.
  ///   - rows: The labels.
  ///   - classes: C, when known: labels `>= C` become -1 before counting.
  ///   - labels: Room for at least the row's label count; overwritten.
  /// - Complexity: O(m log m) for m labels (O(m²) up to 32).
  @inline(__always)
  static func gather(row r: Int, labels rows: LabelRows, classes: Int?,
                     into labels: UnsafeMutablePointer<Int64>) -> (n: Int, m: Int) {
    let span = rows.range(ofRow: r)
    let limited = classes != nil
    let limit = Int64(classes ?? 0)
    let dense = rows.semantics == .dense
    var w = 0
    @inline(__always) func read<T: FixedWidthInteger>(_ p: UnsafePointer<T>) {
      for i in span {
        var v = Int64(p[i])
        // TensorFlow's cleaning: a label >= C becomes -1.
        if limited && v >= limit { v = -1 }
        labels[w] = v
        // Dense: only non-negative entries count (duplicates included); sparse: every value.
        w &+= !dense || v >= 0 ? 1 : 0
      }
    }
    switch rows.values {
    case .int64(let p): read(p)
    case .int32(let p): read(p)
    }
    let denseCount = w
    sortAscending(labels, count: w)
    // Distinct values, in place.
    var kept = 0
    for i in 0..<w where kept == 0 || labels[i] != labels[kept - 1] {
      labels[kept] = labels[i]
      kept &+= 1
    }
    // Sparse: n counts the distinct values, negatives (a cleaned -1) included.
    let n = dense ? denseCount : kept
    // Negatives sort first and can match no candidate: drop them.
    var firstValid = 0
    while firstValid < kept && labels[firstValid] < 0 { firstValid &+= 1 }
    if firstValid > 0 {
      for i in firstValid..<kept { labels[i - firstValid] = labels[i] }
    }
    return (n, kept - firstValid)
  }
}
