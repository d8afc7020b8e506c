/// Weights held in memory by a Swift caller.
public enum WeightValues: Sendable {
  /// No weights.
  case none
  /// One weight for every row.
  case scalar(Double)
  /// Weights of `shape`, broadcastable to the rows' shape (each dim equal or 1).
  case array([Double], shape: [Int])
  /// One weight per row.
  case perRow([Double])
}

extension WeightValues {
  /// Calls `body` with a kernel view of these weights for `rows` rows.
  ///
  /// - Throws: ``MAPKError`` for values that do not fill their shape, a shape
  ///   that does not broadcast or a bad weight; whatever `body` throws.
  package func withRowWeights<R>(rows: Int, _ body: (RowWeights) throws -> R) throws -> R {
    switch self {
    case .none: return try body(.none)
    case .scalar(let w): return try body(try .scalar(w))
    case .perRow(let values):
      return try WeightValues.array(values, shape: [values.count]).withRowWeights(rows: rows, body)
    case .array(let values, let shape):
      guard values.count == shape.reduce(1, *) else {
        throw MAPKError.shapeMismatch("\(values.count) weights do not fill the shape \(shape)")
      }
      return try values.withUnsafeBufferPointer { v in
        let base = v.baseAddress ?? UnsafePointer(bitPattern: 8)!
        return try body(try RowWeights(storage: .float64(base), weightShape: shape, rowShape: [rows]))
      }
    }
  }
}
