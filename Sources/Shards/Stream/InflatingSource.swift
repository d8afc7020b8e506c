import CZlib

/// A deflated ZIP member (`numpy.savez_compressed`), inflated as it is read:
/// memory is zlib's window and the caller's buffer, whatever the member's size.
///
/// The member's own checks are kept: it may not inflate past its declared
/// size (no deflate bomb), and at its end the size, the compressed bytes
/// consumed and the CRC-32 must all agree with the ZIP directory, or the
/// read that reaches the end throws. A reader that stops early (a shard)
/// never reaches the end and checks none of them, as a mapped stored
/// member's CRC is not checked either.
package final class InflatingSource: ByteSource {
  /// The archive's name, for errors.
  package let path: String
  /// The member's name, for errors.
  let member: String
  /// What keeps the compressed bytes alive (the archive's mapping).
  let owner: AnyObject
  /// The compressed bytes.
  let input: UnsafeRawBufferPointer
  /// The declared uncompressed size and CRC.
  let declaredSize: Int, declaredCRC: UInt32
  /// zlib's state; it must not move (zlib keeps a pointer back to it), so it lives on the heap.
  private let stream: UnsafeMutablePointer<z_stream>
  private var inputLeft: Int
  private var produced = 0
  private var crc = CRC32()
  private var ended = false

  /// Starts inflating `input`, a raw deflate stream expanding to `size` bytes of CRC-32 `crc`.
  /// - Throws: ``FileError`` if zlib cannot start.
  package init(path: String, member: String, input: UnsafeRawBufferPointer, size: Int, crc: UInt32,
               owner: AnyObject) throws {
    self.path = path
    self.member = member
    self.owner = owner
    self.input = input
    self.declaredSize = size
    self.declaredCRC = crc
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    inputLeft = input.count
    guard mapk_inflate_init_raw(stream) == Z_OK else {
      stream.deallocate()
      throw FileError(path: path, problem: "member \(member): zlib could not start inflating")
    }
    stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
    stream.pointee.avail_in = 0
  }

  deinit {
    inflateEnd(stream)
    stream.deallocate()
  }

  /// `0x1234ABCD`: a CRC as a member inflated whole names it (`ZipArchive`), so both give the same error.
  private static func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: 8 - s.count) + s
  }

  private func fail(_ problem: String) -> FileError {
    FileError(path: path, problem: "member \(member): \(problem)")
  }

  /// Inflates at most `buffer.count` bytes into `buffer`; 0 once the member is done.
  /// - Throws: ``FileError`` for corrupt or truncated deflate data, or a
  ///   size, length or CRC that disagrees with the directory.
  package func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if ended || buffer.isEmpty { return 0 }
    // Never past the declared size: one byte of room beyond it, to notice a member that is longer.
    let room = min(buffer.count, declaredSize - produced + 1, 1 << 30)
    stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_out = uInt(room)
    while stream.pointee.avail_out > 0 {
      if stream.pointee.avail_in == 0 && inputLeft > 0 {
        // zlib counts in 32 bits: feed at most 1 GiB at a time.
        let n = min(inputLeft, 1 << 30)
        stream.pointee.avail_in = uInt(n)
        inputLeft -= n
      }
      let status = CZlib.inflate(stream, Z_NO_FLUSH)
      if status == Z_STREAM_END {
        ended = true
        break
      }
      if status == Z_OK { continue }
      if status == Z_BUF_ERROR {
        if stream.pointee.avail_out == 0 { break }
        throw fail("deflate data is truncated (the stream ends before its last block)")
      }
      let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
      throw fail("corrupt deflate data (\(message))")
    }
    let n = room - Int(stream.pointee.avail_out)
    produced += n
    guard produced <= declaredSize else { throw fail("inflates to more than its declared \(declaredSize) bytes") }
    crc.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
    if ended {
      guard produced == declaredSize else { throw fail("inflates to \(produced) bytes, but declares \(declaredSize)") }
      let consumed = input.count - inputLeft - Int(stream.pointee.avail_in)
      guard consumed == input.count else {
        throw fail("the deflate stream ends after \(consumed) of its declared \(input.count) compressed bytes")
      }
      guard crc.value == declaredCRC else {
        throw fail("CRC-32 mismatch (\(Self.hex(crc.value)) computed, \(Self.hex(declaredCRC)) recorded): "
                   + "the archive is corrupt")
      }
    }
    return n
  }
}
