/// The element type of a `.npy` array, as far as mapk reads it.
public enum NPYType: String, Sendable, Equatable, CaseIterable {
  /// `<f2`
  case float16 = "<f2"
  /// `<f4`
  case float32 = "<f4"
  /// `<f8`
  case float64 = "<f8"
  /// `<i4`
  case int32 = "<i4"
  /// `<i8`
  case int64 = "<i8"

  /// Bytes per element.
  public var byteWidth: Int {
    switch self {
    case .float16: return 2
    case .float32, .int32: return 4
    case .float64, .int64: return 8
    }
  }

  /// The score type for a floating-point dtype.
  public var scoreType: ScoreType? {
    switch self {
    case .float16: return .float16
    case .float32: return .float32
    case .float64: return .float64
    case .int32, .int64: return nil
    }
  }
}

/// The parsed header of a `.npy` file (format versions 1.0, 2.0 and 3.0).
///
/// The layout (numpy's `numpy.lib.format`): the magic `\x93NUMPY`, a major and
/// a minor version byte, the header length (2 bytes little-endian in 1.0,
/// 4 bytes in 2.0 and 3.0), then a Python dict literal with exactly the keys
/// `descr`, `fortran_order` and `shape`. The data starts right after the
/// header: the offset is read, never assumed.
public struct NPYHeader: Sendable, Equatable {
  /// The format version, e.g. (1, 0).
  public let version: (major: UInt8, minor: UInt8)
  /// The element type.
  public let type: NPYType
  /// The shape; `[]` for a 0-d (scalar) array.
  public let shape: [Int]
  /// Where the data begins, in bytes from the start of the file.
  public let dataOffset: Int

  /// The number of elements (1 for a scalar).
  public var count: Int { shape.reduce(1, *) }
  /// The number of data bytes.
  public var dataByteCount: Int { count * type.byteWidth }

