/// The single-value container of a ``JSONTreeDecoder``: one JSON scalar.
struct JSONSingleValueContainer: SingleValueDecodingContainer {
  let document: JSONDocument
  /// The value's node.
  let index: Int
  let codingPath: [any CodingKey]

  func decodeNil() -> Bool { document.nodes[index].kind == .null }

  func decode(_ type: Bool.Type) throws -> Bool { try JSONTreeDecoder.bool(document, index, codingPath) }
  func decode(_ type: String.Type) throws -> String { try JSONTreeDecoder.string(document, index, codingPath) }
  func decode(_ type: Double.Type) throws -> Double { try JSONTreeDecoder.floating(type, document, index, codingPath) }
  func decode(_ type: Float.Type) throws -> Float { try JSONTreeDecoder.floating(type, document, index, codingPath) }
  func decode(_ type: Int.Type) throws -> Int { try JSONTreeDecoder.integer(type, document, index, codingPath) }
  func decode(_ type: Int8.Type) throws -> Int8 { try JSONTreeDecoder.integer(type, document, index, codingPath) }
  func decode(_ type: Int16.Type) throws -> Int16 { try JSONTreeDecoder.integer(type, document, index, codingPath) }
  func decode(_ type: Int32.Type) throws -> Int32 { try JSONTreeDecoder.integer(type, document, index, codingPath) }
  func decode(_ type: Int64.Type) throws -> Int64 { try JSONTreeDecoder.integer(type, document, index, codingPath) }
  func decode(_ type: UInt.Type) throws -> UInt { try JSONTreeDecoder.integer(type, document, index, codingPath) }
  func decode(_ type: UInt8.Type) throws -> UInt8 { try JSONTreeDecoder.integer(type, document, index, codingPath) }
  func decode(_ type: UInt16.Type) throws -> UInt16 { try JSONTreeDecoder.integer(type, document, index, codingPath) }
  func decode(_ type: UInt32.Type) throws -> UInt32 { try JSONTreeDecoder.integer(type, document, index, codingPath) }
  func decode(_ type: UInt64.Type) throws -> UInt64 { try JSONTreeDecoder.integer(type, document, index, codingPath) }

  func decode<T: Decodable>(_ type: T.Type) throws -> T {
    try JSONTreeDecoder.value(type, document, index, codingPath)
  }
}
