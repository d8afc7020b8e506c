/// Labels owned in memory, for Swift callers: a dense `[rows, width]` matrix
/// (-1 padding) or sparse rows given as offsets and values.
///
/// Every form is built from plain Swift values, no unsafe code: one array
/// per row (`[[Int]]`, `[[Int32]]`, `[[Int64]]`, any integer type), or a
/// flat row-major collection of `Int32` or `Int64` with a width.
public struct Labels: Sendable {
  enum Storage: Sendable {
    case dense(values: [Int64], width: Int)
    case dense32(values: [Int32], width: Int)
    case sparse(offsets: [Int64], values: [Int64])
  }

  let storage: Storage
  /// The number of rows.
  public let rows: Int

  /// Dense labels with TensorFlow's dense rules: `values` holds `rows · width`
  /// entries, row-major; negatives (padding) and labels `>= C` are ignored.
  ///
  /// - Throws: ``MAPKError/invalidLabels(_:)`` unless the values fill whole rows.
  public static func dense(_ values: [Int64], width: Int) throws -> Labels {
    try checkDense(count: values.count, width: width)
    return Labels(storage: .dense(values: values, width: width), rows: width == 0 ? 0 : values.count / width)
  }

  /// Dense 64-bit labels from any collection (an `ArraySlice`, a
  /// `ContiguousArray`, ...), with the same rules as an `[Int64]` array.
  ///
  /// - Throws: ``MAPKError/invalidLabels(_:)`` unless the values fill whole rows.
  public static func dense(_ values: some Collection<Int64>, width: Int) throws -> Labels {
    try dense(Array(values), width: width)
  }

  /// Dense 32-bit labels (`<i4` data), kept 32-bit: the kernel reads them as
  /// they are, with the same rules as 64-bit ones.
  ///
  /// - Throws: ``MAPKError/invalidLabels(_:)`` unless the values fill whole rows.
  public static func dense(_ values: some Collection<Int32>, width: Int) throws -> Labels {
    try checkDense(count: values.count, width: width)
    return Labels(storage: .dense32(values: Array(values), width: width), rows: width == 0 ? 0 : values.count / width)
  }

  private static func checkDense(count: Int, width: Int) throws {
    guard width >= 0, width == 0 ? count == 0 : count % width == 0 else {
      throw MAPKError.invalidLabels("\(count) dense label values do not fill rows of width \(width)")
    }
  }

  /// Dense labels from one array per row, padded with -1 to the longest row.
  ///
  /// A value beyond `Int64` (a huge `UInt64`) is clamped to `Int64.max`:
  /// it is `>= C`, ignored as it would be at its own value.
  public static func dense<Label: BinaryInteger>(rows: [[Label]]) -> Labels { denseRows(rows) }

  private static func denseRows<Label: BinaryInteger>(_ rows: [[Label]]) -> Labels {
    let width = rows.map(\.count).max() ?? 0
    var values: [Int64] = []
    values.reserveCapacity(rows.count * width)
    for r in rows {
      for v in r { values.append(Int64(clamping: v)) }
      values += repeatElement(-1, count: width - r.count)
    }
    if width == 0 {
      // No labels anywhere: one -1 per row keeps the uniform layout.
      return Labels(storage: .dense(values: Array(repeating: -1, count: rows.count), width: 1), rows: rows.count)
    }
    return Labels(storage: .dense(values: values, width: width), rows: rows.count)
  }

  /// Dense labels from one `[Int]` per row, as the generic overload (this
  /// one lets a literal such as `[]` or `[[1, 2]]` pick `Int`).
  public static func dense(rows: [[Int]]) -> Labels { denseRows(rows) }

  /// Sparse labels with TensorFlow's `SparseTensor` rules: row `r` holds
  /// `values[offsets[r] ..< offsets[r + 1]]`; `offsets` has `rows + 1` entries.
  ///
  /// - Throws: ``MAPKError/invalidLabels(_:)`` for offsets that do not start
  ///   at 0, decrease, or do not end at `values.count`.
  public static func sparse(offsets: [Int64], values: [Int64]) throws -> Labels {
    guard !offsets.isEmpty else { throw MAPKError.invalidLabels("sparse labels need rows + 1 offsets") }
    let labels = Labels(storage: .sparse(offsets: offsets, values: values), rows: offsets.count - 1)
    try labels.withRows { try $0.validate(valueCount: values.count) }
    return labels
  }

  /// Sparse labels from one array per row (TensorFlow `SparseTensor` rules).
  ///
  /// A value beyond `Int64` is clamped to `Int64.max` (`>= C`, so the one
  /// `-1` every such label becomes).
  public static func sparse<Label: BinaryInteger>(rows: [[Label]]) -> Labels { sparseRows(rows) }

  /// Sparse labels from one `[Int]` per row, as the generic overload (this
  /// one lets a literal such as `[]` or `[[1, 2]]` pick `Int`).
  public static func sparse(rows: [[Int]]) -> Labels { sparseRows(rows) }

  private static func sparseRows<Label: BinaryInteger>(_ rows: [[Label]]) -> Labels {
    var offsets: [Int64] = [0]
    var values: [Int64] = []
    for r in rows {
      for v in r { values.append(Int64(clamping: v)) }
      offsets.append(Int64(values.count))
    }
    return Labels(storage: .sparse(offsets: offsets, values: values), rows: rows.count)
  }

  /// Calls `body` with a view of these labels, valid during the call.
  public func withRows<R>(_ body: (LabelRows) throws -> R) rethrows -> R {
    switch storage {
    case .dense(let values, let width):
      return try values.withUnsafeBufferPointer { v in
        try body(LabelRows(rows: rows, offsets: .uniform(width: width),
                           values: .int64(v.baseAddress ?? UnsafePointer(bitPattern: 8)!), semantics: .dense))
      }
    case .dense32(let values, let width):
      return try values.withUnsafeBufferPointer { v in
        try body(LabelRows(rows: rows, offsets: .uniform(width: width),
                           values: .int32(v.baseAddress ?? UnsafePointer(bitPattern: 8)!), semantics: .dense))
      }
    case .sparse(let offsets, let values):
      return try offsets.withUnsafeBufferPointer { o in
        try values.withUnsafeBufferPointer { v in
          try body(LabelRows(rows: rows, offsets: .explicit(o.baseAddress!),
                             values: .int64(v.baseAddress ?? UnsafePointer(bitPattern: 8)!), semantics: .sparse))
        }
      }
    }
  }
}
