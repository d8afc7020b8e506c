/// A whole file mapped read-only into memory.
///
/// The mapping is `PROT_READ` and `MAP_SHARED`: nothing can write through it,
/// so a user's file is never modified. An empty file has no mapping (`base`
/// is nil). The file stays open so that its size can be checked again after
/// a run (a file truncated under a mapping would fault on access).
package final class MappedFile: @unchecked Sendable {
  // Sendable: immutable after init; the mapped bytes are only read.

  /// The path it was opened with.
  package let path: String
  /// The size in bytes at the time of mapping.
  package let size: Int
  /// The first byte, or nil for an empty file.
  package let base: UnsafeRawPointer?
  private let fd: Int32
  /// True for a stream opened with `init(streamNamed:opening:)`: not mapped, read through `descriptor`.
  package let isStream: Bool

  /// Maps the file at `path`.
  ///
  /// - Parameter sequential: Advise the kernel that it will be read front to back.
  /// - Throws: ``FileError`` if it cannot be opened, is not a regular file,
  ///   or cannot be mapped.
  package init(path: String, sequential: Bool = true) throws {
    let fd = try System.openReadOnly(path)
    do {
      let st = try System.status(fd, path: path)
      switch st.kind {
      case .regular: break
      case .directory: throw FileError(path: path, problem: "is a directory, not a file", kind: .notRegularFile)
      case .other: throw FileError(path: path, problem: "is not a regular file", kind: .notRegularFile)
      }
      let size = st.size
      self.size = size
      if size > 0 {
        let base = try System.mapReadOnly(fd, length: size, path: path)
        System.advise(base, length: size, sequential: sequential)
        self.base = base
      } else {
        self.base = nil
      }
    } catch {
      System.close(fd)
      throw error
    }
    self.path = path
    self.fd = fd
    self.isStream = false
  }

  /// A stream (a pipe, a FIFO, a device) opened blocking to be read front to
  /// back through `descriptor`, not mapped: `base` nil, `size` 0.
  ///
  /// - Parameters:
  ///   - path: The name errors give it (`-` for standard input).
  ///   - opening: The path opened (`/dev/stdin` for `-`).
  /// - Throws: ``FileError`` if it cannot be opened.
  package init(streamNamed path: String, opening: String) throws {
    fd = try System.openForStreaming(opening)
    self.path = path
    self.size = 0
    self.base = nil
    self.isStream = true
  }

  /// The open descriptor (a stream's bytes are read through it).
  package var descriptor: Int32 { fd }

  deinit {
    if let base { System.unmap(base, length: size) }
    System.close(fd)
  }

  /// The mapped bytes.
  package var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }

  /// Checks that the file still has the size it had when mapped.
  ///
  /// A file truncated by another process while mapped makes reads past its
  /// new end fault; checking after a run turns a silently changed input into
  /// a clear error (see docs/design.md for what remains possible).
  /// - Throws: ``FileError`` if the size changed.
  package func checkUnchanged() throws {
    if isStream { return }  // nothing mapped, no size to compare: a short stream is caught while reading it
    let st = try System.status(fd, path: path)
    if st.size != size {
      throw FileError(path: path, problem: "changed size while being read (\(size) -> \(st.size) bytes)", kind: .changed)
    }
  }
}
