/// A `.npy` file mapped read-only: its header and a pointer to its data.
public struct NPYArray: @unchecked Sendable {
  // Sendable: the mapping is read-only and kept alive by `file`.

  /// The mapped file.
  public let file: MappedFile
  /// The parsed header.
  public let header: NPYHeader

  /// Maps and parses the `.npy` file at `path`.
  /// - Throws: ``FileError`` naming the file and the problem.
  public init(path: String) throws {
    let file = try MappedFile(path: path)
    self.file = file
    self.header = try NPYHeader(parsing: file.bytes, path: path)
  }

  /// The path.
  public var path: String { file.path }
  /// The shape.
  public var shape: [Int] { header.shape }
  /// The element type.
  public var type: NPYType { header.type }

  /// The first data byte (a valid, aligned pointer even when there is no data).
  public var data: UnsafeRawPointer {
    if let base = file.base, header.dataByteCount > 0 { return base + header.dataOffset }
    return UnsafeRawPointer(bitPattern: 64)!  // never read: zero elements
  }
}
