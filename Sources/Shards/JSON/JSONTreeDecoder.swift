/// A `Decoder` over one value of a ``JSONDocument``: any `Decodable` model
/// reads a document through it as it would through Foundation's
/// `JSONDecoder`, with the same `DecodingError`s (`keyNotFound`,
/// `valueNotFound` for null, `typeMismatch`, `dataCorrupted` for a number
/// that does not fit), each with its coding path.
///
/// Numbers: an integer type takes a JSON integer that fits it, or a number
/// whose decimal value is exactly such an integer (`1.0`, `1e2`; not
/// `1.0000000000000000001`, which a double would round to 1); a
/// floating-point type takes any number (integers converted as `Double(_:)` does).
package struct JSONTreeDecoder: Decoder {
  /// The document read.
  package let document: JSONDocument
  /// The node this decoder reads.
  package let index: Int
  /// Where `index` is in the document.
  package let codingPath: [any CodingKey]
  /// None.
  package var userInfo: [CodingUserInfoKey: Any] { [:] }

  /// A decoder of node `index` of `document`.
  package init(document: JSONDocument, index: Int = 0, codingPath: [any CodingKey] = []) {
    self.document = document
    self.index = index
    self.codingPath = codingPath
  }

  /// Decodes a `T` from the whole document.
  package static func decode<T: Decodable>(_ type: T.Type, from document: JSONDocument) throws -> T {
    try T(from: JSONTreeDecoder(document: document))
  }

  package func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    try Self.require(.object, document, index, codingPath)
    return KeyedDecodingContainer(JSONKeyedContainer<Key>(document: document, object: index, codingPath: codingPath))
  }

  package func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    try Self.require(.array, document, index, codingPath)
    return JSONUnkeyedContainer(document: document, array: index, codingPath: codingPath)
  }

  package func singleValueContainer() throws -> any SingleValueDecodingContainer {
    JSONSingleValueContainer(document: document, index: index, codingPath: codingPath)
  }

  // MARK: - Scalars, shared by the containers

  private static func name(_ kind: JSONNode.Kind) -> String {
    switch kind {
    case .object: "an object"
    case .array: "an array"
    case .string: "a string"
    case .integer, .number: "a number"
    case .bool: "a bool"
    case .null: "null"
    }
  }

  private static func context(_ path: [any CodingKey], _ text: String) -> DecodingError.Context {
    DecodingError.Context(codingPath: path, debugDescription: text)
  }

  /// Throws unless node `i` is a container of `kind`.
  static func require(_ kind: JSONNode.Kind, _ d: JSONDocument, _ i: Int, _ path: @autoclosure () -> [any CodingKey]) throws {
    let found = d.nodes[i].kind
    guard found != kind else { return }
    let type: Any.Type = kind == .object ? [String: Any].self : [Any].self
    if found == .null { throw DecodingError.valueNotFound(type, context(path(), "expected \(name(kind)), found null")) }
    throw DecodingError.typeMismatch(type, context(path(), "expected \(name(kind)), found \(name(found))"))
  }

  private static func mismatch<T>(_ type: T.Type, _ d: JSONDocument, _ i: Int, _ path: [any CodingKey]) -> DecodingError {
    let found = d.nodes[i].kind
    if found == .null { return .valueNotFound(type, context(path, "expected \(type), found null")) }
    return .typeMismatch(type, context(path, "expected \(type), found \(name(found))"))
  }

  static func bool(_ d: JSONDocument, _ i: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> Bool {
    let node = d.nodes[i]
    guard node.kind == .bool else { throw mismatch(Bool.self, d, i, path()) }
    return node.flag
  }

  static func string(_ d: JSONDocument, _ i: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> String {
    guard d.nodes[i].kind == .string else { throw mismatch(String.self, d, i, path()) }
    return d.string(i)
  }

  static func integer<T: FixedWidthInteger>(
    _ type: T.Type, _ d: JSONDocument, _ i: Int, _ path: @autoclosure () -> [any CodingKey]
  ) throws -> T {
    let node = d.nodes[i]
    switch node.kind {
    case .integer:
      if let v = T(exactly: node.payload) { return v }
      throw DecodingError.dataCorrupted(context(path(), "\(pathText(path()))\(node.payload) is not an integer in range of \(T.self)"))
    case .number:
      // 1.0 or 1e2: an integer written another way, taken when its decimal value is exactly one.
      let text = d.numberText(i)
      if let v = exactInteger(text), let e = T(exactly: v) { return e }
      throw DecodingError.dataCorrupted(context(path(), "\(pathText(path()))\(text) is not an integer in range of \(T.self)"))
    default:
      throw mismatch(T.self, d, i, path())
    }
  }

  static func floating<T: BinaryFloatingPoint & LosslessStringConvertible>(
    _ type: T.Type, _ d: JSONDocument, _ i: Int, _ path: @autoclosure () -> [any CodingKey]
  ) throws -> T {
    let node = d.nodes[i]
    switch node.kind {
    case .integer: return T(node.payload)
    case .number:
      let text = d.numberText(i)
      // The scanner checked the text is a finite double; a narrower type may overflow.
      if let v = T(text), v.isFinite { return v }
      throw DecodingError.dataCorrupted(context(path(), "\(pathText(path()))\(text) is out of range of \(T.self)"))
    default:
      throw mismatch(T.self, d, i, path())
    }
  }

  /// The value of a number's text (`-12.50e1`) if it is an integer that fits
  /// in 64 bits, from its digits (no rounding: `1.0000000000000000001` is not 1).
  static func exactInteger(_ text: String) -> Int64? {
    var digits: [UInt8] = []  // integer then fraction digits
    var fractionDigits = 0, exponent = 0, negative = false
    var part = 0  // 0: integer, 1: fraction, 2: exponent
    var exponentNegative = false
    for b in text.utf8 {
      switch b {
      case UInt8(ascii: "-") where part == 0: negative = true
      case UInt8(ascii: "-"): exponentNegative = true
      case UInt8(ascii: "+"): break
      case UInt8(ascii: "."): part = 1
      case UInt8(ascii: "e"), UInt8(ascii: "E"): part = 2
      default:
        let d = Int(b) - 48
        if part == 2 {
          exponent = min(exponent * 10 + d, 10_000)  // the text is at most maxNumberBytes long anyway
        } else {
          digits.append(UInt8(d))
          if part == 1 { fractionDigits += 1 }
        }
      }
    }
    if digits.allSatisfy({ $0 == 0 }) { return 0 }  // -0, 0.0e-5
    // value = digits · 10^(exponent - fractionDigits); trailing zeros move into the exponent.
    var scale = (exponentNegative ? -exponent : exponent) - fractionDigits
    while scale < 0, let last = digits.last, last == 0 {
      digits.removeLast()
      scale += 1
    }
    guard scale >= 0 else { return nil }
    var magnitude: UInt64 = 0
    for d in digits {
      let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
      let (s, o2) = m.addingReportingOverflow(UInt64(d))
      guard !o1, !o2 else { return nil }
      magnitude = s
    }
    for _ in 0..<scale where magnitude != 0 {
      let (m, o) = magnitude.multipliedReportingOverflow(by: 10)
      guard !o else { return nil }
      magnitude = m
    }
    if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(bitPattern: 0 &- magnitude) : nil }
    return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
  }

  /// `'a.b[2]': ` for a message, or nothing at the top level.
  private static func pathText(_ path: [any CodingKey]) -> String {
    guard !path.isEmpty else { return "" }
    var text = ""
    for key in path {
      if let i = key.intValue { text += "[\(i)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
    }
    return "'\(text)': "
  }

  /// Decodes a `T` at node `i`, the scalar types without a nested decoder.
  static func value<T: Decodable>(_ type: T.Type, _ d: JSONDocument, _ i: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> T {
    // The common element types of a state (ks, names) skip the generic path.
    if T.self == Int.self, let v = try integer(Int.self, d, i, path()) as? T { return v }
    if T.self == String.self, let v = try string(d, i, path()) as? T { return v }
    if T.self == Double.self, let v = try floating(Double.self, d, i, path()) as? T { return v }
    return try T(from: JSONTreeDecoder(document: d, index: i, codingPath: path()))
  }
}
