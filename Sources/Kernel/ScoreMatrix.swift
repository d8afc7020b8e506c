/// The element type of a score matrix.
public enum ScoreType: String, Sendable, CaseIterable, Codable {
  /// IEEE binary16 (`<f2`).
  case float16
  /// IEEE binary32 (`<f4`).
  case float32
  /// IEEE binary64 (`<f8`).
  case float64

  /// Bytes per element.
  public var byteWidth: Int {
    switch self {
    case .float16: return 2
    case .float32: return 4
    case .float64: return 8
    }
  }
}

/// A read-only, row-major `[rows, classes]` view of scores in memory.
///
/// A view, not an owner: whoever creates it keeps the memory alive and
/// unchanged while it is used (a mapped file, an array's buffer).
public struct ScoreMatrix: @unchecked Sendable {
  // Sendable: the memory is only ever read, by any number of threads.
  /// The first score of row 0.
  public let base: UnsafeRawPointer
  /// The number of rows.
  public let rows: Int
  /// The number of classes (scores per row).
  public let classes: Int
  /// The element type.
  public let type: ScoreType

  /// Creates a view of `rows · classes` contiguous scores of `type` at `base`,
  /// which must be aligned to the element size.
  public init(base: UnsafeRawPointer, rows: Int, classes: Int, type: ScoreType) {
    precondition(rows >= 0 && classes >= 0, "negative shape")
    precondition(Int(bitPattern: base) % type.byteWidth == 0, "misaligned scores")
    self.base = base
    self.rows = rows
    self.classes = classes
    self.type = type
  }

  /// The bytes a full pass reads.
  public var byteCount: Int { rows * classes * type.byteWidth }
}
