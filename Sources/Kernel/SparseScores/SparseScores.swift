/// A read-only view of a sparse score matrix in CSR layout (what
/// `scipy.sparse.save_npz` writes for a `csr_matrix`): `rows` rows of a
/// `[rows, width]` matrix, each storing some of its columns' scores.
///
/// Row `r` stores the entries `offsets[r] ..< offsets[r + 1]`: column
/// `columns[i]` scored `values[i]`. Those entries are the row's candidates
/// (an explicit zero is a candidate scored 0); a column not stored is never
/// retrieved. The view is validated when it is made, so an evaluator can read
/// it without checks: the offsets start at 0, never decrease and end at the
/// stored count, every column is in `0 ..< width`, and no row stores a
/// column twice.
public struct SparseScores: @unchecked Sendable {
  // Sendable: a read-only view; the owner keeps the memory alive and unchanged.

  /// 32- or 64-bit integers (`indptr` and `indices` are either).
  public enum Integers {
    /// `<i4`.
    case int32(UnsafePointer<Int32>)
    /// `<i8`.
    case int64(UnsafePointer<Int64>)

    /// Element `i`, widened to 64 bits.
    @inlinable @inline(__always)
    public subscript(i: Int) -> Int64 {
      switch self {
      case .int32(let p): return Int64(p[i])
      case .int64(let p): return p[i]
      }
    }

    /// The bytes of one element.
    public var byteWidth: Int {
      switch self {
      case .int32: return 4
      case .int64: return 8
      }
    }
  }

  /// The number of rows.
  public let rows: Int
  /// The number of columns: the classes (labels `>= width` follow
  /// TensorFlow's out-of-range rule).
  public let width: Int
  /// The number of stored entries (`nnz`).
  public let storedCount: Int
  /// `rows + 1` offsets into ``columns`` and ``values`` (`indptr`).
  public let offsets: Integers
  /// The stored entries' columns (`indices`).
  public let columns: Integers
  /// The stored entries' scores (`data`), ``scoreType`` each, aligned to its size.
  public let values: UnsafeRawPointer
  /// The scores' element type.
  public let scoreType: ScoreType
  /// The object keeping the memory alive, if the view holds one.
  public let owner: AnyObject?
  /// True when every row's columns ascend (scipy's canonical form, checked
  /// when the view is made): an evaluator may then binary-search a row.
  public private(set) var columnsAscend = true

  /// Creates a view after checking the layout.
  ///
  /// - Parameters:
  ///   - rows: The number of rows.
  ///   - width: The number of columns.
  ///   - storedCount: The number of stored entries.
  ///   - offsets: `rows + 1` offsets (`indptr`).
  ///   - columns: `storedCount` columns (`indices`).
  ///   - values: `storedCount` scores of `scoreType` (`data`), aligned to its size.
  ///   - scoreType: The scores' element type.
  ///   - owner: An object whose lifetime keeps the memory valid; nil if the caller keeps it alive.
  /// - Throws: ``MAPKError/shapeMismatch(_:)`` naming the first bad offset,
  ///   the first column outside `0 ..< width`, or the first row (and the
  ///   lowest column) stored twice.
  /// - Complexity: O(rows + storedCount) for rows whose columns ascend (scipy's
  ///   canonical form); a row that does not is sorted in scratch, O(s log s).
  public init(rows: Int, width: Int, storedCount: Int, offsets: Integers, columns: Integers,
              values: UnsafeRawPointer, scoreType: ScoreType, owner: AnyObject? = nil) throws {
    guard rows >= 0, width >= 0, storedCount >= 0 else {
      throw MAPKError.shapeMismatch("negative shape (\(rows) rows, \(width) columns, \(storedCount) entries)")
    }
    precondition(Int(bitPattern: values) % scoreType.byteWidth == 0, "misaligned scores")
    self.rows = rows
    self.width = width
    self.storedCount = storedCount
    self.offsets = offsets
    self.columns = columns
    self.values = values
    self.scoreType = scoreType
    self.owner = owner
    columnsAscend = try validate()
  }

  /// Checks offsets, columns and duplicates (see the initializer); returns
  /// true when every row's columns ascend.
  private func validate() throws -> Bool {
    if offsets[0] != 0 { throw MAPKError.shapeMismatch("indptr must start at 0 (found \(offsets[0]))") }
    var previous: Int64 = 0
    for r in 0..<rows {
      let next = offsets[r + 1]
      guard next >= previous else {
        throw MAPKError.shapeMismatch("indptr decreases at row \(r) (\(previous) then \(next))")
      }
      guard next <= Int64(storedCount) else {
        throw MAPKError.shapeMismatch("indptr reaches \(next) at row \(r), past the \(storedCount) stored entries")
      }
      previous = next
    }
    guard previous == Int64(storedCount) else {
      throw MAPKError.shapeMismatch("indptr ends at \(previous), not at the \(storedCount) stored entries")
    }
    let limit = Int64(width)
    var scratch: [Int64] = []
    var allAscend = true
    // One pass per row, branch-free: whether every column is in range and
    // whether they ascend (the offending entry is looked for only on failure).
    @inline(__always) func scan<C: FixedWidthInteger>(_ p: UnsafePointer<C>, _ lower: Int, _ upper: Int) -> (Bool, Bool) {
      var inRange = true, ascending = true
      var last: Int64 = -1
      for i in lower..<upper {
        let c = Int64(p[i])
        inRange = inRange && (c >= 0) && (c < limit)
        ascending = ascending && c > last
        last = c
      }
      return (inRange, ascending)
    }
    for r in 0..<rows {
      let lower = Int(offsets[r]), upper = Int(offsets[r + 1])
      let inRange: Bool, ascending: Bool
      switch columns {
      case .int32(let p): (inRange, ascending) = scan(p, lower, upper)
      case .int64(let p): (inRange, ascending) = scan(p, lower, upper)
      }
      if !inRange {
        for i in lower..<upper where !(columns[i] >= 0 && columns[i] < limit) {
          throw MAPKError.shapeMismatch("column \(columns[i]) at entry \(i) (row \(r)) is outside the \(width) columns")
        }
      }
      if ascending { continue }
      allAscend = false
      // Not canonical: a repeated column is found among the sorted copy's neighbours.
      scratch.removeAll(keepingCapacity: true)
      for i in lower..<upper { scratch.append(columns[i]) }
      scratch.sort()
      for j in 1..<scratch.count where scratch[j] == scratch[j - 1] {
        throw MAPKError.shapeMismatch("row \(r) stores column \(scratch[j]) more than once "
                                      + "(sum duplicates with m.sum_duplicates())")
      }
    }
    return allAscend
  }

  /// The number of entries row `r` stores.
  @inlinable @inline(__always)
  public func storedCount(ofRow r: Int) -> Int { Int(offsets[r + 1] &- offsets[r]) }

  /// The bytes the view reads in a full pass (offsets, columns, scores).
  public var byteCount: Int {
    (rows + 1) * offsets.byteWidth + storedCount * (columns.byteWidth + scoreType.byteWidth)
  }
}
