extension PredictionSource {
  /// True if `path` is read as a stream: `-` (standard input), or a path
  /// that is not a regular file nor a directory (a pipe such as `/dev/stdin`
  /// under `cat f |`, a FIFO, a device). A regular file, even `/dev/stdin`
  /// redirected from one, is mapped as usual.
  package static func isStream(path: String) -> Bool {
    let opened = path == "-" ? "/dev/stdin" : path
    guard let status = try? System.status(path: opened) else { return false }
    return status.kind == .other
  }

  /// Predictions read as a stream, when `path` is one (`isStream(path:)`:
  /// the content must be a `.npy` of scores or of ranked ids, `<i4 <i8` or
  /// unsigned `|u1 <u2 <u4 <u8` (widened chunk by chunk), read with
  /// `reading`, whatever the name), or names a deflated `.npz` member of
  /// scores or ranked ids (`NPZArrays/streamed(_:reading:)`); nil otherwise.
  /// - Throws: ``FileError`` naming the stream or archive and the problem.
  static func streamed(path: String, reading: RankedIDReading = RankedIDReading()) throws -> PredictionSource? {
    if isStream(path: path) {
      let file = try MappedFile(streamNamed: path, opening: path == "-" ? "/dev/stdin" : path)
      let stream = try ScoreStream(source: DescriptorSource(file: file), reading: reading)
      return streamSource(stream, file: file, origin: .init(path: path, format: .npy))
    }
    let (file, member) = FileFormat.splitMember(path)
    guard FileFormat.arrayFormat(path: file) == .npz else { return nil }
    let archive = try NPZArrays(path: file)
    // A scipy sparse matrix is routed (and refused) by `read`.
    if member == nil && archive.isSparseMatrix { return nil }
    guard let stream = try archive.streamed(member, reading: reading) else { return nil }
    return streamSource(stream, file: archive.file,
                        origin: .init(path: file, format: .npz, member: try archive.resolve(member)))
  }

  /// The source of a stream: its array has the stream's dtype (unsigned ids:
  /// the signed type they are widened to, as a mapped file's) and shape and
  /// no bytes (the rows are read by the evaluation), and lives in `file`.
  static func streamSource(_ stream: ScoreStream, file: MappedFile, origin: StoredArray.Origin) -> PredictionSource {
    let array = StoredArray(type: stream.evaluatedType, shape: stream.shape, bytes: UnsafeRawBufferPointer(start: nil, count: 0),
                            owner: stream, file: file, origin: origin)
    let kind: PredictionKind
    switch stream.content {
    case .scores: kind = .denseScores
    case .rankedIDs: kind = .rankedIDs
    }
    return PredictionSource(kind: kind, array: array, rowShape: stream.rowShape, view: .stream(stream))
  }
}
