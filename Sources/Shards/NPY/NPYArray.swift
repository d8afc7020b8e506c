/// A `.npy` file mapped read-only: its header and a pointer to its data.
package struct NPYArray: @unchecked Sendable {
  // Sendable: the mapping is read-only and kept alive by `file`.

  /// The mapped file.
  package let file: MappedFile
  /// The parsed header.
  package let header: NPYHeader

  /// Maps and parses the `.npy` file at `path`.
  /// - Throws: ``FileError`` naming the file and the problem.
  package init(path: String) throws {
    let file = try MappedFile(path: path)
    self.file = file
    self.header = try NPYHeader(parsing: file.bytes, path: path)
  }

  /// The path.
  package var path: String { file.path }
  /// The shape.
  package var shape: [Int] { header.shape }
  /// The element type.
  package var type: NPYType { header.type }

  /// The first data byte (a valid, aligned pointer even when there is no data).
  package var data: UnsafeRawPointer {
    if let base = file.base, header.dataByteCount > 0 { return base + header.dataOffset }
    return UnsafeRawPointer(bitPattern: 64)!  // never read: zero elements
  }

  /// The array as the reader-independent value the inputs use; the mapping owns its bytes.
  package var stored: StoredArray {
    StoredArray(type: header.type, shape: header.shape,
                bytes: UnsafeRawBufferPointer(start: data, count: header.dataByteCount), owner: file, file: file,
                origin: .init(path: file.path, format: .npy))
  }
}
