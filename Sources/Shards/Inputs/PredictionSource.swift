/// What kind of predictions a file holds.
///
/// Dense scores today; ranked ids (`[rows, k]` class ids, best first) and
/// sparse scores come next, each a case here and a reader.
package enum PredictionKind: String, Sendable, CaseIterable {
  /// `[D1..DN, C]` float scores, one per class.
  case denseScores
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
  /// The scores view.
  package let scores: ScoreMatrix

  /// Reads the predictions at `path` as `kind`.
  /// - Throws: ``FileError`` naming the file and the problem.
  package static func read(path: String, kind: PredictionKind = .denseScores) throws -> PredictionSource {
    switch kind {
    case .denseScores:
      let (file, member) = FileFormat.splitMember(path)
      let format = FileFormat.arrayFormat(path: file)
      // The one routing point of an `.npz` holding a scipy sparse matrix: it is
      // sparse scores, not a dense array, and is not read as dense scores.
      if format == .npz, member == nil {
        let archive = try NPZArrays(path: file)
        if archive.isSparseMatrix {
          throw FileError(path: file, problem: "holds a scipy sparse matrix (members \(archive.sortedNames)), "
                          + "not a dense score array", kind: .unsupportedType)
        }
      }
      return try denseScores(format.readArray(path: file, member: member))
    }
  }

  /// `[D1..DN, C]` float scores, viewed in place.
  static func denseScores(_ pred: StoredArray) throws -> PredictionSource {
    let predictions = pred.path
    let scoreType: ScoreType
    switch pred.type {
    case .float16: scoreType = .float16
    case .float32: scoreType = .float32
    case .float64: scoreType = .float64
    case .int32, .int64, .bool:
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
