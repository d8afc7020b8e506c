/// A parsed JSON document: its bytes and one ``JSONNode`` per value, in
/// document order, read by one linear pass of ``JSONScanner`` under
/// ``JSONLimits``. Decode it with ``JSONTreeDecoder`` (any `Decodable`), or
/// walk it with ``member(_:of:)`` and ``next(after:)``.
///
/// Strict: RFC 8259 only (UTF-8 text, no trailing commas, comments, NaN or
/// leading zeros), duplicate keys refused, integers kept exact in 64 bits,
/// every other number a finite double.
///
/// - Complexity: parsing is O(n) time and at most 16 bytes per value
///   (plus a copy of the text); looking a key up is O(members of its object).
package final class JSONDocument: Sendable {
  /// The document's text.
  package let bytes: [UInt8]
  /// Its values; the root is `nodes[0]`.
  package let nodes: [JSONNode]
  /// Whether an escape `\u0080` ... `\u00FF` stands for that raw byte of a
  /// file name (carried as `PathBytes` carries it) rather than for U+0080 ... U+00FF.
  package let rawByteEscapes: Bool

  /// Parses `bytes` (one JSON value, whitespace around it allowed).
  ///
  /// - Parameters:
  ///   - rawByteEscapes: Read `\u0080` ... `\u00FF` as raw bytes (mapk's
  ///     writers escape only those: they write the characters as UTF-8).
  /// - Throws: ``JSONSyntaxError`` with the byte offset of the first problem.
  package init(parsing bytes: some Collection<UInt8>, limits: JSONLimits,
               rawByteEscapes: Bool = false) throws(JSONSyntaxError) {
    self.rawByteEscapes = rawByteEscapes
    let text = Array(bytes)
    let scanned = text.withUnsafeBytes { buffer in
      Result { () throws(JSONSyntaxError) in try JSONScanner.scan(buffer, limits: limits) }
    }
    self.bytes = text
    self.nodes = try scanned.get()
  }

  /// The index of the node after `i`'s subtree (its next sibling, if any).
  @inline(__always)
  package func next(after i: Int) -> Int {
    let node = nodes[i]
    return node.kind == .object || node.kind == .array ? Int(node.payload) : i + 1
  }

  /// The (key, value) node indices of object `i`'s members, in order.
  package func members(of i: Int) -> [(key: Int, value: Int)] {
    var result: [(key: Int, value: Int)] = []
    var at = i + 1
    for _ in 0..<Int(nodes[i].count) {
      result.append((at, at + 1))
      at = next(after: at + 1)
    }
    return result
  }

  /// The value of `key` in object `i`, or nil.
  package func member(_ key: String, of i: Int) -> Int? {
    var key = key
    return key.withUTF8 { wanted in
      var at = i + 1
      for _ in 0..<Int(nodes[i].count) {
        if keyEquals(at, wanted) { return at + 1 }
        at = next(after: at + 1)
      }
      return nil
    }
  }

  /// The nodes of array `i`'s elements, in order.
  package func elements(of i: Int) -> [Int] {
    var result: [Int] = []
    result.reserveCapacity(Int(nodes[i].count))
    var at = i + 1
    for _ in 0..<Int(nodes[i].count) {
      result.append(at)
      at = next(after: at)
    }
    return result
  }

  private func keyEquals(_ i: Int, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
    let node = nodes[i]
    if node.flag { return stringBytes(i).elementsEqual(wanted) }
    guard Int(node.count) == wanted.count else { return false }
    let start = Int(node.payload)
    for j in 0..<wanted.count where bytes[start + j] != wanted[j] { return false }
    return true
  }

  /// The text of string node `i`, unescaped.
  package func string(_ i: Int) -> String {
    let node = nodes[i]
    if !node.flag {
      // Validated UTF-8 without escapes: the bytes are the string.
      let start = Int(node.payload)
      return String(decoding: bytes[start..<(start + Int(node.count))], as: UTF8.self)
    }
    return String(decoding: stringBytes(i), as: UTF8.self)
  }

  /// The UTF-8 of string node `i`, unescaped.
  func stringBytes(_ i: Int) -> [UInt8] {
    bytes.withUnsafeBytes { Self.stringBytes(nodes[i], in: $0, rawByteEscapes: rawByteEscapes) }
  }

  /// The text of number node `i` (an ``JSONNode/Kind/number``), as written.
  package func numberText(_ i: Int) -> String {
    let start = Int(nodes[i].payload)
    return String(decoding: bytes[start..<(start + Int(nodes[i].count))], as: UTF8.self)
  }

  // MARK: - Helpers shared with the scanner

  /// The UTF-8 of a string node of `text`, escapes replaced (the scanner
  /// has checked them: every `\u` is 4 hex digits, surrogates paired).
  static func stringBytes(_ node: JSONNode, in text: UnsafeRawBufferPointer, rawByteEscapes: Bool = false) -> [UInt8] {
    let start = Int(node.payload), end = start + Int(node.count)
    guard node.flag else { return Array(text[start..<end]) }
    var out: [UInt8] = []
    out.reserveCapacity(end - start)
    var at = start
    func hex4() -> UInt32 {
      var unit: UInt32 = 0
      for k in 0..<4 { unit = unit << 4 | (hexValue(text[at + k]) ?? 0) }
      at += 4
      return unit
    }
    while at < end {
      let b = text[at]
      guard b == UInt8(ascii: "\\") else {
        out.append(b)
        at += 1
        continue
      }
      let e = text[at + 1]
      at += 2
      switch e {
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = hex4()
        if (0xD800...0xDBFF).contains(scalar) {
          at += 2  // the "\u" of the low half
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex4() - 0xDC00)
        }
        if rawByteEscapes, (0x80...0xFF).contains(scalar) {
          out.append(contentsOf: Array(String(Unicode.Scalar(PathBytes.base + scalar) ?? "\u{FFFD}").utf8))
          continue
        }
        // Never a surrogate here (the scanner refuses lone ones): a valid scalar.
        out.append(contentsOf: Array(String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8))
      default: out.append(e)  // \" \\ \/
      }
    }
    return out
  }

  /// The value of an ASCII hex digit.
  @inline(__always)
  static func hexValue(_ b: UInt8) -> UInt32? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
    default: nil
    }
  }

  /// A key for a one-line message: at most 40 bytes, anything but printable
  /// ASCII as `?`.
  static func display(_ utf8: [UInt8]) -> String {
    let shown = utf8.prefix(40).map { (0x20..<0x7F).contains($0) ? $0 : UInt8(ascii: "?") }
    return String(decoding: shown, as: UTF8.self) + (utf8.count > 40 ? "..." : "")
  }
}
