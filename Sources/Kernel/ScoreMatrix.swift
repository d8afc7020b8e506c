/// The element type of a score matrix.
public enum ScoreType: String, Sendable, CaseIterable, Codable {
  /// IEEE binary16 (`<f2`).
  case float16
  /// IEEE binary32 (`<f4`).
  case float32
  /// IEEE binary64 (`<f8`).
  case float64
  /// bfloat16 (safetensors `BF16`): the top 16 bits of a binary32 (sign, 8
  /// exponent bits, 7 fraction bits), so every value is exactly a `Float`.
  /// Ranked through the same order-preserving 16-bit keys as ``ScoreType/float16``.
  case bfloat16

  /// Bytes per element.
  public var byteWidth: Int {
    switch self {
    case .float16, .bfloat16: return 2
    case .float32: return 4
    case .float64: return 8
    }
  }
}

/// A read-only, row-major `[rows, classes]` view of scores in memory.
///
/// A view that can keep its storage alive: a reader sets ``owner`` to the
/// object owning the memory (a mapping), so the view stays valid for as
/// long as it is held. A view made with `owner: nil` is valid only while its
/// creator keeps the memory alive and unchanged (an array's buffer inside
/// `withUnsafeBytes`).
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
  /// The object keeping the memory at ``base`` alive, if the view holds one.
  public let owner: AnyObject?

  /// Creates a view of `rows · classes` contiguous scores of `type` at `base`,
  /// which must be aligned to the element size.
  ///
  /// - Parameters:
  ///   - base: The first score (row 0, class 0).
  ///   - rows: The number of rows.
  ///   - classes: The number of classes (scores per row).
  ///   - type: The scores' element type.
  ///   - owner: An object whose lifetime keeps the memory valid
  ///     (held by the view and every copy of it); nil if the caller keeps it alive.
  public init(base: UnsafeRawPointer, rows: Int, classes: Int, type: ScoreType, owner: AnyObject? = nil) {
    precondition(rows >= 0 && classes >= 0, "negative shape")
    precondition(Int(bitPattern: base) % type.byteWidth == 0, "misaligned scores")
    self.base = base
    self.rows = rows
    self.classes = classes
    self.type = type
    self.owner = owner
  }

  /// The bytes a full pass reads.
  public var byteCount: Int { rows * classes * type.byteWidth }
}
