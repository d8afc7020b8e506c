/// A strict reader of the JSON a `.safetensors` header is (RFC 8259):
/// objects, arrays, strings, numbers, `true`, `false`, `null`, with a depth
/// limit, duplicate keys refused, and integers kept exact (the offsets of a
/// large file need all 64 bits; a double would round them).
struct HeaderJSON {
  /// A JSON value.
  indirect enum Value: Equatable {
    case object([(key: String, value: Value)])
    case array([Value])
    case string(String)
    /// A number without fraction or exponent that fits in 64 bits.
    case integer(Int64)
    /// Any other number, kept as its text.
    case number(String)
    case bool(Bool)
    case null

    static func == (a: Value, b: Value) -> Bool {
      switch (a, b) {
      case (.object(let x), .object(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
      case (.array(let x), .array(let y)): return x == y
      case (.string(let x), .string(let y)): return x == y
      case (.integer(let x), .integer(let y)): return x == y
      case (.number(let x), .number(let y)): return x == y
      case (.bool(let x), .bool(let y)): return x == y
      case (.null, .null): return true
      default: return false
      }
    }
  }

  /// What went wrong, and at which byte.
  struct Failure: Error {
    let message: String
  }

  private let text: UnsafeRawBufferPointer
  private var at = 0
  /// Nesting deeper than this is refused (a header needs 3 levels).
  static let maxDepth = 64

  /// Parses `text` as one JSON value, surrounded by whitespace only.
  static func parse(_ text: UnsafeRawBufferPointer) throws -> Value {
    var p = HeaderJSON(text: text)
    p.skipSpace()
    let v = try p.value(depth: 0)
    p.skipSpace()
    guard p.at == text.count else { throw p.failure("unexpected bytes after the JSON value") }
    return v
  }

  private init(text: UnsafeRawBufferPointer) { self.text = text }

  private func failure(_ message: String) -> Failure { Failure(message: "\(message) at byte \(at)") }

  private mutating func skipSpace() {
    while at < text.count, [0x20, 0x09, 0x0A, 0x0D].contains(text[at]) { at += 1 }
  }

  private mutating func expect(_ c: UInt8) throws {
    guard at < text.count, text[at] == c else {
      throw failure("expected '\(Character(Unicode.Scalar(c)))'")
    }
    at += 1
  }

  private mutating func value(depth: Int) throws -> Value {
    guard depth < Self.maxDepth else { throw failure("nested too deeply") }
    guard at < text.count else { throw failure("unexpected end of the JSON") }
    switch text[at] {
    case UInt8(ascii: "{"):
      at += 1
      var members: [(key: String, value: Value)] = []
      var keys = Set<String>()
      skipSpace()
      if at < text.count, text[at] == UInt8(ascii: "}") {
        at += 1
        return .object(members)
      }
      while true {
        skipSpace()
        let key = try string()
        guard keys.insert(key).inserted else { throw failure("duplicate key \"\(key)\"") }
        skipSpace()
        try expect(UInt8(ascii: ":"))
        skipSpace()
        members.append((key, try value(depth: depth + 1)))
        skipSpace()
        guard at < text.count else { throw failure("unterminated object") }
        if text[at] == UInt8(ascii: ",") { at += 1; continue }
        try expect(UInt8(ascii: "}"))
        return .object(members)
      }
    case UInt8(ascii: "["):
      at += 1
      var items: [Value] = []
      skipSpace()
      if at < text.count, text[at] == UInt8(ascii: "]") {
        at += 1
        return .array(items)
      }
      while true {
        skipSpace()
        items.append(try value(depth: depth + 1))
        skipSpace()
        guard at < text.count else { throw failure("unterminated array") }
        if text[at] == UInt8(ascii: ",") { at += 1; continue }
        try expect(UInt8(ascii: "]"))
        return .array(items)
      }
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw failure("unexpected character")
    }
  }

  private mutating func literal(_ word: String) throws {
    for c in word.utf8 { try expect(c) }
  }

  private mutating func number() throws -> Value {
    let start = at
    if text[at] == UInt8(ascii: "-") { at += 1 }
    func digits() -> Int {
      let s = at
      while at < text.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[at]) { at += 1 }
      return at - s
    }
    let intStart = at
    let n = digits()
    guard n > 0 else { throw failure("malformed number") }
    guard n == 1 || text[intStart] != UInt8(ascii: "0") else { throw failure("a number with a leading zero") }
    var integral = true
    if at < text.count, text[at] == UInt8(ascii: ".") {
      at += 1
      integral = false
      guard digits() > 0 else { throw failure("malformed number") }
    }
    if at < text.count, text[at] == UInt8(ascii: "e") || text[at] == UInt8(ascii: "E") {
      at += 1
      integral = false
      if at < text.count, text[at] == UInt8(ascii: "+") || text[at] == UInt8(ascii: "-") { at += 1 }
      guard digits() > 0 else { throw failure("malformed number") }
    }
    let literal = String(decoding: UnsafeRawBufferPointer(rebasing: text[start..<at]), as: UTF8.self)
    if integral, let v = Int64(literal) { return .integer(v) }
    return .number(literal)
  }

  private mutating func string() throws -> String {
    try expect(UInt8(ascii: "\""))
    var bytes: [UInt8] = []
    while true {
      guard at < text.count else { throw failure("unterminated string") }
      let c = text[at]
      at += 1
      switch c {
      case UInt8(ascii: "\""):
        guard let s = String(validating: bytes, as: UTF8.self) else { throw failure("invalid UTF-8 in a string") }
        return s
      case UInt8(ascii: "\\"):
        guard at < text.count else { throw failure("unterminated string") }
        let e = text[at]
        at += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(e)
        case UInt8(ascii: "b"): bytes.append(0x08)
        case UInt8(ascii: "f"): bytes.append(0x0C)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "u"):
          var code = try hex4()
          if (0xD800..<0xDC00).contains(code) {
            // A high surrogate must be followed by an escaped low one.
            try expect(UInt8(ascii: "\\"))
            try expect(UInt8(ascii: "u"))
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate in a string") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          }
          guard let scalar = Unicode.Scalar(code) else { throw failure("unpaired surrogate in a string") }
          bytes += Array(String(Character(scalar)).utf8)
        default: throw failure("invalid escape in a string")
        }
      case 0..<0x20: throw failure("control character in a string")
      default: bytes.append(c)
      }
    }
  }

  private mutating func hex4() throws -> UInt32 {
    guard at + 4 <= text.count else { throw failure("truncated \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let c = text[at]
      at += 1
      let d: UInt8
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
      default: throw failure("invalid \\u escape")
      }
      v = v << 4 | UInt32(d)
    }
    return v
  }
}
