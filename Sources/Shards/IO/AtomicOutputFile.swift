/// An output file that appears whole or not at all.
///
/// Bytes go to a temporary file in the destination's directory (same file
/// system, so the final `rename` is atomic); ``commit()`` renames it over the
/// destination. A writer that fails or is dropped before committing removes
/// its temporary file, so a reader never sees a half-written output.
package final class AtomicOutputFile {
  /// The destination path.
  package let path: String
  /// The temporary file's path while writing.
  package let temporaryPath: String
  /// Bytes written so far (the position of the next ``write(_:)``).
  package private(set) var count = 0
  private var fd: Int32
  private var closed = false
  /// The temporary's slot in ``TemporaryFiles`` (removed if a signal ends the run).
  private var registration: Int?

  /// Creates the temporary file for `path`.
  ///
  /// - Parameters:
  ///   - path: The destination; replaced on ``commit()`` if it exists.
  ///   - inputs: Files the destination must not be (an output named like an
  ///     input would replace the input: refused).
  /// - Throws: ``FileError`` if `path` is refused by ``checkDestination(_:protecting:)``
  ///   or the directory is not writable.
  package init(path: String, protecting inputs: [String] = []) throws {
    try AtomicOutputFile.checkDestination(path, protecting: inputs)
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { String(path[...$0]) } ?? ""
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    var attempt = 0
    while true {
      // A hidden name with the pid and a counter; O_EXCL makes a clash an
      // error rather than two writers sharing one file.
      let candidate = "\(directory).\(name).\(System.processID).\(attempt).tmp"
      do {
        fd = try System.createNew(candidate)
        temporaryPath = candidate
        registration = TemporaryFiles.register(candidate)
        break
      } catch {
        // Only a name taken by someone else is worth another try.
        let taken = (try? System.status(path: candidate)) != nil
        attempt += 1
        if !taken || attempt >= 100 { throw error.about(path) }
      }
    }
    self.path = path
  }

  deinit { discard() }

  /// Closes and removes the temporary file; the destination is untouched.
  /// Nothing can be written afterwards. (Dropping the writer does the same.)
  package func discard() {
    guard !closed else { return }
    closed = true
    System.close(fd)
    System.remove(temporaryPath)
    TemporaryFiles.unregister(registration)
  }

  /// Appends `bytes`.
  /// - Throws: ``FileError`` (for example, the disk is full).
  package func write(_ bytes: UnsafeRawBufferPointer) throws {
    precondition(!closed, "write after commit or discard")
    do { try System.writeAll(fd, bytes, path: path) } catch { throw error.about(path) }
    count += bytes.count
  }

  /// Appends `bytes`.
  package func write(_ bytes: [UInt8]) throws {
    try bytes.withUnsafeBytes { try write($0) }
  }

  /// Overwrites bytes already written, at `offset` (to patch a header whose
  /// fields are known only at the end); the append position does not move.
  package func overwrite(_ bytes: [UInt8], at offset: Int) throws {
    precondition(!closed && offset >= 0 && offset + bytes.count <= count, "overwrite outside the written bytes")
    try bytes.withUnsafeBytes { b in
      do throws(FileError) { try System.writeAll(fd, b, at: offset, path: path) } catch {
        throw error.about(path)
      }
    }
  }

  /// Closes the file and renames it to ``path``.
  /// - Throws: ``FileError`` if the rename fails (the temporary file is then removed).
  package func commit() throws {
    precondition(!closed, "commit after commit or discard")
    System.close(fd)
    closed = true
    defer { TemporaryFiles.unregister(registration) }
    do { try System.rename(temporaryPath, path) } catch {
      System.remove(temporaryPath)
      throw error
    }
  }

  /// Checks that `path` may be an output, before anything is created or computed.
  ///
  /// An existing destination must be a regular file: the rename would put a
  /// regular file in place of a FIFO, a device (`/dev/null`), a directory or
  /// a symbolic link (`/dev/stdout`; the link itself, not its target, would
  /// be replaced), so those are refused rather than written in place, which
  /// would give up "whole or not at all". It must not be one of `inputs`
  /// (the same device and inode, whatever the spelling).
  /// - Throws: ``FileError`` (``FileError/Kind/notRegularFile`` or ``FileError/Kind/conflict``).
  package static func checkDestination(_ path: String, protecting inputs: [String] = []) throws {
    if System.isSymbolicLink(path) {
      throw FileError(path: path, problem: "is a symbolic link; refusing to replace it (name the file itself)",
                      kind: .notRegularFile)
    }
    guard let existing = try? System.status(path: path) else { return }
    switch existing.kind {
    case .regular: break
    case .directory: throw FileError(path: path, problem: "is a directory, not a file", kind: .notRegularFile)
    case .other:
      throw FileError(path: path, problem: "is not a regular file (a FIFO, socket or device); refusing to replace it",
                      kind: .notRegularFile)
    }
    for input in inputs {
      guard let s = try? System.status(path: input) else { continue }
      if s.identity == existing.identity {
        throw FileError(path: path, problem: "is also an input (\(input)); refusing to overwrite it", kind: .conflict)
      }
    }
  }

  /// What `path` would be once written, to tell two outputs of one run apart
  /// by the file they name rather than by spelling (`a.npy`, `./a.npy`,
  /// `d/../a.npy`, a hard link): the device and inode of an existing file,
  /// else those of its directory and its last component's bytes.
  package static func destination(of path: String) -> Destination? {
    if let s = try? System.status(path: path) { return Destination(file: s.identity, directory: nil, name: []) }
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { String(path[...$0]) } ?? "."
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    guard let d = try? System.status(path: directory) else { return nil }
    return Destination(file: nil, directory: d.identity, name: PathBytes.bytes(name))
  }

  /// The file an output path names (see ``destination(of:)``): equal for two
  /// paths exactly when writing one would replace the other.
  package struct Destination: Hashable {
    let file: FileIdentity?
    let directory: FileIdentity?
    let name: [UInt8]
  }
}
