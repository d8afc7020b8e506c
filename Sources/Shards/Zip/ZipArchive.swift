import CZlib

/// A ZIP archive read in place from a mapping (what `numpy.savez` and
/// `scipy.sparse.save_npz` write): the central directory, then each member's
/// bytes on demand, stored (method 0) or deflated (method 8), CRC-checked.
///
/// Read as PKWARE's APPNOTE describes it, ZIP64 included: the end of central
/// directory record (and, before it, the ZIP64 locator and record when
/// present), the central directory's entries with their ZIP64 extra fields,
/// and each member's local header. The central directory is the authority on
/// sizes and CRCs; a local header that states them must agree with it.
/// Encrypted members, split archives and other compression methods are refused.
struct ZipArchive {
  /// One member, as the central directory describes it.
  struct Entry {
    /// The member's name, e.g. `indices.npy`.
    let name: String
    /// 0 stored, 8 deflated.
    let method: UInt16
    /// The general-purpose flags (bit 3: sizes in a data descriptor).
    let flags: UInt16
    /// The CRC-32 of the uncompressed bytes.
    let crc: UInt32
    /// The bytes the member occupies in the archive.
    let compressedSize: Int
    /// The bytes it expands to.
    let uncompressedSize: Int
    /// Where its local header starts.
    let localHeaderOffset: Int
  }

  /// The archive's bytes.
  let bytes: UnsafeRawBufferPointer
  /// The archive's path, for errors.
  let path: String
  /// The members, in central directory order.
  let entries: [Entry]
  /// Where the central directory starts; every member's data lies before it.
  let directoryOffset: Int

