/// Writes a ZIP archive of stored (uncompressed) members in bounded memory,
/// laid out byte for byte as Python's `zipfile` writes the members of
/// `numpy.savez` (and so `scipy.sparse.save_npz(..., compressed=False)`).
///
/// Like numpy, every local header carries a ZIP64 extra field with the sizes
/// (`force_zip64`), so a member can exceed 4 GiB; the central directory and
/// the end record switch to ZIP64 only past Python's limit of 2^31 - 1, as
/// `zipfile` does. Each member's size is declared up front; its CRC-32 is
/// computed while streaming and patched into the local header at the end.
///
/// ```swift
/// let zip = try ZipWriter(path: "labels.npz")
/// try zip.beginNPYMember(name: "indices.npy", type: .int32, shape: [nnz])
/// try zip.append(chunk) ...
/// try zip.endMember()
/// try zip.finish()
/// ```
package final class ZipWriter {
  private struct Entry {
    let name: [UInt8]
    let offset: Int
    let size: Int
    var crc: UInt32
  }

  /// The destination.
  package var path: String { file.path }
  private let file: AtomicOutputFile
  private var entries: [Entry] = []
  private var open: (entry: Entry, written: Int, crc: CRC32)? = nil

  /// Sizes and offsets above this use ZIP64 records in the central directory
  /// (Python's `zipfile.ZIP64_LIMIT`, 2^31 - 1; lower only in tests).
  let zip64Limit: Int

  /// Starts an archive at `path` (a temporary file until ``finish()``).
  /// - Throws: ``FileError`` if it cannot be created or `path` is one of `inputs`.
  package convenience init(path: String, protecting inputs: [String] = []) throws {
    try self.init(path: path, protecting: inputs, zip64Limit: (1 << 31) - 1)
  }

  init(path: String, protecting inputs: [String], zip64Limit: Int) throws {
    file = try AtomicOutputFile(path: path, protecting: inputs)
    self.zip64Limit = zip64Limit
  }

  /// Starts a stored member of exactly `size` bytes.
  package func beginMember(name: String, size: Int) throws {
    precondition(open == nil, "previous member not ended")
    let nameBytes = Array(name.utf8)
    let entry = Entry(name: nameBytes, offset: file.count, size: size, crc: 0)
    var h = ByteWriter()
    h.u32(0x0403_4B50)
    h.u16(45)  // version needed: 4.5 (ZIP64)
    h.u16(0)  // flags
    h.u16(0)  // stored
    h.u16(0)  // time 00:00:00
    h.u16(0x21)  // date 1980-01-01, zipfile's default
    h.u32(0)  // CRC-32, patched by endMember
    h.u32(0xFFFF_FFFF)  // sizes: in the ZIP64 extra field
    h.u32(0xFFFF_FFFF)
    h.u16(nameBytes.count)
    h.u16(20)
    h.bytes += nameBytes
    h.u16(1)  // ZIP64 extra: uncompressed then compressed size
    h.u16(16)
    h.u64(size)
    h.u64(size)
    try file.write(h.bytes)
    open = (entry, 0, CRC32())
  }

  /// Starts a member holding a `.npy` array and writes its header; append the data next.
  package func beginNPYMember(name: String, descr: String, elementWidth: Int, shape: [Int]) throws {
    let header = NPYWriter.header(descr: descr, shape: shape)
    try beginMember(name: name, size: header.count + shape.reduce(elementWidth, *))
    try header.withUnsafeBytes { try append($0) }
  }

  /// Starts a `.npy` member of `type` and `shape`.
  package func beginNPYMember(name: String, type: NPYType, shape: [Int]) throws {
    try beginNPYMember(name: name, descr: type.rawValue, elementWidth: type.byteWidth, shape: shape)
  }

  /// Appends bytes to the open member.
  package func append(_ bytes: UnsafeRawBufferPointer) throws {
    guard var current = open else { preconditionFailure("no open member") }
    precondition(current.written + bytes.count <= current.entry.size, "more bytes than the member's declared size")
    try file.write(bytes)
    current.written += bytes.count
    current.crc.update(bytes)
    open = current
  }

  /// Appends elements to the open member.
  package func append<T: BitwiseCopyable>(contentsOf values: [T]) throws {
    try values.withUnsafeBytes { try append($0) }
  }

  /// Ends the open member: checks its size and patches its CRC-32.
  package func endMember() throws {
    guard let current = open else { preconditionFailure("no open member") }
    guard current.written == current.entry.size else {
      file.discard()
      throw FileError(path: path, problem: "internal: member of \(current.entry.size) bytes got \(current.written)")
    }
    var entry = current.entry
    entry.crc = current.crc.value
    var c = ByteWriter()
    c.u32(Int(entry.crc))
    try file.overwrite(c.bytes, at: entry.offset + 14)
    entries.append(entry)
    open = nil
  }

  /// Writes the central directory and renames the archive into place.
  package func finish() throws {
    precondition(open == nil, "member not ended")
    let start = file.count
    var d = ByteWriter()
    for e in entries {
      var extra: [Int] = []
      if e.size > zip64Limit { extra += [e.size, e.size] }
      if e.offset > zip64Limit { extra.append(e.offset) }
      let bigSize = e.size > zip64Limit
      d.u32(0x0201_4B50)
      d.u16(0x032D)  // made by: Unix, 4.5
      d.u16(45)
      d.u16(0)
      d.u16(0)
      d.u16(0)
      d.u16(0x21)
      d.u32(Int(e.crc))
      d.u32(bigSize ? 0xFFFF_FFFF : e.size)
      d.u32(bigSize ? 0xFFFF_FFFF : e.size)
      d.u16(e.name.count)
      d.u16(extra.isEmpty ? 0 : 4 + 8 * extra.count)
      d.u16(0)  // comment
      d.u16(0)  // disk
      d.u16(0)  // internal attributes
      d.u32(0o600 << 16)  // external: -rw-------, as zipfile's open(..., "w")
      d.u32(e.offset > zip64Limit ? 0xFFFF_FFFF : e.offset)
      d.bytes += e.name
      if !extra.isEmpty {
        d.u16(1)
        d.u16(8 * extra.count)
        for v in extra { d.u64(v) }
      }
    }
    let size = d.bytes.count
    let end = start + size
    let count = entries.count
    if count > 0xFFFF || start > zip64Limit || size > zip64Limit {
      d.u32(0x0606_4B50)  // ZIP64 end of central directory
      d.u64(44)
      d.u16(45)
      d.u16(45)
      d.u32(0)
      d.u32(0)
      d.u64(count)
      d.u64(count)
      d.u64(size)
      d.u64(start)
      d.u32(0x0706_4B50)  // its locator
      d.u32(0)
      d.u64(end)
      d.u32(1)
    }
    d.u32(0x0605_4B50)
    d.u16(0)
    d.u16(0)
    d.u16(min(count, 0xFFFF))
    d.u16(min(count, 0xFFFF))
    d.u32(min(size, 0xFFFF_FFFF))
    d.u32(min(start, 0xFFFF_FFFF))
    d.u16(0)
    try file.write(d.bytes)
    try file.commit()
  }
}
