/// Writes a `.safetensors` file of one tensor in bounded memory: the header
/// first, then the data appended in chunks, renamed into place only when complete.
///
/// The header is what `safetensors.numpy.save_file({name: array}, path)`
/// writes for one tensor: compact JSON (`{"name":{"dtype":"F32","shape":[..],
/// "data_offsets":[0,n]}}`) padded with spaces to a multiple of 8 bytes, so
/// the data starts aligned for every dtype.
package final class SafetensorsWriter {
  /// The destination.
  package var path: String { file.path }
  /// The bytes of data the shape needs.
  package let dataByteCount: Int
  /// The data bytes appended so far.
  package private(set) var written = 0
  private let file: AtomicOutputFile

  /// Starts a `.safetensors` file holding tensor `name` of `type` and `shape`.
  /// - Throws: ``FileError`` if the file cannot be created.
  package init(path: String, name: String, type: ScoreType, shape: [Int], protecting inputs: [String] = []) throws {
    precondition(shape.allSatisfy { $0 >= 0 } && !name.contains("\"") && !name.contains("\\"), "bad shape or name")
    dataByteCount = shape.reduce(type.byteWidth, *)
    file = try AtomicOutputFile(path: path, protecting: inputs)
    try file.write(Self.header(name: name, type: type, shape: shape))
  }

  /// The 8-byte length and the padded JSON header.
  package static func header(name: String, type: ScoreType, shape: [Int]) -> [UInt8] {
    let dtype: String
    switch type {
    case .float16: dtype = "F16"
    case .float32: dtype = "F32"
    case .float64: dtype = "F64"
    case .bfloat16: dtype = "BF16"
    }
    let bytes = shape.reduce(type.byteWidth, *)
    var json = Array("{\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],"
                     .utf8) + Array("\"data_offsets\":[0,\(bytes)]}}".utf8)
    while json.count % 8 != 0 { json.append(0x20) }
    let n = UInt64(json.count)
    return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } + json
  }

  /// Appends raw data bytes (little-endian elements, row-major).
  /// - Throws: ``FileError`` if the write fails.
  package func append(_ bytes: UnsafeRawBufferPointer) throws {
    precondition(written + bytes.count <= dataByteCount, "more data than the shape holds")
    try file.write(bytes)
    written += bytes.count
  }

  /// Checks that the data is complete and renames the file into place.
  /// - Throws: ``FileError`` if fewer bytes were appended, or the rename fails.
  package func finish() throws {
    guard written == dataByteCount else {
      file.discard()
      throw FileError(path: path, problem: "internal: \(written) of \(dataByteCount) data bytes written")
    }
    try file.commit()
  }
}
