/// The keyed container of a ``JSONTreeDecoder``: one JSON object, its keys
/// looked up among its members (a key absent is `keyNotFound`, extra keys
/// are ignored).
struct JSONKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let document: JSONDocument
  /// The object's node.
  let object: Int
  let codingPath: [any CodingKey]

  var allKeys: [Key] { document.members(of: object).compactMap { Key(stringValue: document.string($0.key)) } }

  func contains(_ key: Key) -> Bool { document.member(key.stringValue, of: object) != nil }

  private func node(_ key: Key) throws -> Int {
    guard let i = document.member(key.stringValue, of: object) else {
      throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: codingPath, debugDescription: "no key '\(key.stringValue)'"))
    }
    return i
  }

  func decodeNil(forKey key: Key) throws -> Bool { document.nodes[try node(key)].kind == .null }

  func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
    try JSONTreeDecoder.bool(document, node(key), codingPath + [key])
  }
  func decode(_ type: String.Type, forKey key: Key) throws -> String {
    try JSONTreeDecoder.string(document, node(key), codingPath + [key])
  }
  func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
    try JSONTreeDecoder.floating(type, document, node(key), codingPath + [key])
  }
  func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
    try JSONTreeDecoder.floating(type, document, node(key), codingPath + [key])
  }
  func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(type, key) }
  func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(type, key) }
  func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(type, key) }
  func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }
  func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
  func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(type, key) }
  func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(type, key) }
  func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(type, key) }
  func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(type, key) }
  func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(type, key) }

  private func integer<T: FixedWidthInteger>(_ type: T.Type, _ key: Key) throws -> T {
    try JSONTreeDecoder.integer(type, document, node(key), codingPath + [key])
  }

  func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
    try JSONTreeDecoder.value(type, document, node(key), codingPath + [key])
  }

  func nestedContainer<NestedKey: CodingKey>(
    keyedBy type: NestedKey.Type, forKey key: Key
  ) throws -> KeyedDecodingContainer<NestedKey> {
    try JSONTreeDecoder(document: document, index: node(key), codingPath: codingPath + [key]).container(keyedBy: type)
  }

  func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
    try JSONTreeDecoder(document: document, index: node(key), codingPath: codingPath + [key]).unkeyedContainer()
  }

  func superDecoder() throws -> any Decoder {
    let key = JSONUnkeyedContainer.IndexKey(stringValue: "super")
    guard let i = document.member("super", of: object) else {
      throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: codingPath, debugDescription: "no key 'super'"))
    }
    return JSONTreeDecoder(document: document, index: i, codingPath: codingPath + [key])
  }

  func superDecoder(forKey key: Key) throws -> any Decoder {
    JSONTreeDecoder(document: document, index: try node(key), codingPath: codingPath + [key])
  }
}
