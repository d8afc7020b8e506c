/// The byte scanner behind ``JSONDocument``: one pass over the text,
/// appending a ``JSONNode`` per value, every rule of RFC 8259 checked
/// (UTF-8, escapes and surrogate pairs, number grammar, no bytes after the
/// value) and every bound of ``JSONLimits`` checked as it is reached.
///
/// - Complexity: O(n) in the text's length: every byte is read a constant
///   number of times (an object's keys are compared pairwise only when it
///   has at most 16 of them, else through a set).
struct JSONScanner {
  private let text: UnsafeRawBufferPointer
  private let limits: JSONLimits
  private var at = 0
  private var nodes: [JSONNode] = []
  /// The key nodes of the objects being read, innermost last.
  private var keys: [Int] = []

  private init(text: UnsafeRawBufferPointer, limits: JSONLimits) {
    self.text = text
    self.limits = limits
  }

  /// The nodes of the one JSON value `text` holds (whitespace around it allowed).
  static func scan(_ text: UnsafeRawBufferPointer, limits: JSONLimits) throws(JSONSyntaxError) -> [JSONNode] {
    var s = JSONScanner(text: text, limits: limits)
    s.skipSpace()
    try s.value(depth: 0)
    s.skipSpace()
    guard s.at == text.count else { throw s.malformed("bytes after the JSON value") }
    return s.nodes
  }

  // MARK: - Errors

  private func malformed(_ problem: String, at offset: Int? = nil) -> JSONSyntaxError {
    JSONSyntaxError(kind: .malformed, problem: problem, offset: offset ?? at)
  }

  private func limit(_ problem: String, at offset: Int? = nil) -> JSONSyntaxError {
    JSONSyntaxError(kind: .limit, problem: problem, offset: offset ?? at)
  }

  // MARK: - Values

  @inline(__always)
  private mutating func skipSpace() {
    while at < text.count {
      let b = text[at]
      guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
      at += 1
    }
  }

  /// Reads the value at `at` (not whitespace) and its subtree.
  private mutating func value(depth: Int) throws(JSONSyntaxError) {
    guard at < text.count else { throw malformed("unexpected end of the JSON") }
    switch text[at] {
    case UInt8(ascii: "{"): try object(depth: depth)
    case UInt8(ascii: "["): try array(depth: depth)
    case UInt8(ascii: "\""): try string()
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
    case UInt8(ascii: "t"): try literal("true"); nodes.append(JSONNode(kind: .bool, flag: true))
    case UInt8(ascii: "f"): try literal("false"); nodes.append(JSONNode(kind: .bool, flag: false))
    case UInt8(ascii: "n"): try literal("null"); nodes.append(JSONNode(kind: .null))
    default: throw malformed("unexpected character")
    }
  }

