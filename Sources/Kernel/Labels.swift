/// Labels owned in memory, for Swift callers: a dense `[rows, width]` matrix
/// (-1 padding) or sparse rows given as offsets and values.
public struct Labels: Sendable {
  enum Storage: Sendable {
    case dense(values: [Int64], width: Int)
    case sparse(offsets: [Int64], values: [Int64])
  }

  let storage: Storage
  /// The number of rows.
  public let rows: Int

  /// Dense labels with TensorFlow's dense rules: `values` holds `rows · width`
  /// entries, row-major; negatives (padding) and labels `>= C` are ignored.
  public static func dense(_ values: [Int64], width: Int) throws -> Labels {
    guard width >= 0, width == 0 ? values.isEmpty : values.count % width == 0 else {
      throw MAPKError.invalidLabels("\(values.count) dense label values do not fill rows of width \(width)")
    }
    return Labels(storage: .dense(values: values, width: width), rows: width == 0 ? 0 : values.count / width)
  }

  /// Dense labels from one array per row, padded with -1 to the longest row.
  public static func dense(rows: [[Int]]) -> Labels {
    let width = rows.map(\.count).max() ?? 0
    var values: [Int64] = []
    values.reserveCapacity(rows.count * width)
    for r in rows { values += r.map(Int64.init) + Array(repeating: -1, count: width - r.count) }
    if width == 0 {
      // No labels anywhere: one -1 per row keeps the uniform layout.
      return Labels(storage: .dense(values: Array(repeating: -1, count: rows.count), width: 1), rows: rows.count)
    }
    return Labels(storage: .dense(values: values, width: width), rows: rows.count)
  }

  /// Sparse labels with TensorFlow's `SparseTensor` rules: row `r` holds
  /// `values[offsets[r] ..< offsets[r + 1]]`; `offsets` has `rows + 1` entries.
  public static func sparse(offsets: [Int64], values: [Int64]) throws -> Labels {
    guard !offsets.isEmpty else { throw MAPKError.invalidLabels("sparse labels need rows + 1 offsets") }
    let labels = Labels(storage: .sparse(offsets: offsets, values: values), rows: offsets.count - 1)
    try labels.withRows { try $0.validate(valueCount: values.count) }
    return labels
  }

  /// Sparse labels from one array per row (TensorFlow `SparseTensor` rules).
  public static func sparse(rows: [[Int]]) -> Labels {
    var offsets: [Int64] = [0]
    var values: [Int64] = []
    for r in rows {
      values += r.map(Int64.init)
      offsets.append(Int64(values.count))
    }
    return Labels(storage: .sparse(offsets: offsets, values: values), rows: rows.count)
  }

  /// Calls `body` with a view of these labels.
  public func withRows<R>(_ body: (LabelRows) throws -> R) rethrows -> R {
    switch storage {
    case .dense(let values, let width):
      return try values.withUnsafeBufferPointer { v in
        try body(LabelRows(rows: rows, offsets: .uniform(width: width),
                           values: .int64(v.baseAddress ?? UnsafePointer(bitPattern: 8)!), semantics: .dense))
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
