/// The dense arrays of an `.npz` archive (`numpy.savez`, `numpy.savez_compressed`),
/// each member `<name>.npy` readable as a ``StoredArray``.
///
/// A stored member is viewed in the mapping, no copy, unless its data is not
/// aligned for its dtype: `numpy.savez` does not align members (the data of
/// the first `float64` member typically starts at byte 188, a multiple of 4
/// but not of 8), and then the member is copied once into an aligned buffer
/// (its size in memory). A stored member's CRC is not checked: that would be
/// one more full pass over the scores before the evaluation's own pass.
///
/// A deflated member (`numpy.savez_compressed`) is inflated into one owned
/// buffer of its declared uncompressed size (the `.npy` member's header and
/// data: memory equal to the dense array), refused before allocating if the
/// declared size exceeds what deflate can expand the stored bytes to, and
/// CRC-checked; `streamed(_:reading:)` instead reads a deflated member of
/// scores or ranked ids as a stream, inflated chunk by chunk into the workers (what `mapk eval` does).
package struct NPZArrays: @unchecked Sendable {
  // Sendable: the mapping is read-only and kept alive by `file`.

  /// The mapped archive.
  package let file: MappedFile
  /// Its ZIP directory.
  let zip: ZipArchive

  /// The members scipy's `save_npz` writes for every sparse format (CSR and
  /// CSC add `indices` and `indptr`, COO `row` and `col` or `coords`).
  package static let sparseMembers = ["data", "format", "shape"]

  /// Maps the archive at `path` and reads its directory.
  /// - Throws: ``FileError`` for anything that is not a well-formed ZIP archive.
  package init(path: String) throws {
    let file = try MappedFile(path: path)
    self.file = file
    zip = try ZipArchive(bytes: file.bytes, path: path)
  }

  /// The path.
  package var path: String { file.path }

  /// The arrays' names (numpy's keys: member names without `.npy`), in archive order.
  package var names: [String] {
    zip.entries.compactMap { $0.name.hasSuffix(".npy") ? String($0.name.dropLast(4)) : nil }
  }

  /// True if the archive holds the members of a scipy sparse matrix.
  package var isSparseMatrix: Bool { Set(names).isSuperset(of: Self.sparseMembers) }

  /// The array names, sorted and separated by commas (for messages).
  package var sortedNames: String { names.sorted().joined(separator: ", ") }

  /// The array `member` (numpy's key), or the archive's only array when nil.
  /// - Throws: ``FileError`` naming the archive (and the member): no such
  ///   member, several and no name, or a member that is not a well-formed
  ///   `.npy` of a dtype mapk reads.
  package func stored(_ member: String?) throws -> StoredArray {
    let name = try resolve(member)
    let member = try Self.read(zip, name: name)
    let origin = StoredArray.Origin(path: path, format: .npz, member: name)
    return StoredArray(type: member.type, shape: member.shape, bytes: member.bytes,
                       owner: member.owner ?? file, file: file, origin: origin)
  }

  /// The name of the array `member`, or of the archive's only array when nil.
  /// - Throws: ``FileError``: no such member, or several and no name.
  func resolve(_ member: String?) throws -> String {
    let list = names.map { "\"\($0)\"" }.joined(separator: ", ")
    if let member {
      guard names.contains(member) else {
        throw FileError(path: path, problem: "no array named \"\(member)\" (it holds \(list))", kind: .notFound)
      }
      return member
    }
    guard names.count == 1 else {
      throw FileError(path: path, problem: names.isEmpty ? "holds no .npy array"
                      : "holds \(names.count) arrays (\(list)): name one as FILE.npz:NAME", kind: .badFormat)
    }
    return names[0]
  }

  /// The array `member` (or the only one) as a stream inflated as it is
  /// read, if it is a deflated member (`numpy.savez_compressed`) of
  /// float16/32/64 scores or of ranked ids (`<i4 <i8`, or `|u1 <u2 <u4 <u8`
  /// widened chunk by chunk), read with `reading`; nil for a stored member
  /// or any other dtype (read those with `stored(_:)`).
  ///
  /// Memory is zlib's window and the evaluation's chunk buffers instead of
  /// the whole inflated array. The limits of a member inflated whole apply,
  /// with its errors: a declared size deflate cannot reach from the stored
  /// bytes is refused before anything is inflated; it may not inflate past
  /// its declared size, and its size, length and CRC are checked when its
  /// last byte is read (`InflatingSource`).
  /// - Throws: ``FileError`` as ``stored(_:)``, and for a bad header.
  package func streamed(_ member: String?, reading: RankedIDReading = RankedIDReading()) throws -> ScoreStream? {
    let name = try resolve(member)
    let entry = zip.entry(named: name + ".npy")!
    guard entry.method == 8 else { return nil }
    // First the checks of a member inflated whole, in its order (a declared
    // size deflate cannot reach is refused before anything is inflated).
    let input = try zip.checkedSource(of: entry, limit: Int.max)
    // A peek at the member's header: only float scores and ranked ids
    // stream (labels and weights are read whole, in place or inflated).
    let isStreamed = try zip.withPrefix(of: entry, count: 4096) { prefix -> Bool in
      func peekFail(_ problem: String, _ kind: FileError.Kind) -> FileError {
        FileError(path: path, problem: problem, kind: kind)
      }
      guard let fields = try? NPYHeader.Fields(parsing: prefix, fail: peekFail),
            let type = try? NPYHeader.type(of: fields.descr, fail: peekFail) else { return false }
      switch type {
      case .float16, .float32, .float64, .int32, .int64, .uint8, .uint16, .uint32, .uint64: return true
      case .bfloat16, .bool: return false
      }
    }
    guard isStreamed else { return nil }
    let source = try InflatingSource(
      path: path, member: entry.name, input: input,
      size: entry.uncompressedSize, crc: entry.crc, owner: file)
    return try ScoreStream(source: source, reading: reading)
  }

  /// The dtype, shape and data of member `<name>.npy` of `zip` (which must
  /// exist), aligned for the dtype: in the archive's bytes (`owner` nil), or
  /// in a buffer `owner` keeps (inflated, or copied to align it).
  /// - Throws: ``FileError`` naming the archive and the member.
  static func read(_ zip: ZipArchive, name: String) throws
    -> (type: NPYType, shape: [Int], bytes: UnsafeRawBufferPointer, owner: OwnedBytes?)
  {
    let entry = zip.entry(named: name + ".npy")!
    func fail(_ problem: String, _ kind: FileError.Kind) -> FileError {
      FileError(path: zip.path, problem: "member \(name).npy: \(problem)", kind: kind)
    }
    let source = try zip.checkedSource(of: entry, limit: Int.max)
    var owner: OwnedBytes? = nil
    var npy = source
    if entry.method != 0 {
      let buffer = OwnedBytes(count: entry.uncompressedSize)
      let inflated = UnsafeMutableRawBufferPointer(rebasing: buffer.bytes[0..<entry.uncompressedSize])
      let zipFail: (String) -> FileError = { fail($0, .badFormat) }
      try ZipArchive.inflate(source, into: inflated, fail: zipFail)
      npy = UnsafeRawBufferPointer(inflated)
      try zip.checkCRC(npy, entry, fail: zipFail)
      owner = buffer
    }
    let (type, shape, data) = try Self.header(npy, fail: fail)
    let slice = UnsafeRawBufferPointer(rebasing: npy[data])
    if let base = slice.baseAddress, Int(bitPattern: base) % type.byteWidth != 0 {
      // Not aligned for the dtype (a stored member anywhere in the archive, or
      // a header whose length is not a multiple of the element size): copy once.
      let copy = OwnedBytes(copying: slice)
      return (type, shape, copy.prefix(slice.count), copy)
    }
    return (type, shape, slice, owner)
  }

  /// The dtype, shape and data range of the `.npy` bytes of a member.
  static func header(_ bytes: UnsafeRawBufferPointer, fail: (String, FileError.Kind) -> FileError) throws
    -> (NPYType, [Int], Range<Int>)
  {
    let fields = try NPYHeader.Fields(parsing: bytes, fail: fail)
    let type = try NPYHeader.type(of: fields.descr, fail: fail)
    try fields.checkData(byteWidth: type.byteWidth, fileSize: bytes.count, aligned: false, fail: fail)
    return (type, fields.shape, fields.dataOffset..<bytes.count)
  }
}
