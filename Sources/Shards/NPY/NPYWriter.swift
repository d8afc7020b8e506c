/// Writes a `.npy` file in bounded memory: the header first, then the data
/// appended in chunks of any size, renamed into place only when complete.
///
/// The bytes are the ones `numpy.save` writes for a C-order array of the same
/// dtype and shape: the same header dict, the same spare spaces after it, the
/// same padding to a multiple of 64 bytes, version 1.0 unless the header is
/// too long for it (then 2.0). This is mapk's one place that writes `.npy`.
///
/// ```swift
/// let writer = try NPYWriter(path: "ap.npy", type: .float64, shape: [rows, 3])
/// for chunk in chunks { try writer.append(chunk) }   // UnsafeBufferPointer<Double>
/// try writer.finish()
/// ```
package final class NPYWriter {
  /// The destination.
  package var path: String { file.path }
  /// The numpy dtype string, e.g. `<f8`.
  package let descr: String
  /// The shape.
  package let shape: [Int]
  /// The bytes of data the shape needs.
  package let dataByteCount: Int
  /// The data bytes appended so far.
  package private(set) var written = 0
  private let file: AtomicOutputFile

  /// Starts a `.npy` of `type` and `shape` at `path` (a temporary file until ``finish()``).
  ///
  /// - Parameter inputs: Files `path` must not be (see ``AtomicOutputFile``).
  /// - Throws: ``FileError`` if the file cannot be created.
  package convenience init(path: String, type: NPYType, shape: [Int], protecting inputs: [String] = []) throws {
    precondition(type != .bfloat16, "numpy has no bfloat16 dtype: callers refuse it before writing a .npy")
    try self.init(path: path, descr: type.rawValue, elementWidth: type.byteWidth, shape: shape, protecting: inputs)
  }

  /// Starts a `.npy` of any fixed-width dtype (for example `|S3`, a 3-byte string).
  ///
  /// - Parameters:
  ///   - descr: The numpy dtype string, written as given.
  ///   - elementWidth: Bytes per element.
  package init(path: String, descr: String, elementWidth: Int, shape: [Int], protecting inputs: [String] = []) throws {
    precondition(elementWidth > 0 && shape.allSatisfy { $0 >= 0 }, "bad dtype width or shape")
    self.descr = descr
    self.shape = shape
    self.dataByteCount = shape.reduce(elementWidth, *)
    self.file = try AtomicOutputFile(path: path, protecting: inputs)
    try file.write(NPYWriter.header(descr: descr, shape: shape))
  }

  /// Appends raw data bytes (little-endian elements, row-major).
  /// - Throws: ``FileError`` if the write fails.
  package func append(_ bytes: UnsafeRawBufferPointer) throws {
    precondition(written + bytes.count <= dataByteCount, "more data than the shape \(shape) holds")
    try file.write(bytes)
    written += bytes.count
  }

  /// Appends elements (their in-memory bytes: little-endian on every platform mapk builds for).
  package func append<T: BitwiseCopyable>(_ values: UnsafeBufferPointer<T>) throws {
    try append(UnsafeRawBufferPointer(values))
  }

  /// Appends elements.
  package func append<T: BitwiseCopyable>(contentsOf values: [T]) throws {
    try values.withUnsafeBytes { try append($0) }
  }

  /// Checks that the data is complete and renames the file into place.
  /// - Throws: ``FileError`` if fewer bytes were appended than the shape
  ///   needs (the temporary file is removed), or the rename fails.
  package func finish() throws {
    guard written == dataByteCount else {
      file.discard()
      throw FileError(path: path, problem: "internal: \(written) of \(dataByteCount) data bytes written")
    }
    try file.commit()
  }

  /// The header `numpy.save` writes for a C-order array: magic, version,
  /// length, the dict, spaces and a newline, padded to a multiple of 64 bytes.
  ///
  /// numpy (`numpy.lib.format._write_array_header`) writes the keys sorted,
  /// each as `'key': repr(value), `, then `}`, then 21 minus the digits of the
  /// first dimension in spaces (room to grow the array in place), then pads
  /// with spaces so that magic + version + length field + header + `\n` is a
  /// multiple of 64; when it already is, it adds 64 spaces, as numpy does.
  ///
  /// - Complexity: O(rank).
  package static func header(descr: String, shape: [Int]) -> [UInt8] {
    let dims: String
    switch shape.count {
    case 0: dims = "()"
    case 1: dims = "(\(shape[0]),)"  // Python's repr of a 1-tuple
    default: dims = "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
    var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(dims), }"
    if let first = shape.first { dict += String(repeating: " ", count: max(0, 21 - String(first).utf8.count)) }
    let text = Array(dict.utf8)
    for (major, lengthBytes) in [(UInt8(1), 2), (UInt8(2), 4)] {
      let unpadded = 6 + 2 + lengthBytes + text.count + 1
      let padding = 64 - unpadded % 64
      let length = text.count + padding + 1
      guard length < 1 << (8 * lengthBytes) else { continue }
      var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [major, 0]
      for i in 0..<lengthBytes { out.append(UInt8(truncatingIfNeeded: length >> (8 * i))) }
      out += text
      out += repeatElement(UInt8(ascii: " "), count: padding)
      out.append(UInt8(ascii: "\n"))
      return out
    }
    preconditionFailure("a .npy header over 4 GiB")
  }
}
