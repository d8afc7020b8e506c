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

  /// Creates the temporary file for `path`.
  ///
  /// - Parameters:
  ///   - path: The destination; replaced on ``commit()`` if it exists.
  ///   - inputs: Files the destination must not be (an output named like an
  ///     input would replace the input: refused).
  /// - Throws: ``FileError`` if `path` is one of `inputs` or the directory is not writable.
  package init(path: String, protecting inputs: [String] = []) throws {
    if let existing = try? System.status(path: path) {
      for input in inputs {
        guard let s = try? System.status(path: input) else { continue }
        if s.identity == existing.identity {
          throw FileError(path: path, problem: "is also an input (\(input)); refusing to overwrite it", kind: .conflict)
        }
      }
    }
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
    do { try System.rename(temporaryPath, path) } catch {
      System.remove(temporaryPath)
      throw error
    }
  }
}
