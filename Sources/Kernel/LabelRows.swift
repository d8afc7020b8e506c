/// A read-only view of every row's labels in one compact layout: row offsets
/// into a flat array of values.
///
/// Dense `[rows, L]` labels are the case where row `r` spans `r·L ..< (r+1)·L`
/// (no offsets stored, -1 padding allowed); sparse labels (text lines, CSR)
/// carry explicit offsets, `rows + 1` of them, non-decreasing.
public struct LabelRows: @unchecked Sendable {
  // Sendable: a read-only view; the owner keeps the memory alive and unchanged.
  //
  // `owner` (set by the readers) makes the view keep that memory alive itself,
  // so it may outlive the inputs object it came from.

  /// Where each row's values start and end.
  public enum Offsets {
    /// Every row has the same number of values (dense labels).
    case uniform(width: Int)
    /// `rows + 1` non-decreasing offsets into the values.
    case explicit(UnsafePointer<Int64>)
  }

  /// The flat label values.
  public enum Values {
    /// 32-bit labels (`<i4`).
    case int32(UnsafePointer<Int32>)
    /// 64-bit labels (`<i8`).
    case int64(UnsafePointer<Int64>)
  }

  /// The number of rows.
  public let rows: Int
  /// The row layout.
  public let offsets: Offsets
  /// The values.
  public let values: Values
  /// How a row's labels are counted.
  public let semantics: LabelSemantics
  /// The object keeping the offsets and values alive, if the view holds one.
  public let owner: AnyObject?

  /// Creates a view.
  ///
  /// - Parameters:
  ///   - rows: The number of rows.
  ///   - offsets: The row layout; explicit offsets must hold `rows + 1`
  ///     entries starting at 0 (checked by ``validate(valueCount:)``).
  ///   - values: The flat values.
  ///   - semantics: Dense (`.npy`) or sparse (text, CSR) counting rules.
  ///   - owner: An object whose lifetime keeps the memory valid (held by the
  ///     view and every copy of it); nil if the caller keeps it alive.
  public init(rows: Int, offsets: Offsets, values: Values, semantics: LabelSemantics, owner: AnyObject? = nil) {
    self.rows = rows
    self.offsets = offsets
    self.values = values
    self.semantics = semantics
    self.owner = owner
  }

  /// The value range of row `r`.
  @inlinable @inline(__always)
  public func range(ofRow r: Int) -> Range<Int> {
    switch offsets {
    case .uniform(let width): return (r * width)..<((r + 1) * width)
    case .explicit(let o): return Int(o[r])..<Int(o[r + 1])
    }
  }

  /// The value at flat position `i`, widened to 64 bits.
  @inlinable @inline(__always)
  public func value(at i: Int) -> Int64 {
    switch values {
    case .int32(let p): return Int64(p[i])
    case .int64(let p): return p[i]
    }
  }

  /// Checks explicit offsets: first 0, non-decreasing, last equal to `valueCount`.
  ///
  /// - Complexity: O(rows).
  /// - Throws: ``MAPKError/invalidLabels(_:)`` naming the first bad row.
  public func validate(valueCount: Int) throws {
    guard case .explicit(let o) = offsets else { return }
    guard o[0] == 0 else { throw MAPKError.invalidLabels("row offsets must start at 0 (got \(o[0]))") }
    for r in 0..<rows where o[r + 1] < o[r] {
      throw MAPKError.invalidLabels("row offsets decrease at row \(r) (\(o[r]) then \(o[r + 1]))")
    }
    guard o[rows] == Int64(valueCount) else {
      throw MAPKError.invalidLabels("row offsets end at \(o[rows]) but there are \(valueCount) values")
    }
  }
}
