/// A dense array stored in a file: its element type, its shape, its bytes,
/// the object that keeps those bytes alive, and where it came from.
///
/// Every array reader returns one (``FileFormat/readArray(path:)``): a
/// `.npy` file today; an `.npz` member or a `.safetensors` tensor is one
/// more reader returning the same value. Views made from it (``ScoreMatrix``,
/// ``LabelRows``, ``RowWeights``) carry ``owner``, so they stay valid for as
/// long as they are held, whatever happens to the inputs object.
package struct StoredArray: @unchecked Sendable {
  // Sendable: immutable; the bytes are read-only and kept alive by `owner`.

  /// Where an array came from.
  package struct Origin: Sendable, Equatable {
    /// The file's path.
    package var path: String
    /// The file's format.
    package var format: FileFormat
    /// The member or tensor name inside a container, nil for a file that is one array.
    package var member: String?

    /// Creates an origin.
    package init(path: String, format: FileFormat, member: String? = nil) {
      self.path = path
      self.format = format
      self.member = member
    }
  }

  /// The element type.
  package let type: NPYType
  /// The shape; `[]` for a 0-d (scalar) array.
  package let shape: [Int]
  /// The data bytes, row-major, aligned to the element size
  /// (`shape.product · type.byteWidth` of them).
  package let bytes: UnsafeRawBufferPointer
  /// The object whose lifetime keeps ``bytes`` valid (the mapping, or a buffer).
  package let owner: AnyObject
  /// The mapped file the array lives in (for the size check after a run and
  /// the state file's fingerprint).
  package let file: MappedFile
  /// Where it came from.
  package let origin: Origin

  /// Creates the value a reader returns.
  package init(type: NPYType, shape: [Int], bytes: UnsafeRawBufferPointer, owner: AnyObject, file: MappedFile,
               origin: Origin) {
    self.type = type
    self.shape = shape
    self.bytes = bytes
    self.owner = owner
    self.file = file
    self.origin = origin
  }

  /// The path of the file it came from.
  package var path: String { origin.path }
  /// The number of elements (1 for a scalar).
  package var count: Int { shape.reduce(1, *) }

  /// The first data byte: a valid pointer, aligned for every element type,
  /// even when there is no data (then it is never read).
  package var data: UnsafeRawPointer {
    if let base = bytes.baseAddress, !bytes.isEmpty { return base }
    return UnsafeRawPointer(bitPattern: 64)!  // never read: zero elements
  }
}
