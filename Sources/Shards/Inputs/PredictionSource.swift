/// What kind of predictions a file holds.
///
/// A new kind is a case here, its branch in ``PredictionSource/read(path:kind:reading:)``
/// and its view in ``PredictionSource/View``.
package enum PredictionKind: String, Sendable, CaseIterable {
  /// `[D1..DN, C]` float scores, one per class.
  case denseScores
  /// `[D1..DN, K]` integer class ids, best first (TensorFlow's `predictions_idx`).
  case rankedIDs
  /// A `[N, C]` scipy CSR matrix of scores: each row's stored entries are its candidates.
  case sparseScores

  /// The kind an array of `type` holds: integers are ranked ids, floats scores.
  package static func of(_ type: NPYType) -> PredictionKind {
    switch type {
    case .float16, .float32, .float64, .bfloat16, .bool: return .denseScores
    case .int32, .int64, .uint8, .uint16, .uint32, .uint64: return .rankedIDs
    }
  }
}

/// Predictions as read from their file: the kind, the array, and the view
/// the evaluator reads (which holds the array's owner).
package struct PredictionSource: @unchecked Sendable {
  // Sendable: immutable; the view's memory is owned by `array.owner`.

  /// The kind.
  package let kind: PredictionKind
  /// The array they were read from.
  package let array: StoredArray
  /// The rows' dims `[D1..DN]` (the array's shape without the last dim).
  package let rowShape: [Int]
  /// The view the evaluator reads, one per kind.
  package enum View {
    /// Dense scores.
    case scores(ScoreMatrix)
    /// Ranked ids.
    case rankedIDs(RankedIDs)
    /// Sparse scores (``PredictionKind/sparseScores``; ``PredictionSource/array``
    /// is then the matrix as a whole: `data`'s dtype, shape `[N, C]`).
    case sparseScores(SparseScores)
    /// Dense scores or ranked ids read once from a stream (stdin, a FIFO, a
    /// deflated `.npz` member of scores): ``PredictionSource/kind`` tells which.
    case stream(ScoreStream)
  }

  /// The view the evaluator reads.
  package let view: View

  /// The scores view of dense scores (ranked ids have none: evaluate them
  /// through ``view``).
  package var scores: ScoreMatrix {
    guard case .scores(let s) = view else { preconditionFailure("ranked ids and streams have no scores view") }
    return s
  }

  /// The predictions' last dimension: the classes of scores, the K of ranked ids.
  package var width: Int {
    switch view {
    case .scores(let s): return s.classes
    case .rankedIDs(let ids): return ids.width
    case .sparseScores(let s): return s.width
    case .stream(let s): return s.classes
    }
  }

  /// Creates a source of dense scores.
  init(kind: PredictionKind, array: StoredArray, rowShape: [Int], scores: ScoreMatrix) {
    self.init(kind: kind, array: array, rowShape: rowShape, view: .scores(scores))
  }

  /// Creates a source.
  init(kind: PredictionKind, array: StoredArray, rowShape: [Int], view: View) {
    self.kind = kind
    self.array = array
    self.rowShape = rowShape
    self.view = view
  }

  /// Reads the predictions at `path` as `kind` (default: the kind its
  /// element type holds, ``PredictionKind/of(_:)``).
  ///
  /// - Parameters:
  ///   - path: The file, or `FILE:NAME` for an array of a container (`.npz`, `.safetensors`).
  ///   - kind: What the predictions mean; nil: what their element type says.
  ///   - reading: How ranked ids are read (ignored for scores).
  /// - Throws: ``FileError`` naming the file and the problem.
  package static func read(path: String, kind: PredictionKind? = nil,
                           reading: RankedIDReading = RankedIDReading(), streaming: Bool = false) throws -> PredictionSource {
    if streaming, kind != .sparseScores, let source = try streamed(path: path, reading: reading) {
      guard kind == nil || kind == source.kind else {
        throw FileError(path: path, problem: "is a stream of \(source.kind == .rankedIDs ? "ranked ids" : "scores"), "
                        + "not of \(kind == .rankedIDs ? "ranked ids" : "scores")", kind: .unsupportedType)
      }
      return source
    }
    let (file, member) = FileFormat.splitMember(path)
    let format = FileFormat.arrayFormat(path: file)
    // The one routing point of an `.npz` holding a scipy sparse matrix: it is
    // sparse scores, not a dense array, and is not read as dense scores.
    if format == .npz, member == nil {
      let archive = try NPZArrays(path: file)
      if archive.isSparseMatrix { return try SparseScoreFile.read(archive) }
    }
    let array = try format.readArray(path: file, member: member).signedWidening()
    switch kind ?? PredictionKind.of(array.type) {
    case .denseScores:
      return try denseScores(array)
    case .rankedIDs:
      return try rankedIDs(array, reading: reading)
    case .sparseScores:
      throw FileError(path: file, problem: "is not a scipy sparse matrix (save it with scipy.sparse.save_npz)",
                      kind: .unsupportedType)
    }
  }

  /// `[D1..DN, K]` int32/int64 ranked ids, viewed in place.
  package static func rankedIDs(_ pred: StoredArray, reading: RankedIDReading) throws -> PredictionSource {
    var values: RankedIDs.Values
    switch pred.type {
    case .int32: values = .int32(pred.data.assumingMemoryBound(to: Int32.self))
    case .int64: values = .int64(pred.data.assumingMemoryBound(to: Int64.self))
    case .float16, .float32, .float64, .bfloat16, .bool, .uint8, .uint16, .uint32, .uint64:
      throw FileError(path: pred.path, problem: "ranked ids must be int32 or int64 (found \(pred.type.rawValue))",
                      kind: .unsupportedType)
    }
    // An .ivecs file is an int32 [N, K + 1] array: each row's count, then its K ids.
    let skip = pred.origin.format == .ivecs ? 1 : 0
    if skip == 1, case .int32(let p) = values { values = .int32(p + 1) }
    guard let width = pred.shape.last.map({ $0 - skip }) else {
      throw FileError(path: pred.path, problem: "ranked ids must have rank >= 1 ([D1..DN, K]), found a scalar",
                      kind: .shapeMismatch)
    }
    guard width > 0 else {
      throw FileError(path: pred.path, problem: "ranked ids have no columns (shape \(pred.shape))",
                      kind: .shapeMismatch)
    }
    let rowShape = Array(pred.shape.dropLast())
    let ids = RankedIDs(rows: rowShape.reduce(1, *), width: width, values: values, stride: width + skip,
                        reading: reading, owner: pred.owner)
    return PredictionSource(kind: .rankedIDs, array: pred, rowShape: rowShape, view: .rankedIDs(ids))
  }

  /// `[D1..DN, C]` float scores, viewed in place.
  static func denseScores(_ pred: StoredArray) throws -> PredictionSource {
    let predictions = pred.path
    let scoreType: ScoreType
    switch pred.type {
    case .float16: scoreType = .float16
    case .float32: scoreType = .float32
    case .float64: scoreType = .float64
    case .bfloat16: scoreType = .bfloat16
    case .int32, .int64, .bool, .uint8, .uint16, .uint32, .uint64:
      throw FileError(path: predictions,
                      problem: "predictions must be float16, float32 or float64 (found \(pred.type.rawValue))",
                      kind: .unsupportedType)
    }
    guard let classes = pred.shape.last else {
      throw FileError(path: predictions, problem: "predictions must have rank >= 1 ([D1..DN, C]), found a scalar",
                      kind: .shapeMismatch)
    }
    let rowShape = Array(pred.shape.dropLast())
    let rows = rowShape.reduce(1, *)
    guard classes > 0 else {
      // No k can be ranked among zero classes; refusing here also keeps label
      // readers from sizing anything by a row count no score backs.
      throw FileError(path: predictions, problem: "predictions have no classes (shape \(pred.shape))",
                      kind: .shapeMismatch)
    }
    guard classes <= Int(Int32.max) else {
      throw FileError(path: predictions, problem: "\(classes) classes exceed the supported 2^31 - 1", kind: .tooLarge)
    }
    return PredictionSource(
      kind: .denseScores, array: pred, rowShape: rowShape,
      scores: ScoreMatrix(base: pred.data, rows: rows, classes: classes, type: scoreType, owner: pred.owner))
  }
}
