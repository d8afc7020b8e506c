/// The files of one evaluation, opened, mapped and checked against each other.
///
/// The views it hands out (``scores``, ``labels``, ``weights``) each hold a
/// reference to the object owning their memory (the mapping, or the labels
/// parsed into memory), so they stay valid after this object is gone.
public final class EvaluationInputs: @unchecked Sendable {
  // Sendable: immutable after init; the views read memory their owners keep alive.

  /// The predictions, as read.
  package let predictions: PredictionSource
  /// The labels, as read.
  package let labelSource: LabelSource
  /// The weights array, if any.
  package let weightsArray: StoredArray?
  /// The predictions file's path.
  public var predictionsPath: String { predictions.array.path }
  /// The labels file's path.
  public var labelsPath: String { labelSource.path }
  /// The weights file's path, if any.
  public var weightsPath: String? { weightsArray?.path }
  /// What the readers noticed about the files without refusing them.
  public var warnings: [InputWarning] { labelSource.warnings }
  /// The labels format actually used.
  public var labelFormat: LabelFormat { labelSource.format }
  /// The rows' dims `[D1..DN]` (the predictions' shape without the last dim).
  public var rowShape: [Int] { predictions.rowShape }
  /// The scores view of dense-score predictions (it keeps its mapping
  /// alive). Ranked ids have none (``rankedIDs``); ``Evaluator/evaluate(_:configuration:rows:perRow:progress:)``
  /// evaluates either kind.
  public var scores: ScoreMatrix { predictions.scores }
  /// The ranked-ids view, if the predictions are ranked ids (it keeps its mapping alive).
  public var rankedIDs: RankedIDs? {
    if case .rankedIDs(let ids) = predictions.view { return ids }
    return nil
  }
  /// How the ranked ids are read (the pad, the duplicate rule, the classes),
  /// if the predictions are ranked ids, mapped or streamed.
  public var rankedIDReading: RankedIDReading? {
    switch predictions.view {
    case .rankedIDs(let ids): return ids.reading
    case .stream(let stream) where predictions.kind == .rankedIDs: return stream.reading
    case .scores, .sparseScores, .stream: return nil
    }
  }
  /// The labels view (it keeps its memory alive).
  public var labels: LabelRows { labelSource.rows }
  /// The weights view (it keeps its mapping alive).
  public let weights: RowWeights
  /// The exclusions (`--exclude`), read as labels are, if any: each row's
  /// classes (ids) removed from its ranking before the top k.
  package let exclusionSource: LabelSource?
  /// The exclusions' view, if any (it keeps its memory alive).
  public var exclusions: LabelRows? { exclusionSource?.rows }
  /// Every mapped file (for the size check after a run).
  let files: [MappedFile]

  /// The number of rows.
  public var rows: Int { predictions.rowShape.reduce(1, *) }
  /// The predictions' last dimension: the number of classes of scores, the
  /// ids per row (K) of ranked ids.
  public var classes: Int { predictions.width }
  /// The bytes of all input files.
  public var byteCount: Int {
    // A stream has no size of its own: its header and rows are what is read.
    let streamed: Int
    if case .stream(let s) = predictions.view, predictions.array.file.isStream { streamed = s.headerBytes + s.dataBytes } else { streamed = 0 }
    return files.reduce(0) { $0 + $1.size } + streamed
  }

