/// Bytes read once, front to back: a pipe or FIFO (`DescriptorSource`), a
/// deflated `.npz` member inflated as it is read (`InflatingSource`).
///
/// A `ScoreStream` reads its `.npy` header and then its rows through one,
/// so every source gets the same header checks and the same evaluation.
package protocol ByteSource: AnyObject {
  /// The name errors give the source (the file, or `-` for standard input).
  var path: String { get }
  /// Reads at most `buffer.count` bytes into `buffer`, returning how many;
  /// 0 only at the end of the bytes (or for an empty buffer).
  /// - Throws: ``FileError`` naming `path`.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteSource {
  /// Reads until `buffer` is full or the bytes end, returning how many were read
  /// (fewer than `buffer.count` only at the end).
  /// - Throws: ``FileError`` naming `path`.
  package func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    var done = 0
    while done < buffer.count {
      let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
      if n == 0 { break }
      done += n
    }
    return done
  }
}
