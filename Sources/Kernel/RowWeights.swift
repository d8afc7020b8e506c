/// Per-row weights with TensorFlow's broadcasting: none, one scalar, or an
/// array of rank N whose every dim equals the rows' dim or is 1.
public struct RowWeights: @unchecked Sendable {
  // Sendable: a read-only view of memory its owner keeps alive.

  /// Where the weight values live.
  public enum Storage {
    /// No weights: every row weighs 1.
    case none
    /// One weight for every row.
    case scalar(Double)
    /// `float64` values.
    case float64(UnsafePointer<Double>)
    /// `float32` values.
    case float32(UnsafePointer<Float>)
  }

  /// The storage.
  public let storage: Storage
  /// For each of the rows' dims, the weight array's stride (0 where broadcast).
  @usableFromInline let strides: [Int]
  /// The rows' dims (`[D1..DN]`).
  @usableFromInline let rowShape: [Int]
  /// The number of stored weight values.
  public let count: Int
  /// True when the weights have exactly the rows' shape (row r uses weight r).
  @usableFromInline let isPerRow: Bool
  /// The object keeping the stored values alive, if the view holds one.
  public let owner: AnyObject?

  /// No weights.
  public static let none = RowWeights(storage: .none, strides: [], rowShape: [], count: 0, isPerRow: false)

  /// One weight for every row.
  /// - Throws: ``MAPKError/invalidWeight(index:value:)`` if negative or not finite.
  public static func scalar(_ w: Double) throws -> RowWeights {
    guard w.isFinite && w >= 0 else { throw MAPKError.invalidWeight(index: 0, value: w) }
    return RowWeights(storage: .scalar(w), strides: [], rowShape: [], count: 1, isPerRow: false)
  }

  /// Weights of shape `weightShape` broadcast against rows of shape `rowShape`.
  ///
  /// - Parameters:
  ///   - storage: `.float64` or `.float32` values, row-major, `weightShape.product` of them.
  ///   - weightShape: Rank N (each dim equal to `rowShape`'s or 1), or `[]` for a scalar.
  ///   - rowShape: The leading dims of the predictions `[D1..DN]`.
  ///   - owner: An object whose lifetime keeps the values valid (held by the
  ///     weights and every copy); nil if the caller keeps them alive.
  /// - Throws: ``MAPKError/shapeMismatch(_:)`` for a shape TensorFlow rejects,
  ///   ``MAPKError/invalidWeight(index:value:)`` for a negative or non-finite value.
  /// - Complexity: O(number of weights): every value is checked once.
  public init(storage: Storage, weightShape: [Int], rowShape: [Int], owner: AnyObject? = nil) throws {
    let count = weightShape.reduce(1, *)
    let read: (Int) -> Double
    switch storage {
    case .float64(let p): read = { p[$0] }
    case .float32(let p): read = { Double(p[$0]) }
    case .none, .scalar: preconditionFailure("use .none or .scalar(_:)")
    }
    for i in 0..<count {
      let w = read(i)
      guard w.isFinite && w >= 0 else { throw MAPKError.invalidWeight(index: i, value: w) }
    }
    if weightShape.isEmpty {
      self = try .scalar(read(0))  // the value is copied: nothing to keep alive
      return
    }
    guard weightShape.count == rowShape.count,
      zip(weightShape, rowShape).allSatisfy({ $0 == $1 || $0 == 1 })
    else {
      throw MAPKError.shapeMismatch(
        "weights of shape \(weightShape) do not broadcast to the rows' shape \(rowShape) "
          + "(rank \(rowShape.count), each dim equal or 1)")
    }
    var strides = [Int](repeating: 0, count: weightShape.count)
    var step = 1
    for d in stride(from: weightShape.count - 1, through: 0, by: -1) {
      strides[d] = weightShape[d] == 1 ? 0 : step
      step *= weightShape[d]
    }
    self.init(storage: storage, strides: strides, rowShape: rowShape, count: count,
              isPerRow: weightShape == rowShape, owner: owner)
  }

  init(storage: Storage, strides: [Int], rowShape: [Int], count: Int, isPerRow: Bool, owner: AnyObject? = nil) {
    self.storage = storage
    self.strides = strides
    self.rowShape = rowShape
    self.count = count
    self.isPerRow = isPerRow
    self.owner = owner
  }

  /// True when no weights were given.
  public var isNone: Bool {
    if case .none = storage { return true }
    return false
  }

  /// The weight of flat row `r`.
  @inlinable
  public func weight(ofRow r: Int) -> Double {
    switch storage {
    case .none: return 1
    case .scalar(let w): return w
    case .float64(let p): return p[index(ofRow: r)]
    case .float32(let p): return Double(p[index(ofRow: r)])
    }
  }

  /// The stored weight that row `r` uses.
  @inlinable
  func index(ofRow r: Int) -> Int {
    if isPerRow { return r }
    var rest = r, index = 0
    for d in stride(from: rowShape.count - 1, through: 0, by: -1) {
      let (q, i) = rest.quotientAndRemainder(dividingBy: rowShape[d])
      index += i * strides[d]
      rest = q
    }
    return index
  }
}