  public static func == (a: NPYHeader, b: NPYHeader) -> Bool {
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
  public init(parsing bytes: UnsafeRawBufferPointer, path: String) throws {
    func fail(_ problem: String) -> FileError { FileError(path: path, problem: problem) }
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

    init(parsing bytes: UnsafeRawBufferPointer, fail: (String) -> FileError) throws {
      let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
      guard bytes.count >= 8 else {
        throw fail(bytes.isEmpty ? "empty file, not a .npy array" : "too short for a .npy header (\(bytes.count) bytes)")
      }
      guard bytes.prefix(6).elementsEqual(magic) else { throw fail("not a .npy file (bad magic bytes)") }
      let major = bytes[6], minor = bytes[7]
      let lengthBytes: Int
      switch major {
      case 1: lengthBytes = 2
      case 2, 3: lengthBytes = 4
      default: throw fail("unsupported .npy format version \(major).\(minor)")
      }
      let start = 8 + lengthBytes
      guard bytes.count >= start else { throw fail("truncated inside the .npy header length") }
      var headerLength = 0
      for i in 0..<lengthBytes { headerLength |= Int(bytes[8 + i]) << (8 * i) }
      guard start + headerLength <= bytes.count else {
        throw fail("header length \(headerLength) points past the end of the file (\(bytes.count) bytes)")
      }
      let text = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + headerLength)])
      if major < 3, text.contains(where: { $0 >= 0x80 }) { throw fail("non-ASCII bytes in a version \(major) header") }
      var parser = HeaderDictParser(text: text)
      let dict: [String: HeaderDictParser.Value]
      do { dict = try parser.parseDict() } catch let e as HeaderDictParser.Failure {
        throw fail("malformed .npy header: \(e.message)")
      }
      guard Set(dict.keys) == ["descr", "fortran_order", "shape"] else {
        throw fail("malformed .npy header: keys must be descr, fortran_order, shape (found \(dict.keys.sorted()))")
      }
      guard case .string(let descr)? = dict["descr"] else {
        if case .list? = dict["descr"] { throw fail("structured dtypes are not supported") }
        throw fail("malformed .npy header: descr is not a string")
      }
      guard case .bool(let fortran)? = dict["fortran_order"] else {
        throw fail("malformed .npy header: fortran_order is not True or False")
      }
      guard case .tuple(let shape)? = dict["shape"] else { throw fail("malformed .npy header: shape is not a tuple") }
      self.version = (major, minor)
      self.descr = descr
      self.fortranOrder = fortran
      self.shape = shape
      self.dataOffset = start + headerLength
    }

    /// Checks the data that follows against the shape, for elements of
    /// `byteWidth` bytes; `aligned`: the data offset must be a multiple of
    /// the width (what typed access needs; a byte string does not).
    func checkData(byteWidth: Int, fileSize: Int, aligned: Bool = true, fail: (String) -> FileError) throws {
      var count = 1
      for d in shape {
        let (m, overflow) = count.multipliedReportingOverflow(by: d)
        guard !overflow else { throw fail("shape \(shape) is too large") }
        count = m
      }
      let (dataBytes, overflow) = count.multipliedReportingOverflow(by: byteWidth)
      guard !overflow else { throw fail("shape \(shape) is too large") }
      if fortranOrder && shape.filter({ $0 > 1 }).count > 1 {
        throw fail("Fortran-order arrays are not supported (save with np.ascontiguousarray)")
      }
      let available = fileSize - dataOffset
      if available < dataBytes {
        throw fail("truncated: shape \(shape) of \(descr) needs \(dataBytes) data bytes, the file holds \(available)")
      }
      if available > dataBytes {
        throw fail("shape \(shape) of \(descr) needs \(dataBytes) data bytes, the file holds \(available) (header and size disagree)")
      }
      if aligned && dataOffset % byteWidth != 0 {
        throw fail("data offset \(dataOffset) is not aligned to the \(byteWidth)-byte elements")
      }
    }
  }

  static func type(of descr: String, fail: (String) -> FileError) throws -> NPYType {
    if let t = NPYType(rawValue: descr) { return t }
    let chars = Array(descr)
    guard chars.count >= 2 else { throw fail("unsupported dtype '\(descr)'") }
    let order = chars[0], kind = chars[1], size = String(chars.dropFirst(2))
    switch kind {
    case "O": throw fail("object arrays (dtype '\(descr)') are not supported")
    case "U", "S", "a": throw fail("string arrays (dtype '\(descr)') are not supported")
    case "V": throw fail("void/structured dtype '\(descr)' is not supported")
    default: break
    }
    if order == ">" && ["f", "i", "u"].contains(kind) && ["2", "4", "8"].contains(size) {
      throw fail("big-endian dtype '\(descr)' is not supported (convert with .astype('<\(kind)\(size)'))")
    }
    if order == "=" || order == "|", let t = NPYType(rawValue: "<" + String(chars.dropFirst())) {
      return t  // native order is little-endian on every platform mapk builds for
    }
    throw fail("unsupported dtype '\(descr)' (mapk reads <f2 <f4 <f8 scores, <i4 <i8 labels, <f4 <f8 weights)")
  }
}

/// A parser for the Python dict literal in a `.npy` header: string keys;
/// string, `True`/`False`, tuple-of-int and list values.
struct HeaderDictParser {
  enum Value { case string(String), bool(Bool), tuple([Int]), list }
  struct Failure: Error { let message: String }

  let text: UnsafeRawBufferPointer
  var i = 0

  init(text: UnsafeRawBufferPointer) { self.text = text }

  mutating func skipSpace() {
    while i < text.count, [0x20, 0x09, 0x0A, 0x0D].contains(text[i]) { i += 1 }
  }

  mutating func expect(_ c: UInt8) throws {
    skipSpace()
    guard i < text.count, text[i] == c else {
      throw Failure(message: "expected '\(Character(Unicode.Scalar(c)))' at byte \(i)")
    }
    i += 1
  }

