/// A read-only view of ranked class ids: `rows` rows of `width` ids each,
/// best first (TensorFlow's `predictions_idx`, FAISS's `I`), row-major.
///
/// The view carries how its ids are read: which value is a pad (an empty
/// position), what a repeated id in a row means, and the number of classes
/// the labels are cleaned against, if known.
public struct RankedIDs: @unchecked Sendable {
  // Sendable: a read-only view; the owner keeps the memory alive and unchanged.

  /// The flat ids.
  public enum Values {
    /// 32-bit ids (`<i4`).
    case int32(UnsafePointer<Int32>)
    /// 64-bit ids (`<i8`).
    case int64(UnsafePointer<Int64>)
  }

  /// The number of rows.
  public let rows: Int
  /// The ids per row (`K`): the largest k that can be evaluated.
  public let width: Int
  /// The ids from one row's start to the next's (`width` for a packed
  /// array; `K + 1` for an `.ivecs` file, whose rows each follow a count).
  public let stride: Int
  /// The ids.
  public let values: Values
  /// How the ids are read.
  public let reading: RankedIDReading
  /// The object keeping the ids alive, if the view holds one.
  public let owner: AnyObject?

  /// Creates a view of `rows · width` ids at `values`.
  ///
  /// - Parameters:
  ///   - rows: The number of rows.
  ///   - width: The ids per row.
  ///   - values: The flat ids, row-major.
  ///   - stride: The ids from one row's start to the next's (default: `width`).
  ///   - reading: The pad, the duplicate rule and the classes (default: pad
  ///     -1, repeated ids refused, no classes).
  ///   - owner: An object whose lifetime keeps the memory valid; nil if the
  ///     caller keeps it alive.
  public init(rows: Int, width: Int, values: Values, stride: Int? = nil,
              reading: RankedIDReading = RankedIDReading(), owner: AnyObject? = nil) {
    precondition(rows >= 0 && width >= 0 && (stride ?? width) >= width, "negative shape or overlapping rows")
    self.rows = rows
    self.width = width
    self.stride = stride ?? width
    self.values = values
    self.reading = reading
    self.owner = owner
  }

  /// The id at column `column` of row `row`, widened to 64 bits.
  @inlinable @inline(__always)
  public func id(row: Int, column: Int) -> Int64 {
    switch values {
    case .int32(let p): return Int64(p[row &* stride &+ column])
    case .int64(let p): return p[row &* stride &+ column]
    }
  }

  /// The bytes of one id.
  public var byteWidth: Int {
    switch values {
    case .int32: return 4
    case .int64: return 8
    }
  }
}

/// What a repeated id in one row of ranked ids means.
///
/// TensorFlow counts every copy as a hit (a row `[1, 1, 1]` against labels
/// `{1, 2}` has AP 1.5), which is no ranking at all; mapk refuses such a row
/// by default.
public enum DuplicateIDPolicy: String, Sendable, CaseIterable, Codable {
  /// Stop with ``MAPKError/duplicateID(row:id:)`` naming the first row (and
  /// its first repeated id) among the ids evaluated.
  case error
  /// The first copy is ranked; later copies are misses (the Kaggle `apk`).
  case first
}

/// How ranked ids are read: the pad, the duplicate rule, the classes.
public struct RankedIDReading: Sendable, Equatable, Hashable {
  /// The id that marks an empty position (FAISS's -1; pyxclib's `--pad-val`).
  /// A pad takes its position and never matches a label.
  public var pad: Int64
  /// What a repeated id in a row means.
  public var duplicates: DuplicateIDPolicy
  /// The number of classes, if known: labels `>= classes` are then cleaned
  /// as TensorFlow cleans them for dense scores (they become -1), and every k
  /// must be at most it. Without it labels are compared as they are, as
  /// TensorFlow's `_at_top_k` functions compare them.
  public var classes: Int?

  /// Creates a reading.
  public init(pad: Int64 = -1, duplicates: DuplicateIDPolicy = .error, classes: Int? = nil) {
    self.pad = pad
    self.duplicates = duplicates
    self.classes = classes
  }
}
