/// One stream worker's kernel engine, chosen by what the stream's rows hold
/// and are evaluated with: dense scores alone (`RowEvaluator`) or with
/// exclusions (`DenseExclusionEvaluator`: the exclusions are a file, and
/// only the predictions are streamed), or ranked ids, with or without
/// exclusions (`RankedIDEvaluator`), the same engines as for a mapped file. Each reads the rows of a chunk through a
/// base address that gives them their global indices (see
/// `Evaluator/evaluate(stream:labels:weights:excluding:configuration:rows:perRow:progress:)`).
enum StreamEngine {
  /// Dense scores, no exclusions.
  case scores(RowEvaluator)
  /// Dense scores with each row's excluded classes removed from its ranking.
  case excluding(DenseExclusionEvaluator)
  /// Ranked ids (`<i4` or `<i8`: 4 or 8 bytes each; unsigned ids are widened to them in the buffer).
  case rankedIDs(RankedIDEvaluator, byteWidth: Int)

  /// The engine for `stream`'s rows (with `exclusions`, if any).
  /// - Throws: ``MAPKError`` when the configuration does not fit the stream
  ///   (a k above its classes, or above its ids per row or their classes).
  init(configuration: MAPConfiguration, stream: ScoreStream, excluding exclusions: LabelRows?) throws {
    switch stream.content {
    case .scores(let type) where exclusions != nil:
      self = .excluding(try DenseExclusionEvaluator(configuration: configuration, classes: stream.classes,
                                                    scoreType: type))
    case .scores(let type):
      self = .scores(try RowEvaluator(configuration: configuration, classes: stream.classes, scoreType: type))
    case .rankedIDs(let byteWidth):
      // The checks of the mapped file's evaluation: k up to K, and up to the classes if given.
      if configuration.maxK > stream.classes {
        throw MAPKError.kAboveClasses(k: configuration.maxK, classes: stream.classes)
      }
      if let c = stream.reading.classes { try configuration.validate(classes: c) }
      self = .rankedIDs(try RankedIDEvaluator(configuration: configuration, reading: stream.reading),
                        byteWidth: byteWidth)
    }
  }

  /// Evaluates `rows`, which `base + r · rowBytes` holds for every r in
  /// `rows` (nothing outside them is read), into `state`.
  /// - Throws: ``MAPKError`` as the kernel engine does.
  func evaluate(rows: Range<Int>, base: UnsafeRawPointer, stream: ScoreStream, labels: LabelRows,
                weights: RowWeights, excluding exclusions: LabelRows?, into state: inout MAPState,
                perRow: PerRowSink?) throws {
    switch self {
    case .scores(let engine):
      let scores = ScoreMatrix(base: base, rows: stream.rows, classes: stream.classes, type: engine.scoreType)
      try engine.evaluate(rows: rows, scores: scores, labels: labels, weights: weights, into: &state, perRow: perRow)
    case .excluding(let engine):
      // `init` made this case only with exclusions, and every call passes the same ones.
      guard let exclusions else { preconditionFailure("an excluding engine without exclusions") }
      let scores = ScoreMatrix(base: base, rows: stream.rows, classes: stream.classes, type: engine.scoreType)
      try engine.evaluate(rows: rows, scores: scores, labels: labels, weights: weights, excluding: exclusions,
                          into: &state, perRow: perRow)
    case .rankedIDs(let engine, let byteWidth):
      // The buffers are 64-byte aligned and rows are whole multiples of the id size: every id is aligned.
      let values: RankedIDs.Values = byteWidth == 4
        ? .int32(base.assumingMemoryBound(to: Int32.self)) : .int64(base.assumingMemoryBound(to: Int64.self))
      let ids = RankedIDs(rows: stream.rows, width: stream.classes, values: values, reading: stream.reading)
      try engine.evaluate(rows: rows, ids: ids, labels: labels, weights: weights, excluding: exclusions,
                          into: &state, perRow: perRow)
    }
  }
}
