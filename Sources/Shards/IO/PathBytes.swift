/// File names as bytes: Linux paths are byte strings, and a name that is not
/// UTF-8 (`p\xE9.npy`, from a Latin-1 system) must open and create exactly
/// those bytes, not a repaired `p\u{FFFD}.npy`.
///
/// A Swift `String` holds only Unicode scalars, so a byte that is not part of
/// valid UTF-8 is carried as one scalar of a reserved range,
/// U+10FF80 + (byte - 0x80) (the last 128 scalars of plane 16, private use;
/// the bytes in question are all >= 0x80). The mapping is a bijection: a
/// valid UTF-8 sequence that encodes one of those very scalars is carried as
/// its four bytes, each escaped, so every byte string has exactly one
/// `String` and back. ``System`` converts every path with ``bytes(_:)``
/// before a system call; ``FileError/oneLine(_:limit:)`` prints an escaped
/// byte as `\xE9`.
package enum PathBytes {
  /// The first scalar of the reserved range: byte `b` (>= 0x80) is U+10FF00 + b.
  static let base: UInt32 = 0x10_FF00

  /// The byte a reserved scalar carries, or nil for any other scalar.
  package static func escapedByte(_ scalar: Unicode.Scalar) -> UInt8? {
    scalar.value >= base + 0x80 ? UInt8(truncatingIfNeeded: scalar.value - base) : nil
  }

  /// The `String` of the bytes `bytes` (a command-line argument, a file name).
  package static func string<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    let b = Array(bytes)
    var out = String.UnicodeScalarView()
    var i = 0
    while i < b.count {
      if let (scalar, length) = decode(b, at: i), escapedByte(scalar) == nil {
        out.append(scalar)
        i += length
      } else if let (_, length) = decode(b, at: i) {
        // A real scalar of the reserved range: carried as its bytes, escaped.
        for j in i..<(i + length) { out.append(Unicode.Scalar(base + UInt32(b[j]))!) }
        i += length
      } else {
        out.append(Unicode.Scalar(base + UInt32(b[i]))!)
        i += 1
      }
    }
    return String(out)
  }

  /// Two lowercase hex digits of `byte`.
  package static func hex2(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef".utf8)
    return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
  }

  /// JSON text with every reserved scalar (a raw byte of a file name, as
  /// UTF-8 `F4 8F BE|BF xx`) replaced by the escape `\u00XX` of its byte.
  /// Such a sequence can only be inside a string of the text, so this is a
  /// byte-level rewrite; the result reads back through
  /// `JSONDocument(parsing:limits:rawByteEscapes: true)` to the same `String`.
  package static func escapingRawBytes(inJSON text: [UInt8]) -> [UInt8] {
    guard text.contains(0xF4) else { return text }
    var out: [UInt8] = []
    out.reserveCapacity(text.count)
    var i = 0
    while i < text.count {
      if text[i] == 0xF4, i + 3 < text.count, text[i + 1] == 0x8F, text[i + 2] == 0xBE || text[i + 2] == 0xBF {
        let scalar = 0x10_0000 | UInt32(0x0F) << 12 | UInt32(text[i + 2] & 0x3F) << 6 | UInt32(text[i + 3] & 0x3F)
        if scalar >= base + 0x80 {
          out += Array("\\u00\(hex2(UInt8(truncatingIfNeeded: scalar - base)))".utf8)
          i += 4
          continue
        }
      }
      out.append(text[i])
      i += 1
    }
    return out
  }

  /// The bytes `path` stands for (the inverse of ``string(_:)``), without a NUL.
  package static func bytes(_ path: String) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(path.utf8.count)
    for scalar in path.unicodeScalars {
      if let byte = escapedByte(scalar) { out.append(byte) } else { out += Array(String(scalar).utf8) }
    }
    return out
  }

  /// Calls `body` with `path` as a NUL-terminated C string of its bytes.
  static func withCString<R>(_ path: String, _ body: (UnsafePointer<CChar>) -> R) -> R {
    if !path.unicodeScalars.contains(where: { $0.value >= base + 0x80 }) {
      return path.withCString(body)  // plain UTF-8 (the usual case): its bytes are the path's
    }
    let raw = bytes(path).map { CChar(bitPattern: $0) } + [0]
    return raw.withUnsafeBufferPointer { body($0.baseAddress!) }
  }

  /// The scalar encoded at `i` by well-formed UTF-8 (no overlong form, no
  /// surrogate, at most U+10FFFF) and its length, or nil.
  static func decode(_ b: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
    let lead = b[i]
    let length: Int, initial: UInt32, minimum: UInt32
    switch lead {
    case 0x00...0x7F: return (Unicode.Scalar(lead), 1)
    case 0xC2...0xDF: (length, initial, minimum) = (2, UInt32(lead & 0x1F), 0x80)
    case 0xE0...0xEF: (length, initial, minimum) = (3, UInt32(lead & 0x0F), 0x800)
    case 0xF0...0xF4: (length, initial, minimum) = (4, UInt32(lead & 0x07), 0x1_0000)
    default: return nil
    }
    guard i + length <= b.count else { return nil }
    var value = initial
    for j in (i + 1)..<(i + length) {
      guard b[j] & 0xC0 == 0x80 else { return nil }
      value = value << 6 | UInt32(b[j] & 0x3F)
    }
    guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
    return (scalar, length)
  }
}
