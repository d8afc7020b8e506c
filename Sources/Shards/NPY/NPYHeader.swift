/// The parsed header of a `.npy` file (format versions 1.0, 2.0 and 3.0).
///
/// The layout (numpy's `numpy.lib.format`): the magic `\x93NUMPY`, a major and
/// a minor version byte, the header length (2 bytes little-endian in 1.0,
/// 4 bytes in 2.0 and 3.0), then a Python dict literal with exactly the keys
/// `descr`, `fortran_order` and `shape`. The data starts right after the
/// header: the offset is read, never assumed.
package struct NPYHeader: Sendable, Equatable {
  /// The format version, e.g. (1, 0).
  package let version: (major: UInt8, minor: UInt8)
  /// The element type.
  package let type: NPYType
  /// The shape; `[]` for a 0-d (scalar) array.
  package let shape: [Int]
  /// Where the data begins, in bytes from the start of the file.
  package let dataOffset: Int

  /// The number of elements (1 for a scalar).
  package var count: Int { shape.reduce(1, *) }
  /// The number of data bytes.
  package var dataByteCount: Int { count * type.byteWidth }

  package static func == (a: NPYHeader, b: NPYHeader) -> Bool {
    a.version == b.version && a.type == b.type && a.shape == b.shape && a.dataOffset == b.dataOffset
  }

  /// Parses the header at the start of `bytes` and checks it against the size
  /// of the data that follows.
  ///
  /// - Parameters:
  ///   - bytes: The whole file.
  ///   - path: The file's name, for errors.
  /// - Throws: ``FileError`` for a bad magic, an unknown version, a header
  ///   length past the end, a malformed dict, an unsupported dtype, Fortran
  ///   order, or a data size that does not match the shape.
  package init(parsing bytes: UnsafeRawBufferPointer, path: String) throws {
    func fail(_ problem: String, _ kind: FileError.Kind) -> FileError { FileError(path: path, problem: problem, kind: kind) }
    let fields = try Fields(parsing: bytes, fail: fail)
    let type = try NPYHeader.type(of: fields.descr, fail: fail)
    try fields.checkData(byteWidth: type.byteWidth, fileSize: bytes.count, fail: fail)
    self.version = fields.version
    self.type = type
    self.shape = fields.shape
    self.dataOffset = fields.dataOffset
  }

  /// The header's fields before the dtype is interpreted: what
  /// ``init(parsing:path:)`` checks its dtype against, and what a reader of
  /// one odd member (the `<U3` format string of a scipy `.npz`) uses
  /// without widening the dtypes ``NPYType`` admits.
  struct Fields {
    let version: (major: UInt8, minor: UInt8)
    let descr: String
    let fortranOrder: Bool
    let shape: [Int]
    let dataOffset: Int

    init(parsing bytes: UnsafeRawBufferPointer, fail: (String, FileError.Kind) -> FileError) throws {
      let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
      guard bytes.count >= 8 else {
        throw fail(bytes.isEmpty ? "empty file, not a .npy array" : "too short for a .npy header (\(bytes.count) bytes)", .badFormat)
      }
      guard bytes.prefix(6).elementsEqual(magic) else { throw fail("not a .npy file (bad magic bytes)", .badFormat) }
      let major = bytes[6], minor = bytes[7]
      let lengthBytes: Int
      switch major {
      case 1: lengthBytes = 2
      case 2, 3: lengthBytes = 4
      default: throw fail("unsupported .npy format version \(major).\(minor)", .unsupportedType)
      }
      let start = 8 + lengthBytes
      guard bytes.count >= start else { throw fail("truncated inside the .npy header length", .truncated) }
      var headerLength = 0
      for i in 0..<lengthBytes { headerLength |= Int(bytes[8 + i]) << (8 * i) }
      guard start + headerLength <= bytes.count else {
        throw fail("header length \(headerLength) points past the end of the file (\(bytes.count) bytes)", .truncated)
      }
      let text = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + headerLength)])
      if major < 3, text.contains(where: { $0 >= 0x80 }) { throw fail("non-ASCII bytes in a version \(major) header", .badFormat) }
      var parser = HeaderDictParser(text: text)
      let dict: [String: HeaderDictParser.Value]
      do { dict = try parser.parseDict() } catch let e as HeaderDictParser.Failure {
        throw fail("malformed .npy header: \(e.message)", .badFormat)
      }
      guard Set(dict.keys) == ["descr", "fortran_order", "shape"] else {
        throw fail("malformed .npy header: keys must be descr, fortran_order, shape (found \(dict.keys.sorted()))", .badFormat)
      }
      guard case .string(let descr)? = dict["descr"] else {
        if case .list? = dict["descr"] { throw fail("structured dtypes are not supported", .unsupportedType) }
        throw fail("malformed .npy header: descr is not a string", .badFormat)
      }
      guard case .bool(let fortran)? = dict["fortran_order"] else {
        throw fail("malformed .npy header: fortran_order is not True or False", .badFormat)
      }
      guard case .tuple(let shape)? = dict["shape"] else { throw fail("malformed .npy header: shape is not a tuple", .badFormat) }
      self.version = (major, minor)
      self.descr = descr
      self.fortranOrder = fortran
      self.shape = shape
      self.dataOffset = start + headerLength
    }

    /// Checks the data that follows against the shape, for elements of
    /// `byteWidth` bytes; `aligned`: the data offset must be a multiple of
    /// the width (what typed access needs; a byte string does not).
    func checkData(byteWidth: Int, fileSize: Int, aligned: Bool = true, fail: (String, FileError.Kind) -> FileError) throws {
      var count = 1
      for d in shape {
        let (m, overflow) = count.multipliedReportingOverflow(by: d)
        guard !overflow else { throw fail("shape \(shape) is too large", .tooLarge) }
        count = m
      }
      let (dataBytes, overflow) = count.multipliedReportingOverflow(by: byteWidth)
      guard !overflow else { throw fail("shape \(shape) is too large", .tooLarge) }
      if fortranOrder && shape.filter({ $0 > 1 }).count > 1 {
        throw fail("Fortran-order arrays are not supported (save with np.ascontiguousarray)", .unsupportedType)
      }
      let available = fileSize - dataOffset
      if available < dataBytes {
        throw fail("truncated: shape \(shape) of \(descr) needs \(dataBytes) data bytes, the file holds \(available)", .truncated)
      }
      if available > dataBytes {
        throw fail("shape \(shape) of \(descr) needs \(dataBytes) data bytes, the file holds \(available) (header and size disagree)", .shapeMismatch)
      }
      if aligned && dataOffset % byteWidth != 0 {
        throw fail("data offset \(dataOffset) is not aligned to the \(byteWidth)-byte elements", .unsupportedType)
      }
    }
  }

  static func type(of descr: String, fail: (String, FileError.Kind) -> FileError) throws -> NPYType {
    // `bfloat16` is the raw value of a type only safetensors carries, not a numpy descr.
    if let t = NPYType(rawValue: descr), t != .bfloat16 { return t }
    let chars = Array(descr)
    guard chars.count >= 2 else { throw fail("unsupported dtype '\(descr)'", .unsupportedType) }
    let order = chars[0], kind = chars[1], size = String(chars.dropFirst(2))
    switch kind {
    case "O": throw fail("object arrays (dtype '\(descr)') are not supported", .unsupportedType)
    case "U", "S", "a": throw fail("string arrays (dtype '\(descr)') are not supported", .unsupportedType)
    case "V" where size == "2":
      // What ml_dtypes' bfloat16 (and any other 2-byte custom dtype) saves as:
      // raw bytes with no type, which could as well be float16 or int16 data.
      throw fail("void dtype '\(descr)' is raw 2-byte data with no type (ml_dtypes saves bfloat16 this way): "
                 + "mapk reads bfloat16 scores from .safetensors (BF16), or convert with .astype(np.float32)",
                 .unsupportedType)
    case "V": throw fail("void/structured dtype '\(descr)' is not supported", .unsupportedType)
    default: break
    }
    if order == ">" && ["f", "i", "u"].contains(kind) && ["2", "4", "8"].contains(size) {
      throw fail("big-endian dtype '\(descr)' is not supported (convert with .astype('<\(kind)\(size)'))", .unsupportedType)
    }
    if order == "=" || order == "|", let t = NPYType(rawValue: "<" + String(chars.dropFirst())) {
      return t  // native order is little-endian on every platform mapk builds for
    }
    if (order == "<" || order == "=") && kind == "u" && size == "1" { return .uint8 }  // one byte has no order
    throw fail("unsupported dtype '\(descr)' (mapk reads <f2 <f4 <f8 scores, <i4 <i8 |u1 <u2 <u4 <u8 ids and labels, <f4 <f8 weights)", .unsupportedType)
  }
}
