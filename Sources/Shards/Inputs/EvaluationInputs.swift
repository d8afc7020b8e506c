/// The files of one evaluation, opened, mapped and checked against each other.
///
/// It keeps every mapping (and any labels parsed into memory) alive; the
/// views it hands out (``scores``, ``labels``, ``weights``) are valid while it is.
public final class EvaluationInputs: @unchecked Sendable {
  // Sendable: immutable after init; the views read memory it keeps alive.

  /// The predictions file.
  public let predictions: NPYArray
  /// The labels file's path.
  public let labelsPath: String
  /// The labels format actually used.
  public let labelFormat: LabelFormat
  /// The weights file, if any.
  public let weightsArray: NPYArray?
  /// The rows' dims `[D1..DN]` (the predictions' shape without the last dim).
  public let rowShape: [Int]
  /// The scores view.
  public let scores: ScoreMatrix
  /// The labels view.
  public let labels: LabelRows
  /// The weights view.
  public let weights: RowWeights
  /// Every mapped file (for the size check after a run).
  let files: [MappedFile]
  /// Memory the labels were parsed into, if they were (text, CSR).
  let ownedLabels: ParsedLabels?

  /// The number of rows.
  public var rows: Int { scores.rows }
  /// The number of classes.
  public var classes: Int { scores.classes }
  /// The bytes of all input files.
  public var byteCount: Int { files.reduce(0) { $0 + $1.size } }

  /// Opens the inputs of one evaluation.
  ///
  /// - Parameters:
  ///   - predictions: A `.npy` of `<f2 <f4 <f8` scores, shape `[D1..DN, C]`.
  ///   - labels: The labels file.
  ///   - weights: An optional `.npy` of `<f4 <f8` weights, shape `[]` or broadcastable to `[D1..DN]`.
  ///   - labelFormat: The labels' format; default from the extension.
  ///   - threads: Workers for parsing labels that need it.
  /// - Throws: ``FileError`` naming the file and the problem.
  public init(predictions: String, labels: String, weights: String? = nil, labelFormat: LabelFormat? = nil,
              threads: Int = Evaluator.activeProcessorCount) throws {
    let pred = try NPYArray(path: predictions)
    guard let scoreType = pred.type.scoreType else {
      throw FileError(path: predictions, problem: "predictions must be float16, float32 or float64 (found \(pred.type.rawValue))", kind: .unsupportedType)
    }
    guard let classes = pred.shape.last else {
      throw FileError(path: predictions, problem: "predictions must have rank >= 1 ([D1..DN, C]), found a scalar", kind: .shapeMismatch)
    }
    let rowShape = Array(pred.shape.dropLast())
    let rows = rowShape.reduce(1, *)
    guard classes > 0 else {
      // No k can be ranked among zero classes; refusing here also keeps label
      // readers from sizing anything by a row count no score backs.
      throw FileError(path: predictions, problem: "predictions have no classes (shape \(pred.shape))", kind: .shapeMismatch)
    }
    guard classes <= Int(Int32.max) else {
      throw FileError(path: predictions, problem: "\(classes) classes exceed the supported 2^31 - 1", kind: .tooLarge)
    }
    self.predictions = pred
    self.rowShape = rowShape
    self.scores = ScoreMatrix(base: pred.data, rows: rows, classes: classes, type: scoreType)

    guard let format = labelFormat ?? LabelFormat.inferred(fromPath: labels) else {
      throw FileError(path: labels, problem: "cannot tell the label format from the extension", kind: .unknownFormat)
    }
    self.labelsPath = labels
    self.labelFormat = format
    var files = [pred.file]
    switch format {
    case .dense:
      let array = try NPYArray(path: labels)
      files.append(array.file)
      self.labels = try Self.denseLabels(array, rowShape: rowShape, predictionsShape: pred.shape)
      self.ownedLabels = nil
    case .text, .csr:
      let parsed = try ParsedLabels(path: labels, format: format, rows: rows, threads: threads)
      files.append(contentsOf: parsed.files)
      self.labels = parsed.rows
      self.ownedLabels = parsed
    }

    if let weights {
      let array = try NPYArray(path: weights)
      files.append(array.file)
      let storage: RowWeights.Storage
      switch array.type {
      case .float64: storage = .float64(array.data.assumingMemoryBound(to: Double.self))
      case .float32: storage = .float32(array.data.assumingMemoryBound(to: Float.self))
      default:
        throw FileError(path: weights, problem: "weights must be float32 or float64 (found \(array.type.rawValue))", kind: .unsupportedType)
      }
      do {
        self.weights = try RowWeights(storage: storage, weightShape: array.shape, rowShape: rowShape)
      } catch let e as MAPKError {
        throw FileError(path: weights, e)
      }
      self.weightsArray = array
    } else {
      self.weights = .none
      self.weightsArray = nil
    }
    self.files = files
  }

  static func denseLabels(_ array: NPYArray, rowShape: [Int], predictionsShape: [Int]) throws -> LabelRows {
    let values: LabelRows.Values
    switch array.type {
    case .int64: values = .int64(array.data.assumingMemoryBound(to: Int64.self))
    case .int32: values = .int32(array.data.assumingMemoryBound(to: Int32.self))
    default:
      throw FileError(path: array.path, problem: "dense labels must be int32 or int64 (found \(array.type.rawValue))", kind: .unsupportedType)
    }
    let width: Int
    if array.shape.count == rowShape.count + 1 && Array(array.shape.dropLast()) == rowShape {
      width = array.shape[array.shape.count - 1]
    } else if array.shape == rowShape {
      width = 1
    } else {
      throw FileError(
        path: array.path,
        problem: "labels of shape \(array.shape) do not match predictions of shape \(predictionsShape) "
          + "(expected [\((rowShape.map(String.init) + ["L"]).joined(separator: ", "))] or \(rowShape))",
        kind: .shapeMismatch)
    }
    // Width 0 ([D1..DN, 0]) is valid: every row is empty.
    return LabelRows(rows: rowShape.reduce(1, *), offsets: .uniform(width: width), values: values, semantics: .dense)
  }

  /// Checks that no input changed size during the run.
  /// - Throws: ``FileError`` for the first file that did.
  public func checkUnchanged() throws {
    for f in files { try f.checkUnchanged() }
  }
}
