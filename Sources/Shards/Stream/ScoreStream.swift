import Synchronization

/// A `.npy` array of scores (or of ranked ids: `<i4 <i8`, or unsigned
/// `|u1 <u2 <u4 <u8` widened chunk by chunk as a mapped file's are) read
/// once, front to back, from a `ByteSource`: standard input, a pipe or
/// FIFO, or a deflated `.npz` member.
///
/// The header is read and checked when the stream is opened (the same checks
/// as for a mapped file, but the size: a stream's size is known only at its
/// end); the rows are read on demand, in increasing order, by
/// `Evaluator/evaluate(stream:labels:weights:configuration:rows:perRow:progress:)`,
/// which hands chunks of whole rows to its workers as they arrive. Rows
/// before the ones asked for are read and dropped (a shard of a stream); a
/// row range that starts before rows already read cannot be served.
package final class ScoreStream: @unchecked Sendable {
  // Sendable: the header fields are immutable; `nextRow` and the source are
  // used by one evaluation at a time, which `busy` enforces.

  /// Where the bytes come from.
  let source: any ByteSource
  /// The name errors give the stream.
  package var path: String { source.path }
  /// The `.npy` dtype.
  package let npyType: NPYType
  /// What the rows hold.
  package enum Content: Equatable, Sendable {
    /// Scores of this type, `C` per row.
    case scores(ScoreType)
    /// Ranked ids, `K` per row, best first, evaluated as `<i4` or `<i8`
    /// (`byteWidth` 4 or 8; unsigned ids are widened to it, `evaluatedType`).
    case rankedIDs(byteWidth: Int)
  }

  /// What the rows hold.
  package let content: Content
  /// True when the rows are ranked ids.
  package var holdsRankedIDs: Bool {
    if case .rankedIDs = content { return true }
    return false
  }
  /// How ranked ids are read (the pad, the duplicate rule, the classes); unused for scores.
  package let reading: RankedIDReading
  /// The array's shape `[D1..DN, C]`.
  package let shape: [Int]
  /// The bytes before the data (magic, version, length, header dict).
  package let headerBytes: Int
  /// The rows' dims `[D1..DN]`.
  package var rowShape: [Int] { Array(shape.dropLast()) }
  /// The number of rows.
  package let rows: Int
  /// The scores per row (C), or the ids per row (K).
  package let classes: Int
  /// The bytes of one row in the stream.
  package let rowBytes: Int
  /// The bytes of one row in a chunk buffer, as it is evaluated: `rowBytes`,
  /// but for unsigned ids, widened in place to `int32` (`|u1 <u2`) or
  /// `int64` (`<u4 <u8`) as the mapped file's are (`widen(rows:in:)`).
  package let bufferRowBytes: Int
  /// The bytes of all the data.
  package var dataBytes: Int { rows * rowBytes }
  /// The next row the source holds.
  private var nextRow = 0
  /// True while an evaluation reads the stream.
  private let busy = Atomic<Bool>(false)

  /// The most header bytes a stream may declare (numpy writes well under 1 KiB
  /// for any realistic shape): a larger length is refused before allocating it.
  package static let maximumHeaderBytes = 1 << 20
  /// The largest row a stream may have (16M float32 scores): a chunk holds
  /// at least one row, so this bounds what a header alone can make mapk
  /// allocate. Larger rows are read from a file, mapped.
  package static let maximumRowBytes = 64 << 20

  /// Reads and checks the `.npy` header at the start of `source`.
  ///
  /// - Throws: ``FileError`` naming the stream: an empty or short stream,
  ///   bad magic bytes (a ZIP archive is named as such), the header errors
  ///   of a `.npy` file (version, dict, dtype, Fortran order, a shape too
  ///   large), a dtype that is neither float16/32/64 scores nor integer
  ///   ranked ids (`bool`: the mapped file's error), no classes.
  package init(source: any ByteSource, reading: RankedIDReading = RankedIDReading()) throws {
    let path = source.path
    func fail(_ problem: String, _ kind: FileError.Kind) -> FileError {
      FileError(path: path, problem: problem, kind: kind)
    }
    var prefix = [UInt8](repeating: 0, count: 12)
    let first = try prefix.withUnsafeMutableBytes { try source.readFully(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<8])) }
    if first >= 4 && prefix[0..<4] == [0x50, 0x4B, 0x03, 0x04] {
      throw fail("a ZIP archive (.npz) cannot be read from a stream: save it to a file", .unsupportedType)
    }
    guard first == 8 else {
      throw fail(first == 0 ? "empty stream, not a .npy array" : "too short for a .npy header (\(first) bytes)",
                 first == 0 ? .badFormat : .truncated)
    }
    guard prefix[0..<6] == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59] else {
      throw fail("not a .npy stream (bad magic bytes)", .badFormat)
    }
    // The version decides the length's width; Fields below checks the version itself.
    let lengthBytes = prefix[6] == 1 ? 2 : 4
    if prefix[6] >= 1 && prefix[6] <= 3 {
      let got = try prefix.withUnsafeMutableBytes {
        try source.readFully(into: UnsafeMutableRawBufferPointer(rebasing: $0[8..<(8 + lengthBytes)]))
      }
      guard got == lengthBytes else { throw fail("truncated inside the .npy header length", .truncated) }
      var length = 0
      for i in 0..<lengthBytes { length |= Int(prefix[8 + i]) << (8 * i) }
      guard length <= Self.maximumHeaderBytes else {
        throw fail("header length \(length) is more than a stream's \(Self.maximumHeaderBytes) bytes", .tooLarge)
      }
      var header = Array(prefix[0..<(8 + lengthBytes)]) + [UInt8](repeating: 0, count: length)
      let text = try header.withUnsafeMutableBytes {
        try source.readFully(into: UnsafeMutableRawBufferPointer(rebasing: $0[(8 + lengthBytes)...]))
      }
      guard text == length else {
        throw fail("header length \(length) points past the end of the stream (\(8 + lengthBytes + text) bytes)",
                   .truncated)
      }
      prefix = header
    }
    let fields = try prefix.withUnsafeBytes { try NPYHeader.Fields(parsing: $0, fail: fail) }
    let npyType = try NPYHeader.type(of: fields.descr, fail: fail)
    var count = 1
    for d in fields.shape {
      let (m, overflow) = count.multipliedReportingOverflow(by: d)
      guard !overflow else { throw fail("shape \(fields.shape) is too large", .tooLarge) }
      count = m
    }
    let (data, o1) = count.multipliedReportingOverflow(by: npyType.byteWidth)
    let (size, o2) = data.addingReportingOverflow(fields.dataOffset)
    guard !o1, !o2 else { throw fail("shape \(fields.shape) is too large", .tooLarge) }
    // The size is the declared one (a stream's is known at its end, checked
    // then); alignment does not apply: rows are copied into aligned buffers.
    try fields.checkData(byteWidth: npyType.byteWidth, fileSize: size, aligned: false, fail: fail)
    let content: Content
    switch npyType {
    case .float16, .float32, .float64, .bfloat16:
      guard let type = npyType.scoreType else {
        throw fail("predictions must be float16, float32 or float64 (found \(npyType.rawValue))", .unsupportedType)
      }
      content = .scores(type)
    case .int32, .int64:
      content = .rankedIDs(byteWidth: npyType.byteWidth)
    case .uint8, .uint16:
      // Widened chunk by chunk to the signed type the mapped file widens them to (`signedWidening()`).
      content = .rankedIDs(byteWidth: 4)
    case .uint32, .uint64:
      content = .rankedIDs(byteWidth: 8)
    case .bool:
      // The mapped file's own refusal (`PredictionSource.denseScores`): bool is not a score type.
      throw fail("predictions must be float16, float32 or float64 (found \(npyType.rawValue))", .unsupportedType)
    }
    // The bytes a row takes in a chunk buffer: its evaluated (widened) ids.
    let byteWidth: Int
    if case .rankedIDs(let w) = content { byteWidth = w } else { byteWidth = npyType.byteWidth }
    guard let classes = fields.shape.last else {
      throw fail("predictions must have rank >= 1 ([D1..DN, C]), found a scalar", .shapeMismatch)
    }
    guard classes > 0 else { throw fail("predictions have no classes (shape \(fields.shape))", .shapeMismatch) }
    guard classes <= Int(Int32.max) else {
      throw fail("\(classes) classes exceed the supported 2^31 - 1", .tooLarge)
    }
    guard classes * byteWidth <= Self.maximumRowBytes else {
      throw fail("rows of \(classes * byteWidth) bytes are more than a stream's \(Self.maximumRowBytes) "
                 + "(save the array to a file: it is then mapped)", .tooLarge)
    }
    self.source = source
    self.npyType = npyType
    self.content = content
    self.reading = reading
    self.shape = fields.shape
    self.headerBytes = fields.dataOffset
    self.rows = count / classes
    self.classes = classes
    self.rowBytes = classes * npyType.byteWidth
    self.bufferRowBytes = classes * byteWidth
  }

  /// Runs `body` as the one reader of the stream.
  /// - Throws: ``FileError`` if another evaluation is reading it, or what `body` throws.
  func reading<R>(_ body: () throws -> R) throws -> R {
    guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
      throw FileError(path: path, problem: "is a stream another evaluation is reading", kind: .conflict)
    }
    defer { busy.store(false, ordering: .releasing) }
    return try body()
  }

  /// Reads and drops the rows before `row`.
  /// - Throws: ``FileError``: rows before `row` were already read (a stream
  ///   is read once), or the stream ends before `row`.
  func skip(to row: Int) throws {
    guard row >= nextRow else {
      throw FileError(path: path, problem: "is a stream, read once: row \(row) was already read "
                      + "(rows can only be asked for in increasing order)", kind: .conflict)
    }
    guard row > nextRow else { return }
    let chunkRows = max(1, (1 << 20) / rowBytes)
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: min(row - nextRow, chunkRows) * bufferRowBytes,
                                                         alignment: 64)
    defer { scratch.deallocate() }
    while nextRow < row {
      let n = min(row - nextRow, chunkRows)
      let first = nextRow
      try read(rows: first..<(first + n), into: scratch.baseAddress!)
      // Dropped rows are still checked as the mapped file checks every row:
      // a `<u8` id with no int64 is refused (the rows skipped are all below
      // those evaluated, so it is the lowest bad row).
      if let bad = widen(rows: first..<(first + n), in: scratch.baseAddress!) { throw unwidenableError(bad) }
    }
  }

  /// Reads rows `rows` (the next ones the stream holds) into `buffer`
  /// (`rows.count · rowBytes` bytes).
  /// - Throws: ``FileError`` naming the row the stream ends in, or a read error.
  func read(rows: Range<Int>, into buffer: UnsafeMutableRawPointer) throws {
    precondition(rows.lowerBound == nextRow && rows.upperBound <= self.rows, "rows out of order")
    let wanted = rows.count * rowBytes
    let got = try source.readFully(into: UnsafeMutableRawBufferPointer(start: buffer, count: wanted))
    guard got == wanted else {
      let row = rows.lowerBound + got / rowBytes
      let received = headerBytes + rows.lowerBound * rowBytes + got
      throw FileError(path: path, problem: "truncated: the stream ends inside row \(row) of \(self.rows) "
                      + "(after \(received) bytes; shape \(shape) of \(npyType.rawValue) needs "
                      + "\(headerBytes + dataBytes))", kind: .truncated)
    }
    nextRow = rows.upperBound
  }

  /// After the last row: checks that the stream ends there.
  /// - Throws: ``FileError`` if more bytes follow (the header and the size disagree).
  func checkEnd() throws {
    precondition(nextRow == rows, "not at the last row")
    var byte: UInt8 = 0
    let extra = try withUnsafeMutableBytes(of: &byte) { try source.read(into: $0) }
    if extra > 0 {
      throw FileError(path: path, problem: "shape \(shape) of \(npyType.rawValue) needs \(dataBytes) data bytes, "
                      + "the stream holds more (header and size disagree)", kind: .shapeMismatch)
    }
  }
}