  /// Reads the central directory of the archive in `bytes`.
  /// - Throws: ``FileError`` for anything that is not a well-formed, single-disk archive.
  init(bytes: UnsafeRawBufferPointer, path: String) throws {
    self.bytes = bytes
    self.path = path
    func fail(_ problem: String) -> FileError { FileError(path: path, problem: problem) }
    let size = bytes.count

    // End of central directory: 22 bytes and a comment of up to 65535 bytes
    // that must reach exactly the end of the file.
    guard size >= 22 else { throw fail("not a ZIP archive (\(size) bytes, too short)") }
    var end = -1
    var candidate = size - 22
    while candidate >= max(0, size - 22 - 0xFFFF) {
      if bytes.le32(candidate) == 0x0605_4B50 && candidate + 22 + Int(bytes.le16(candidate + 20)) == size {
        end = candidate
        break
      }
      candidate -= 1
    }
    guard end >= 0 else { throw fail("not a ZIP archive, or truncated (no end of central directory record)") }
    var disk = Int(bytes.le16(end + 4)), directoryDisk = Int(bytes.le16(end + 6))
    var entriesOnDisk = Int(bytes.le16(end + 8)), entryCount = Int(bytes.le16(end + 10))
    var directorySize = Int(bytes.le32(end + 12)), directoryOffset = Int(bytes.le32(end + 16))
    var directoryEnd = end

    // ZIP64: a 20-byte locator right before the end record points to a ZIP64
    // end record whose 64-bit fields replace the 16- and 32-bit ones.
    if end >= 20 && bytes.le32(end - 20) == 0x0706_4B50 {
      let recordDisk = bytes.le32(end - 16), diskCount = bytes.le32(end - 4)
      let record = bytes.le64(end - 12)
      guard recordDisk == 0 && diskCount <= 1 else { throw fail("split (multi-disk) ZIP archives are not supported") }
      guard end - 20 >= 56, record <= UInt64(end - 20 - 56), bytes.le32(Int(record)) == 0x0606_4B50 else {
        throw fail("corrupt ZIP64 end of central directory (locator points to offset \(record))")
      }
      let r = Int(record)
      let recordSize = bytes.le64(r + 4)
      guard recordSize >= 44, recordSize <= UInt64(end - 20 - r - 12) else {
        throw fail("corrupt ZIP64 end of central directory (record size \(recordSize))")
      }
      guard let a = Int(exactly: bytes.le64(r + 24)), let b = Int(exactly: bytes.le64(r + 32)),
            let c = Int(exactly: bytes.le64(r + 40)), let d = Int(exactly: bytes.le64(r + 48))
      else { throw fail("corrupt ZIP64 end of central directory (a field exceeds 2^63)") }
      disk = Int(bytes.le32(r + 16))
      directoryDisk = Int(bytes.le32(r + 20))
      (entriesOnDisk, entryCount, directorySize, directoryOffset) = (a, b, c, d)
      directoryEnd = r
    }
    guard disk == 0 && directoryDisk == 0 && entriesOnDisk == entryCount else {
      throw fail("split (multi-disk) ZIP archives are not supported")
    }
    guard directoryOffset <= directoryEnd, directorySize == directoryEnd - directoryOffset else {
      throw fail("corrupt ZIP archive: the central directory (\(directorySize) bytes at offset \(directoryOffset)) "
                 + "does not end where the end record starts (offset \(directoryEnd))")
    }
    // An entry takes at least 46 bytes: this bounds the loop by the file.
    guard entryCount <= directorySize / 46 else {
      throw fail("corrupt ZIP archive: \(entryCount) entries cannot fit in a \(directorySize)-byte central directory")
    }

    var entries: [Entry] = []
    var names = Set<String>()
    var o = directoryOffset
    for i in 0..<entryCount {
      guard o + 46 <= directoryEnd, bytes.le32(o) == 0x0201_4B50 else {
        throw fail("corrupt ZIP archive: central directory entry \(i) is damaged")
      }
      let flags = bytes.le16(o + 8), method = bytes.le16(o + 10), crc = bytes.le32(o + 16)
      let nameLength = Int(bytes.le16(o + 28)), extraLength = Int(bytes.le16(o + 30))
      let commentLength = Int(bytes.le16(o + 32))
      let next = o + 46 + nameLength + extraLength + commentLength
      guard next <= directoryEnd else { throw fail("corrupt ZIP archive: central directory entry \(i) is truncated") }
      let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(o + 46)..<(o + 46 + nameLength)]),
                        as: UTF8.self)
      let extra = UnsafeRawBufferPointer(rebasing: bytes[(o + 46 + nameLength)..<(o + 46 + nameLength + extraLength)])
      var sizes = [UInt64(bytes.le32(o + 24)), UInt64(bytes.le32(o + 20)), UInt64(bytes.le32(o + 42))]
      var startDisk = UInt64(bytes.le16(o + 34))
      try Self.applyZip64(extra, to: &sizes, disk: &startDisk, member: name, fail: fail)
      guard startDisk == 0 else { throw fail("split (multi-disk) ZIP archives are not supported") }
      guard let uncompressed = Int(exactly: sizes[0]), let compressed = Int(exactly: sizes[1]),
            let local = Int(exactly: sizes[2])
      else { throw fail("member \(name): a size or offset exceeds 2^63") }
      guard names.insert(name).inserted else { throw fail("member \(name) appears twice in the archive") }
      entries.append(Entry(name: name, method: method, flags: flags, crc: crc, compressedSize: compressed,
                           uncompressedSize: uncompressed, localHeaderOffset: local))
      o = next
    }
    guard o == directoryEnd else {
      throw fail("corrupt ZIP archive: \(directoryEnd - o) unexplained bytes after the central directory's entries")
    }
    self.entries = entries
    self.directoryOffset = directoryOffset
  }

  /// Replaces the 32-bit `sizes` (uncompressed, compressed, local header
  /// offset) and 16-bit `disk` that are all ones with the 64-bit values of a
  /// ZIP64 extra field (id 1), which holds exactly those, in that order.
  static func applyZip64(_ extra: UnsafeRawBufferPointer, to sizes: inout [UInt64], disk: inout UInt64,
                         member: String, fail: (String) -> FileError) throws {
    var o = 0
    while o + 4 <= extra.count {
      let id = extra.le16(o), length = Int(extra.le16(o + 2))
      guard o + 4 + length <= extra.count else { throw fail("member \(member): a truncated extra field") }
      if id == 1 {
        var p = o + 4
        for i in sizes.indices where sizes[i] == 0xFFFF_FFFF {
          guard p + 8 <= o + 4 + length else { throw fail("member \(member): ZIP64 extra field too short") }
          sizes[i] = extra.le64(p)
          p += 8
        }
        if disk == 0xFFFF {
          guard p + 4 <= o + 4 + length else { throw fail("member \(member): ZIP64 extra field too short") }
          disk = UInt64(extra.le32(p))
        }
      }
      o += 4 + length
    }
  }

  /// The member named `name`, if there is one.
  func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

  /// Calls `body` with the uncompressed bytes of `entry`: a slice of the
  /// mapping for a stored member, a buffer freed on return for a deflated one.
  ///
  /// - Parameters:
  ///   - entry: The member.
  ///   - limit: The most bytes the member can legitimately expand to; a
  ///     larger declared size is refused before anything is allocated, and
  ///     inflating never writes past the declared size (no deflate bomb).
  ///   - body: What to do with the bytes; they are valid only inside it.
  /// - Throws: ``FileError`` for a bad local header, an unsupported method or
  ///   encryption, sizes that disagree, corrupt deflate data, a CRC mismatch.
  func withContents<R>(of entry: Entry, limit: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
    let source = try checkedSource(of: entry, limit: limit)
    func fail(_ problem: String) -> FileError { FileError(path: path, problem: "member \(entry.name): \(problem)") }
    if entry.method == 0 {
      try checkCRC(source, entry, fail: fail)
      return try body(source)
    }
    let output = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, entry.uncompressedSize), alignment: 16)
    defer { output.deallocate() }
    let inflated = UnsafeRawBufferPointer(rebasing: output[0..<entry.uncompressedSize])
    try Self.inflate(source, into: UnsafeMutableRawBufferPointer(mutating: inflated), fail: fail)
    try checkCRC(inflated, entry, fail: fail)
    return try body(inflated)
  }

  /// The bytes `entry` occupies in the archive (its stored contents, or its
  /// deflate stream), after every check ``withContents(of:limit:_:)`` makes
  /// before reading them but the CRC.
  /// - Throws: ``FileError`` as ``withContents(of:limit:_:)`` does.
  func checkedSource(of entry: Entry, limit: Int) throws -> UnsafeRawBufferPointer {
    let name = entry.name
    func fail(_ problem: String) -> FileError { FileError(path: path, problem: "member \(name): \(problem)") }
    guard entry.flags & 1 == 0 else { throw fail("encrypted members are not supported") }
    guard entry.method == 0 || entry.method == 8 else {
      throw fail("compression method \(entry.method) is not supported (only stored and deflated)")
    }
    guard entry.uncompressedSize <= limit else {
      throw fail("declares \(entry.uncompressedSize) uncompressed bytes, more than this matrix can need (\(limit))")
    }
    if entry.method == 8 {
      // Deflate expands at most 1032:1 (a 258-byte match per 2 bits, RFC 1951):
      // a larger declared size is a lie, refused before anything is allocated.
      let (bound, overflow) = entry.compressedSize.multipliedReportingOverflow(by: 1032)
      guard overflow || entry.uncompressedSize <= bound + 1024 else {
        throw fail("declares \(entry.uncompressedSize) uncompressed bytes from \(entry.compressedSize) deflated "
                   + "bytes, more than deflate can expand to (1032:1): a corrupt or malicious archive")
      }
    }
    let data = try dataRange(of: entry, fail: fail)
    if entry.method == 0 && entry.compressedSize != entry.uncompressedSize {
      throw fail("stored member of \(entry.compressedSize) bytes declares \(entry.uncompressedSize) uncompressed bytes")
    }
    return UnsafeRawBufferPointer(rebasing: bytes[data])
  }

  /// Calls `body` with the first `count` uncompressed bytes of `entry` (all
  /// of them if it has fewer), inflating no more than that: enough to read
  /// a member's `.npy` header before deciding to inflate its data. Not
  /// CRC-checked (``withContents(of:limit:_:)`` checks the whole member).
  ///
  /// - Throws: ``FileError`` as ``withContents(of:limit:_:)``, for the
  ///   checks that need no inflating, and for corrupt deflate data.
  func withPrefix<R>(of entry: Entry, count: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
    let name = entry.name
    func fail(_ problem: String) -> FileError { FileError(path: path, problem: "member \(name): \(problem)") }
    guard entry.flags & 1 == 0 else { throw fail("encrypted members are not supported") }
    guard entry.method == 0 || entry.method == 8 else {
      throw fail("compression method \(entry.method) is not supported (only stored and deflated)")
    }
    let wanted = min(max(0, count), entry.uncompressedSize)
    let data = try dataRange(of: entry, fail: fail)
    let source = UnsafeRawBufferPointer(rebasing: bytes[data])
    if entry.method == 0 { return try body(UnsafeRawBufferPointer(rebasing: source.prefix(wanted))) }
    let output = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, wanted), alignment: 16)
    defer { output.deallocate() }
    var stream = z_stream()
    guard mapk_inflate_init_raw(&stream) == Z_OK else { throw fail("zlib could not start inflating") }
    defer { inflateEnd(&stream) }
    stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
    stream.avail_in = uInt(min(source.count, 1 << 30))
    stream.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
    stream.avail_out = uInt(wanted)  // a prefix: at most a header's allowance, far below 2^32
    while stream.avail_out > 0 {
      let status = CZlib.inflate(&stream, Z_NO_FLUSH)
      if status == Z_STREAM_END || status == Z_BUF_ERROR { break }
      guard status == Z_OK else {
        let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
        throw fail("corrupt deflate data (\(message))")
      }
    }
    return try body(UnsafeRawBufferPointer(rebasing: output[0..<Int(stream.total_out)]))
  }

  /// The byte range of a member's data, after its local header, checked to
  /// lie before the central directory and against the header's own fields.
  func dataRange(of entry: Entry, fail: (String) -> FileError) throws -> Range<Int> {
    let h = entry.localHeaderOffset
    guard h <= directoryOffset - 30, bytes.le32(h) == 0x0403_4B50 else {
      throw fail("no local header at offset \(h) (corrupt or truncated archive)")
    }
    let flags = bytes.le16(h + 6), method = bytes.le16(h + 8)
    let nameLength = Int(bytes.le16(h + 26)), extraLength = Int(bytes.le16(h + 28))
    let start = h + 30 + nameLength + extraLength
    guard start <= directoryOffset else { throw fail("local header runs into the central directory") }
    let localName = UnsafeRawBufferPointer(rebasing: bytes[(h + 30)..<(h + 30 + nameLength)])
    guard localName.elementsEqual(entry.name.utf8), method == entry.method else {
      throw fail("local header and central directory disagree (name or method)")
    }
    // With bit 3 the local header holds zeros and the data descriptor after
    // the data holds the values: the central directory's are used.
    if flags & 8 == 0 {
      let extra = UnsafeRawBufferPointer(rebasing: bytes[(h + 30 + nameLength)..<start])
      var sizes = [UInt64(bytes.le32(h + 22)), UInt64(bytes.le32(h + 18))]
      var noDisk: UInt64 = 0
      try Self.applyZip64(extra, to: &sizes, disk: &noDisk, member: entry.name, fail: fail)
      guard bytes.le32(h + 14) == entry.crc, sizes[0] == UInt64(entry.uncompressedSize),
            sizes[1] == UInt64(entry.compressedSize)
      else { throw fail("local header and central directory disagree on the CRC or sizes") }
    }
    guard entry.compressedSize <= directoryOffset - start else {
      throw fail("\(entry.compressedSize) compressed bytes at offset \(start) run past the members' area "
                 + "(truncated or corrupt archive)")
    }
    return start..<(start + entry.compressedSize)
  }

  /// Checks the CRC-32 of a member's uncompressed bytes against the recorded one.
  func checkCRC(_ data: UnsafeRawBufferPointer, _ entry: Entry, fail: (String) -> FileError) throws {
    let crc = CRC32.of(data)
    guard crc == entry.crc else {
      throw fail("CRC-32 mismatch (\(hex(crc)) computed, \(hex(entry.crc)) recorded): the archive is corrupt")
    }
  }

  /// Inflates a raw deflate stream that must fill `output` exactly and end
  /// exactly at the end of `input`.
  static func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                      fail: (String) -> FileError) throws {
    var stream = z_stream()
    guard mapk_inflate_init_raw(&stream) == Z_OK else { throw fail("zlib could not start inflating") }
    defer { inflateEnd(&stream) }
    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
    stream.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
    // zlib counts in 32 bits: feed and drain at most 1 GiB at a time.
    var inputLeft = input.count, outputLeft = output.count
    while true {
      if stream.avail_in == 0 && inputLeft > 0 {
        let n = min(inputLeft, 1 << 30)
        stream.avail_in = uInt(n)
        inputLeft -= n
      }
      if stream.avail_out == 0 && outputLeft > 0 {
        let n = min(outputLeft, 1 << 30)
        stream.avail_out = uInt(n)
        outputLeft -= n
      }
      let status = CZlib.inflate(&stream, Z_NO_FLUSH)
      if status == Z_STREAM_END { break }
      if status == Z_OK { continue }
      if status == Z_BUF_ERROR {
        // No progress was possible: either no room left or no input left.
        if stream.avail_out == 0 && outputLeft == 0 {
          throw fail("inflates to more than its declared \(output.count) bytes")
        }
        throw fail("deflate data is truncated (the stream ends before its last block)")
      }
      let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
      throw fail("corrupt deflate data (\(message))")
    }
    let produced = Int(stream.total_out), consumed = Int(stream.total_in)
    guard produced == output.count else {
      throw fail("inflates to \(produced) bytes, but declares \(output.count)")
    }
    guard consumed == input.count else {
      throw fail("the deflate stream ends after \(consumed) of its declared \(input.count) compressed bytes")
    }
  }
}

/// `0x1234ABCD`.
private func hex(_ v: UInt32) -> String {
  let s = String(v, radix: 16, uppercase: true)
  return "0x" + String(repeating: "0", count: 8 - s.count) + s
}