  private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
    let n = word.utf8CodeUnitCount
    guard text.count - at >= n else { throw malformed("unexpected end of the JSON") }
    for i in 0..<n where text[at + i] != word.utf8Start[i] { throw malformed("unexpected character", at: at + i) }
    at += n
  }

  private mutating func object(depth: Int) throws(JSONSyntaxError) {
    guard depth < limits.maxDepth else { throw limit("nested deeper than \(limits.maxDepth) levels") }
    let me = nodes.count
    nodes.append(JSONNode(kind: .object))
    let firstKey = keys.count
    at += 1
    skipSpace()
    var count = 0
    if at < text.count, text[at] == UInt8(ascii: "}") {
      at += 1
    } else {
      while true {
        skipSpace()
        guard at < text.count, text[at] == UInt8(ascii: "\"") else { throw malformed("expected a string key") }
        guard count < limits.maxObjectCount else {
          throw limit("an object with more than \(limits.maxObjectCount) members")
        }
        keys.append(nodes.count)
        try string()
        skipSpace()
        guard at < text.count, text[at] == UInt8(ascii: ":") else { throw malformed("expected ':' after a key") }
        at += 1
        skipSpace()
        try value(depth: depth + 1)
        count += 1
        skipSpace()
        guard at < text.count else { throw malformed("unterminated object") }
        if text[at] == UInt8(ascii: ",") { at += 1; continue }
        guard text[at] == UInt8(ascii: "}") else { throw malformed("expected ',' or '}' in an object") }
        at += 1
        break
      }
      try refuseDuplicateKeys(from: firstKey)
      keys.removeSubrange(firstKey...)
    }
    nodes[me].count = UInt32(count)  // <= maxObjectCount, which the limits keep within UInt32
    nodes[me].payload = Int64(nodes.count)
  }

  private mutating func array(depth: Int) throws(JSONSyntaxError) {
    guard depth < limits.maxDepth else { throw limit("nested deeper than \(limits.maxDepth) levels") }
    let me = nodes.count
    nodes.append(JSONNode(kind: .array))
    at += 1
    skipSpace()
    var count = 0
    if at < text.count, text[at] == UInt8(ascii: "]") {
      at += 1
    } else {
      while true {
        skipSpace()
        guard count < limits.maxArrayCount else {
          throw limit("an array with more than \(limits.maxArrayCount) elements")
        }
        try value(depth: depth + 1)
        count += 1
        skipSpace()
        guard at < text.count else { throw malformed("unterminated array") }
        if text[at] == UInt8(ascii: ",") { at += 1; continue }
        guard text[at] == UInt8(ascii: "]") else { throw malformed("expected ',' or ']' in an array") }
        at += 1
        break
      }
    }
    nodes[me].count = UInt32(count)
    nodes[me].payload = Int64(nodes.count)
  }

  // MARK: - Strings

  /// Reads the string at `at` (its opening quote) into one node: its text is
  /// checked (UTF-8, escapes) here, unescaped only when a decoder asks for it.
  private mutating func string() throws(JSONSyntaxError) {
    let open = at
    at += 1
    let start = at
    var escaped = false
    while true {
      guard at < text.count else { throw malformed("unterminated string", at: open) }
      let b = text[at]
      if b == UInt8(ascii: "\"") { break }
      if b == UInt8(ascii: "\\") {
        escaped = true
        try escape()
      } else if b < 0x20 {
        throw malformed("a control character in a string")
      } else if b < 0x80 {
        at += 1
      } else {
        try utf8Sequence()
      }
    }
    let length = at - start
    guard length <= limits.maxStringBytes else {
      throw limit("a string longer than \(limits.maxStringBytes) bytes", at: open)
    }
    at += 1
    nodes.append(JSONNode(kind: .string, flag: escaped, count: UInt32(length), payload: Int64(start)))
  }

  /// Checks the escape at `at` (its backslash) and moves past it.
  private mutating func escape() throws(JSONSyntaxError) {
    let slash = at
    at += 1
    guard at < text.count else { throw malformed("unterminated string") }
    switch text[at] {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
      at += 1
    case UInt8(ascii: "u"):
      at += 1
      let unit = try hex4()
      if (0xD800...0xDBFF).contains(unit) {
        // A high surrogate is half of a pair: a low one must follow.
        guard text.count - at >= 2, text[at] == UInt8(ascii: "\\"), text[at + 1] == UInt8(ascii: "u") else {
          throw malformed("a lone surrogate \\u escape", at: slash)
        }
        at += 2
        guard (0xDC00...0xDFFF).contains(try hex4()) else { throw malformed("a lone surrogate \\u escape", at: slash) }
      } else if (0xDC00...0xDFFF).contains(unit) {
        throw malformed("a lone surrogate \\u escape", at: slash)
      }
    default:
      throw malformed("an unknown escape in a string", at: slash)
    }
  }

  private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
    guard text.count - at >= 4 else { throw malformed("a short \\u escape") }
    var unit: UInt32 = 0
    for _ in 0..<4 {
      guard let digit = JSONDocument.hexValue(text[at]) else { throw malformed("a bad hex digit in a \\u escape") }
      unit = unit << 4 | digit
      at += 1
    }
    return unit
  }

  /// Checks the multi-byte UTF-8 sequence at `at` (no overlong forms, no
  /// surrogates, nothing above U+10FFFF) and moves past it.
  private mutating func utf8Sequence() throws(JSONSyntaxError) {
    let lead = text[at]
    let trailing: Int
    var scalar: UInt32
    switch lead {
    case 0xC2...0xDF: trailing = 1; scalar = UInt32(lead & 0x1F)
    case 0xE0...0xEF: trailing = 2; scalar = UInt32(lead & 0x0F)
    case 0xF0...0xF4: trailing = 3; scalar = UInt32(lead & 0x07)
    default: throw malformed("a string that is not UTF-8")
    }
    guard text.count - at > trailing else { throw malformed("a string that is not UTF-8") }
    for i in 1...trailing {
      let c = text[at + i]
      guard c & 0xC0 == 0x80 else { throw malformed("a string that is not UTF-8") }
      scalar = scalar << 6 | UInt32(c & 0x3F)
    }
    let valid = switch trailing {
    case 2: scalar >= 0x800 && !(0xD800...0xDFFF).contains(scalar)
    case 3: scalar >= 0x10000 && scalar <= 0x10FFFF
    default: true  // 0xC2 and up are never overlong
    }
    guard valid else { throw malformed("a string that is not UTF-8") }
    at += trailing + 1
  }

  /// Refuses an object whose keys (from `keys[first...]`) repeat one: which
  /// of two values a reader would take is not defined by JSON.
  private func refuseDuplicateKeys(from first: Int) throws(JSONSyntaxError) {
    let count = keys.count - first
    guard count > 1 else { return }
    func duplicate(_ key: Int) -> JSONSyntaxError {
      malformed("duplicate key \"\(JSONDocument.display(JSONDocument.stringBytes(nodes[key], in: text)))\"",
                at: Int(nodes[key].payload) - 1)
    }
    if count <= 16 {
      for i in (first + 1)..<keys.count {
        for j in first..<i where sameKey(nodes[keys[i]], nodes[keys[j]]) { throw duplicate(keys[i]) }
      }
    } else {
      var seen = Set<[UInt8]>(minimumCapacity: count)
      for key in keys[first...] where !seen.insert(JSONDocument.stringBytes(nodes[key], in: text)).inserted {
        throw duplicate(key)
      }
    }
  }

  private func sameKey(_ a: JSONNode, _ b: JSONNode) -> Bool {
    if !a.flag, !b.flag {
      guard a.count == b.count else { return false }
      let x = Int(a.payload), y = Int(b.payload)
      for i in 0..<Int(a.count) where text[x + i] != text[y + i] { return false }
      return true
    }
    return JSONDocument.stringBytes(a, in: text) == JSONDocument.stringBytes(b, in: text)
  }

  // MARK: - Numbers

  /// Reads the number at `at`: an integer in 64 bits becomes its value; any
  /// other number keeps its text, and must be a finite double.
  private mutating func number() throws(JSONSyntaxError) {
    let start = at
    let negative = text[at] == UInt8(ascii: "-")
    if negative { at += 1 }
    let integerStart = at
    var magnitude: UInt64 = 0
    var overflow = false
    while at < text.count, let d = Self.digit(text[at]) {
      let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
      let (s, o2) = m.addingReportingOverflow(UInt64(d))
      magnitude = s
      overflow = overflow || o1 || o2
      at += 1
    }
    let digits = at - integerStart
    guard digits > 0 else { throw malformed("a number without digits") }
    guard digits == 1 || text[integerStart] != UInt8(ascii: "0") else {
      throw malformed("a number with a leading zero", at: start)
    }
    var integral = true
    if at < text.count, text[at] == UInt8(ascii: ".") {
      at += 1
      integral = false
      guard skipDigits() > 0 else { throw malformed("a number without digits after '.'") }
    }
    if at < text.count, text[at] == UInt8(ascii: "e") || text[at] == UInt8(ascii: "E") {
      at += 1
      integral = false
      if at < text.count, text[at] == UInt8(ascii: "+") || text[at] == UInt8(ascii: "-") { at += 1 }
      guard skipDigits() > 0 else { throw malformed("a number without exponent digits") }
    }
    let length = at - start
    guard length <= limits.maxNumberBytes else {
      throw limit("a number longer than \(limits.maxNumberBytes) bytes", at: start)
    }
    if integral, !overflow {
      // -2^63 is the one magnitude of a negative Int64 that is not a positive one's.
      if !negative, magnitude <= UInt64(Int64.max) {
        nodes.append(JSONNode(kind: .integer, payload: Int64(magnitude)))
        return
      }
      if negative, magnitude <= UInt64(Int64.max) + 1 {
        nodes.append(JSONNode(kind: .integer, payload: Int64(bitPattern: 0 &- magnitude)))
        return
      }
    }
    let literal = String(decoding: UnsafeRawBufferPointer(rebasing: text[start..<at]), as: UTF8.self)
    guard let value = Double(literal), value.isFinite else {
      throw limit("a number beyond the range of a double", at: start)
    }
    nodes.append(JSONNode(kind: .number, count: UInt32(length), payload: Int64(start)))
  }

  @inline(__always)
  private static func digit(_ b: UInt8) -> UInt8? {
    let d = b &- UInt8(ascii: "0")
    return d < 10 ? d : nil
  }

  private mutating func skipDigits() -> Int {
    let s = at
    while at < text.count, Self.digit(text[at]) != nil { at += 1 }
    return at - s
  }
}
