/// A `.safetensors` file mapped read-only (Hugging Face's format, what
/// `safetensors.numpy.save_file` and `safetensors.torch.save_file` write):
/// an 8-byte little-endian header length N, N bytes of JSON naming each
/// tensor's dtype, shape and `data_offsets` (from the first byte after the
/// header), then the tensors' bytes, row-major, little-endian.
///
/// Checked as the format's own reader checks it: the header fits the file,
/// is a JSON object of tensors (plus an optional `__metadata__` object of
/// strings, which is ignored), each tensor's byte count agrees with its
/// dtype and shape, and the tensors, sorted by offset, tile the data area
/// exactly (no gap, no overlap, nothing past the end). The header is read by
/// the project's JSON scanner (`JSONDocument` under
/// `JSONLimits.safetensorsHeader`), strict RFC 8259 with duplicate keys
/// refused and integers kept exact in 64 bits. A tensor is viewed in
/// place; one whose first byte is not aligned for its dtype (possible when
/// an odd-length float16 tensor precedes it) is copied into an aligned buffer.
package struct SafetensorsFile: @unchecked Sendable {
  // Sendable: the mapping is read-only and kept alive by `file`.

  /// One tensor, as the header describes it.
  package struct Tensor: Sendable, Equatable {
    /// Its name (the header's key).
    package let name: String
    /// The dtype as the header spells it (`F32`).
    package let dtype: String
    /// The element type mapk reads it as, nil for a dtype it does not read.
    package let type: NPYType?
    /// The shape.
    package let shape: [Int]
    /// Its bytes, from the start of the file.
    package let range: Range<Int>
  }

  /// The mapped file.
  package let file: MappedFile
  /// The tensors, in the header's order.
  package let tensors: [Tensor]
  /// Where the data area starts (8 + N).
  package let dataOffset: Int

  /// The most header bytes accepted (the format's own reader caps it at 100 MB).
  static let maxHeaderBytes = 100_000_000

  /// The element bytes of each dtype of the format.
  static let dtypeWidths: [String: Int] = [
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
    "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8, "C64": 8,
  ]

  /// Maps and checks the file at `path`.
  /// - Throws: ``FileError`` naming the file and what is malformed.
  package init(path: String) throws {
    let file = try MappedFile(path: path)
    self.file = file
    (tensors, dataOffset) = try Self.parse(file.bytes, path: path)
  }

  /// The tensors and the data offset of the file in `bytes`.
  static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> ([Tensor], Int) {
    func fail(_ problem: String, _ kind: FileError.Kind = .badFormat) -> FileError {
      FileError(path: path, problem: problem, kind: kind)
    }
    guard bytes.count >= 8 else {
      throw fail(bytes.isEmpty ? "empty file, not a .safetensors file"
                 : "too short for a .safetensors header length (\(bytes.count) bytes)", .truncated)
    }
    let declared = bytes.le64(0)
    guard declared <= UInt64(maxHeaderBytes) else {
      throw fail("header length \(declared) is larger than the format allows (\(maxHeaderBytes) bytes)")
    }
    let headerLength = Int(declared)
    guard 8 + headerLength <= bytes.count else {
      throw fail("header length \(headerLength) points past the end of the file (\(bytes.count) bytes)", .truncated)
    }
    let text = UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerLength)])
    guard text.first == UInt8(ascii: "{") else { throw fail("the header is not a JSON object") }
    let json: JSONDocument
    do { json = try JSONDocument(parsing: text, limits: .safetensorsHeader) } catch {
      throw fail("malformed .safetensors header: \(error)")
    }
    guard json.nodes[0].kind == .object else { throw fail("the header is not a JSON object") }
    let dataOffset = 8 + headerLength
    let dataLength = bytes.count - dataOffset
    // The value of integer node `i`, or nil for any other node (a fraction,
    // an exponent, or beyond 64 bits: the scanner keeps those as numbers).
    func integer(_ i: Int) -> Int64? { json.nodes[i].kind == .integer ? json.nodes[i].payload : nil }
    var tensors: [Tensor] = []
    for (key, value) in json.members(of: 0) {
      let name = json.string(key)
      if name == "__metadata__" {
        guard json.nodes[value].kind == .object,
              json.members(of: value).allSatisfy({ json.nodes[$0.value].kind == .string })
        else { throw fail("malformed .safetensors header: __metadata__ must be an object of strings") }
        continue
      }
      func bad(_ problem: String) -> FileError { fail("tensor \"\(name)\": \(problem)") }
      guard json.nodes[value].kind == .object else { throw bad("not a JSON object") }
      // Keys are unique (the scanner refuses duplicates), so the set has them all.
      let keys = json.members(of: value).map { json.string($0.key) }
      guard Set(keys) == ["dtype", "shape", "data_offsets"] else {
        throw bad("keys must be dtype, shape, data_offsets (found \(keys.sorted()))")
      }
      guard let dtypeNode = json.member("dtype", of: value), json.nodes[dtypeNode].kind == .string else {
        throw bad("dtype is not a string")
      }
      let dtype = json.string(dtypeNode)
      guard let width = dtypeWidths[dtype] else { throw bad("unknown dtype \"\(dtype)\"") }
      guard let shapeNode = json.member("shape", of: value), json.nodes[shapeNode].kind == .array else {
        throw bad("shape is not a list")
      }
      var shape: [Int] = []
      var count = 1
      for d in json.elements(of: shapeNode) {
        guard let v = integer(d), v >= 0, v < 1 << 62 else {
          throw bad("shape must be a list of non-negative integers")
        }
        shape.append(Int(v))
        let (m, overflow) = count.multipliedReportingOverflow(by: Int(v))
        guard !overflow else { throw bad("shape \(shape) is too large") }
        count = m
      }
      let (byteCount, overflow) = count.multipliedReportingOverflow(by: width)
      guard !overflow else { throw bad("shape \(shape) is too large") }
      let offsetsNode = json.member("data_offsets", of: value)
      let offsets = offsetsNode.map { json.nodes[$0].kind == .array ? json.elements(of: $0) : [] } ?? []
      guard offsets.count == 2, let begin = integer(offsets[0]), let end = integer(offsets[1]),
            begin >= 0, end >= begin
      else { throw bad("data_offsets must be [begin, end] with 0 <= begin <= end") }
      guard end <= Int64(dataLength) else {
        throw bad("data_offsets [\(begin), \(end)] run past the end of the data (\(dataLength) bytes)")
      }
      guard end - begin == Int64(byteCount) else {
        throw bad("dtype \(dtype) and shape \(shape) need \(byteCount) bytes, data_offsets [\(begin), \(end)] "
                  + "hold \(end - begin)")
      }
      let type: NPYType?
      switch dtype {
      case "F16": type = .float16
      case "F32": type = .float32
      case "F64": type = .float64
      case "BF16": type = .bfloat16
      case "I32": type = .int32
      case "I64": type = .int64
      case "BOOL": type = .bool
      default: type = nil
      }
      tensors.append(Tensor(name: name, dtype: dtype, type: type, shape: shape,
                            range: (dataOffset + Int(begin))..<(dataOffset + Int(end))))
    }
    // The tensors must tile the data area: sorted by offset, each begins where the previous ended.
    var next = dataOffset
    for t in tensors.sorted(by: { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }) {
      guard t.range.lowerBound == next else {
        throw fail(t.range.lowerBound < next
                   ? "tensor \"\(t.name)\" overlaps the tensor before it (its data starts at \(t.range.lowerBound - dataOffset), "
                     + "the previous one ends at \(next - dataOffset))"
                   : "a gap of \(t.range.lowerBound - next) bytes before tensor \"\(t.name)\" in the data")
      }
      next = t.range.upperBound
    }
    guard next == bytes.count else {
      throw fail("\(bytes.count - next) bytes after the last tensor's data (header and file size disagree)",
                 .shapeMismatch)
    }
    return (tensors, dataOffset)
  }

  /// The path.
  package var path: String { file.path }

  /// The tensor named `member`, or the file's only tensor when `member` is nil.
  /// - Throws: ``FileError`` if there is no such tensor, or several and no name.
  package func tensor(_ member: String?) throws -> Tensor {
    if let member {
      guard let t = tensors.first(where: { $0.name == member }) else {
        throw FileError(path: path, problem: "no tensor named \"\(member)\" (it holds \(names))", kind: .notFound)
      }
      return t
    }
    guard tensors.count == 1 else {
      throw FileError(path: path, problem: tensors.isEmpty ? "holds no tensor"
                      : "holds \(tensors.count) tensors (\(names)): name one as FILE.safetensors:NAME",
                      kind: .badFormat)
    }
    return tensors[0]
  }

  /// The tensor names, quoted, in the header's order.
  var names: String { tensors.map { "\"\($0.name)\"" }.joined(separator: ", ") }

  /// The tensor `member` (or the only one) as the value the inputs use:
  /// viewed in the mapping, or copied if its bytes are not aligned for its type.
  /// - Throws: ``FileError`` for a missing tensor or a dtype mapk does not read.
  package func stored(_ member: String?) throws -> StoredArray {
    let t = try tensor(member)
    guard let type = t.type else {
      throw FileError(path: path, problem: "tensor \"\(t.name)\" has dtype \(t.dtype), which mapk does not read "
                      + "(F16, BF16, F32, F64 scores; I32, I64, BOOL labels)", kind: .unsupportedType)
    }
    let slice = UnsafeRawBufferPointer(rebasing: file.bytes[t.range])
    let origin = StoredArray.Origin(path: path, format: .safetensors, member: member)
    if let base = slice.baseAddress, Int(bitPattern: base) % type.byteWidth != 0 {
      let copy = OwnedBytes(copying: slice)
      return StoredArray(type: type, shape: t.shape, bytes: copy.prefix(slice.count), owner: copy, file: file,
                         origin: origin)
    }
    return StoredArray(type: type, shape: t.shape, bytes: slice, owner: file, file: file, origin: origin)
  }
}
