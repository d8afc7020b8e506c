/// Scores held in memory by a Swift caller, for the same parallel path as a
/// mapped file.
public protocol ScoreElement: BinaryFloatingPoint, Sendable {
  /// The element type the kernel reads.
  static var scoreType: ScoreType { get }
}

extension Float: ScoreElement {
  /// `float32`.
  public static var scoreType: ScoreType { .float32 }
}

extension Double: ScoreElement {
  /// `float64`.
  public static var scoreType: ScoreType { .float64 }
}

#if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
extension Float16: ScoreElement {
  /// `float16`.
  public static var scoreType: ScoreType { .float16 }
}
#endif

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

extension Evaluator {
  /// Evaluates scores in memory: `scores` holds `rows · classes` values,
  /// row-major; the rows are `labels.rows`.
  ///
  /// The same chunked, parallel path as for a mapped file, with the same bits.
  ///
  /// - Parameters:
  ///   - scores: Row-major scores (`[Float]`, `[Float16]`, `[Double]`, or any
  ///     contiguous collection of them).
  ///   - classes: Scores per row.
  ///   - labels: One row of labels per score row.
  ///   - weights: Weights (default none).
  ///   - configuration: The ks and policies.
  /// - Returns: The exact state of the rows.
  /// - Throws: ``MAPKError`` for mismatched shapes, bad weights, a k above the
  ///   classes or a NaN score under the `error` policy.
  public func evaluate<Element: ScoreElement>(
    scores: some ContiguousCollection<Element>, classes: Int, labels: Labels, weights: WeightValues = .none,
    configuration: MAPConfiguration
  ) throws -> MAPState {
    guard classes > 0 ? scores.count % classes == 0 && scores.count / classes == labels.rows : labels.rows == 0 else {
      throw MAPKError.shapeMismatch(
        "\(scores.count) scores do not make \(labels.rows) rows of \(classes) classes")
    }
    return try scores.withContiguousStorage { buffer in
      let base = UnsafeRawPointer(buffer.baseAddress) ?? UnsafeRawPointer(bitPattern: 64)!
      let matrix = ScoreMatrix(base: base, rows: labels.rows, classes: classes, type: Element.scoreType)
      return try weights.withRowWeights(rows: labels.rows) { rowWeights in
        try labels.withRows { labelRows in
          try evaluate(scores: matrix, labels: labelRows, weights: rowWeights, configuration: configuration)
        }
      }
    }
  }
}

/// A collection that can lend its elements as one contiguous buffer.
public protocol ContiguousCollection<Element>: Collection {
  /// Calls `body` with the elements' contiguous storage.
  func withContiguousStorage<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R
}

extension Array: ContiguousCollection {
  /// Calls `body` with the array's buffer.
  public func withContiguousStorage<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
    try withUnsafeBufferPointer(body)
  }
}

extension ContiguousArray: ContiguousCollection {
  /// Calls `body` with the array's buffer.
  public func withContiguousStorage<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
    try withUnsafeBufferPointer(body)
  }
}

extension UnsafeBufferPointer: ContiguousCollection {
  /// Calls `body` with this buffer.
  public func withContiguousStorage<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
    try body(self)
  }
}

extension WeightValues {
  /// Calls `body` with a kernel view of these weights for `rows` rows.
  func withRowWeights<R>(rows: Int, _ body: (RowWeights) throws -> R) throws -> R {
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
