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