  /// Opens the inputs of one evaluation.
  ///
  /// - Parameters:
  ///   - predictions: A `.npy` of `<f2 <f4 <f8` scores, shape `[D1..DN, C]`,
  ///     or of `<i4 <i8` ranked ids, shape `[D1..DN, K]`, or such an array in a
  ///     container: `FILE.npz[:NAME]`, `FILE.safetensors[:NAME]`.
  ///   - labels: The labels file.
  ///   - weights: An optional `.npy` of `<f4 <f8` weights, shape `[]` or broadcastable to `[D1..DN]`.
  ///   - labelFormat: The labels' format; default from the extension.
  ///   - threads: Workers for parsing labels that need it.
  ///   - rankedIDs: How integer predictions (ranked ids) are read: the pad,
  ///     the duplicate rule, the classes.
  ///   - exclude: Classes to remove from each row's ranking, in any label
  ///     format (its format from the extension), one row per row.
  ///   - streaming: Read the predictions as a stream where they are one: `-`
  ///     (standard input), a pipe or FIFO (a `.npy` by content), or a deflated
  ///     `.npz` member of scores or ranked ids (inflated chunk by chunk). The rows can then
  ///     be evaluated once, in increasing order, and ``scores`` must not be used.
  ///     With `exclude` too (the exclusions are read from their file).
  /// - Throws: ``FileError`` naming the file and the problem.
  public init(predictions: String, labels: String, weights: String? = nil, labelFormat: LabelFormat? = nil,
              threads: Int = Evaluator.activeProcessorCount,
              rankedIDs: RankedIDReading = RankedIDReading(), exclude: String? = nil,
              streaming: Bool = false) throws {
    // With exclusions a stream is read as without: the exclusions are a file (mapped or parsed), the stream's
    // rows are handed to the workers as they arrive.
    let pred = try PredictionSource.read(path: predictions, reading: rankedIDs, streaming: streaming)
    self.predictions = pred
    guard let format = labelFormat ?? FileFormat.inferred(fromPath: labels)?.labelFormat else {
      throw FileError(path: labels, problem: "cannot tell the label format from the extension", kind: .unknownFormat)
    }
    // Multi-hot columns are classes: the scores' width, or for ranked ids the given classes (any without).
    let multiHotWidth: Int?
    multiHotWidth = pred.kind == .rankedIDs ? rankedIDs.classes : pred.width
    let source = try LabelSource.read(path: labels, format: format, rowShape: pred.rowShape,
                                      predictionsShape: pred.array.shape, multiHotWidth: multiHotWidth, threads: threads)
    self.labelSource = source
    var files = [pred.array.file] + source.files
    if let exclude {
      guard let format = FileFormat.inferred(fromPath: exclude)?.labelFormat else {
        throw FileError(path: exclude, problem: "cannot tell the exclusions' format from the extension",
                        kind: .unknownFormat)
      }
      // Read as labels are: the same formats, and the same row count (or an error naming the file).
      let excluded = try LabelSource.read(path: exclude, format: format, rowShape: pred.rowShape,
                                          predictionsShape: pred.array.shape, multiHotWidth: multiHotWidth,
                                          threads: threads)
      files += excluded.files
      exclusionSource = excluded
    } else {
      exclusionSource = nil
    }

    if let weights {
      let array = try FileFormat.readArray(naming: weights)
      files.append(array.file)
      self.weights = try Self.rowWeights(array, rowShape: pred.rowShape)
      self.weightsArray = array
    } else {
      self.weights = .none
      self.weightsArray = nil
    }
    self.files = files
  }

  /// `<f4 <f8` weights broadcast to `rowShape`, viewed in place.
  static func rowWeights(_ array: StoredArray, rowShape: [Int]) throws -> RowWeights {
    let storage: RowWeights.Storage
    switch array.type {
    case .float64: storage = .float64(array.data.assumingMemoryBound(to: Double.self))
    case .float32: storage = .float32(array.data.assumingMemoryBound(to: Float.self))
    case .float16, .bfloat16, .int32, .int64, .bool, .uint8, .uint16, .uint32, .uint64:
      throw FileError(path: array.path, problem: "weights must be float32 or float64 (found \(array.type.rawValue))",
                      kind: .unsupportedType)
    }
    do {
      return try RowWeights(storage: storage, weightShape: array.shape, rowShape: rowShape, owner: array.owner)
    } catch let e as MAPKError {
      throw FileError(path: array.path, e)
    }
  }

  /// Checks that no input changed size during the run.
  /// - Throws: ``FileError`` for the first file that did.
  public func checkUnchanged() throws {
    for f in files { try f.checkUnchanged() }
  }
}