  mutating func peek() -> UInt8? {
    skipSpace()
    return i < text.count ? text[i] : nil
  }

  mutating func parseDict() throws -> [String: Value] {
    try expect(UInt8(ascii: "{"))
    var out: [String: Value] = [:]
    while true {
      if peek() == UInt8(ascii: "}") { i += 1; break }
      let key = try parseString()
      try expect(UInt8(ascii: ":"))
      guard out[key] == nil else { throw Failure(message: "duplicate key '\(key)'") }
      out[key] = try parseValue()
      if peek() == UInt8(ascii: ",") { i += 1; continue }
      try expect(UInt8(ascii: "}"))
      break
    }
    skipSpace()
    guard i == text.count else { throw Failure(message: "unexpected bytes after the dict") }
    return out
  }

  mutating func parseString() throws -> String {
    skipSpace()
    guard i < text.count, text[i] == UInt8(ascii: "'") || text[i] == UInt8(ascii: "\"") else {
      throw Failure(message: "expected a string at byte \(i)")
    }
    let quote = text[i]
    i += 1
    let start = i
    while i < text.count, text[i] != quote {
      if text[i] == UInt8(ascii: "\\") { throw Failure(message: "escapes in strings are not supported") }
      i += 1
    }
    guard i < text.count else { throw Failure(message: "unterminated string") }
    let s = String(decoding: UnsafeRawBufferPointer(rebasing: text[start..<i]), as: UTF8.self)
    i += 1
    return s
  }

  mutating func parseValue() throws -> Value {
    guard let c = peek() else { throw Failure(message: "missing value") }
    switch c {
    case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "("): return .tuple(try parseTuple())
    case UInt8(ascii: "["):
      try skipBracketed()
      return .list
    default:
      if matchWord("True") { return .bool(true) }
      if matchWord("False") { return .bool(false) }
      throw Failure(message: "unexpected value at byte \(i)")
    }
  }

  /// Skips a list (a structured dtype's fields), nested brackets and strings included.
  mutating func skipBracketed() throws {
    var depth = 0
    while i < text.count {
      switch text[i] {
      case UInt8(ascii: "["), UInt8(ascii: "("): depth += 1
      case UInt8(ascii: "]"), UInt8(ascii: ")"): depth -= 1
      case UInt8(ascii: "'"), UInt8(ascii: "\""):
        _ = try parseString()
        continue
      default: break
      }
      i += 1
      if depth == 0 { return }
    }
    throw Failure(message: "unterminated list")
  }

  mutating func matchWord(_ w: String) -> Bool {
    let u = Array(w.utf8)
    guard i + u.count <= text.count, text[i..<(i + u.count)].elementsEqual(u) else { return false }
    i += u.count
    return true
  }

  mutating func parseTuple() throws -> [Int] {
    try expect(UInt8(ascii: "("))
    var dims: [Int] = []
    while true {
      if peek() == UInt8(ascii: ")") { i += 1; return dims }
      dims.append(try parseInt())
      if peek() == UInt8(ascii: ",") { i += 1; continue }
      try expect(UInt8(ascii: ")"))
      return dims
    }
  }

  mutating func parseInt() throws -> Int {
    skipSpace()
    var v = 0
    let start = i
    while i < text.count, text[i] >= UInt8(ascii: "0"), text[i] <= UInt8(ascii: "9") {
      let (m, o1) = v.multipliedReportingOverflow(by: 10)
      let (a, o2) = m.addingReportingOverflow(Int(text[i] - UInt8(ascii: "0")))
      guard !o1 && !o2 else { throw Failure(message: "dimension too large") }
      v = a
      i += 1
    }
    guard i > start else { throw Failure(message: "expected a non-negative integer at byte \(i)") }
    if i < text.count, text[i] == UInt8(ascii: "L") { i += 1 }  // Python 2 long suffix
    return v
  }
}
