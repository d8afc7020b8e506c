/// The bytes of a pipe, a FIFO or a device, read through its descriptor
/// with blocking `read` calls (`System`'s wrapper: `EINTR` retried).
package final class DescriptorSource: ByteSource {
  /// The opened stream (kept for the inputs' file list; its descriptor is read).
  package let file: MappedFile

  /// Reads the stream `file` (opened with `MappedFile/init(streamNamed:opening:)`).
  package init(file: MappedFile) {
    precondition(file.isStream, "a descriptor source reads a stream")
    self.file = file
  }

  /// The stream's name.
  package var path: String { file.path }

  /// Reads what the stream has, at most `buffer.count` bytes; 0 at its end.
  package func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    try System.read(file.descriptor, into: buffer, path: file.path)
  }
}
