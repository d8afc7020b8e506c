/// The unkeyed container of a ``JSONTreeDecoder``: one JSON array, read
/// element by element.
struct JSONUnkeyedContainer: UnkeyedDecodingContainer {
  /// An array position in a coding path (`[3]` in messages).
  struct IndexKey: CodingKey {
    let stringValue: String
    let intValue: Int?
    init(stringValue: String) {
      self.stringValue = stringValue
      intValue = nil
    }
    init(intValue: Int) {
      stringValue = "Index \(intValue)"
      self.intValue = intValue
    }
  }

  let document: JSONDocument
  let codingPath: [any CodingKey]
  /// The array's length.
  private let total: Int
  var count: Int? { total }
  private(set) var currentIndex = 0
  /// The node of element `currentIndex`.
  private var position: Int

  init(document: JSONDocument, array: Int, codingPath: [any CodingKey]) {
    self.document = document
    self.codingPath = codingPath
    total = Int(document.nodes[array].count)
    position = array + 1
  }

  var isAtEnd: Bool { currentIndex >= total }

  private var path: [any CodingKey] { codingPath + [IndexKey(intValue: currentIndex)] }

  /// The current element's node; moves past it.
  private mutating func advance<T>(_ type: T.Type) throws -> Int {
    guard !isAtEnd else {
      throw DecodingError.valueNotFound(type, DecodingError.Context(codingPath: path, debugDescription: "the array has ended"))
    }
    let i = position
    position = document.next(after: i)
    currentIndex += 1
    return i
  }

  mutating func decodeNil() throws -> Bool {
    guard !isAtEnd else {
      throw DecodingError.valueNotFound(Any?.self, DecodingError.Context(codingPath: path, debugDescription: "the array has ended"))
    }
    guard document.nodes[position].kind == .null else { return false }
    position += 1
    currentIndex += 1
    return true
  }

  mutating func decode(_ type: Bool.Type) throws -> Bool {
    let p = path, i = try advance(type)
    return try JSONTreeDecoder.bool(document, i, p)
  }
  mutating func decode(_ type: String.Type) throws -> String {
    let p = path, i = try advance(type)
    return try JSONTreeDecoder.string(document, i, p)
  }
  mutating func decode(_ type: Double.Type) throws -> Double { try floating(type) }
  mutating func decode(_ type: Float.Type) throws -> Float { try floating(type) }
  mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
  mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
  mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
  mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
  mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
  mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
  mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
  mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
  mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
  mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

  private mutating func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
    let n = currentIndex, i = try advance(type)
    return try JSONTreeDecoder.integer(type, document, i, codingPath + [IndexKey(intValue: n)])
  }

  private mutating func floating<T: BinaryFloatingPoint & LosslessStringConvertible>(_ type: T.Type) throws -> T {
    let n = currentIndex, i = try advance(type)
    return try JSONTreeDecoder.floating(type, document, i, codingPath + [IndexKey(intValue: n)])
  }

  mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
    let n = currentIndex, i = try advance(type)
    return try JSONTreeDecoder.value(type, document, i, codingPath + [IndexKey(intValue: n)])
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
    let p = path, i = try advance(type)
    return try JSONTreeDecoder(document: document, index: i, codingPath: p).container(keyedBy: type)
  }

  mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
    let p = path, i = try advance([Any].self)
    return try JSONTreeDecoder(document: document, index: i, codingPath: p).unkeyedContainer()
  }

  mutating func superDecoder() throws -> any Decoder {
    let p = path, i = try advance(Any.self)
    return JSONTreeDecoder(document: document, index: i, codingPath: p)
  }
}
