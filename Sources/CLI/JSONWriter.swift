import MAPKShards

/// Builds one JSON object with keys in insertion order. Doubles are written
/// in Swift's shortest round-trip form, so they read back to the same bits;
/// NaN and infinities (not JSON) become `null`.
///
/// Strings are escaped byte-exactly: control characters and DEL as
/// `\u00XX`, and a byte of a file name that is not UTF-8 (carried by
/// `PathBytes` as a reserved scalar) as `\u00XX` of that byte (`p\xE9.npy`
/// is `"p\u00e9.npy"`). Characters U+0080 ... U+00FF are always written as
/// themselves (UTF-8), so such an escape always means a raw byte
/// (docs/formats.md, "File names in JSON").
struct JSONObject {
  private var fields: [(String, String)] = []

  mutating func set(_ key: String, _ value: Int) { fields.append((key, String(value))) }
  mutating func set(_ key: String, _ value: Double?) { fields.append((key, JSONObject.number(value))) }
  mutating func set(_ key: String, _ value: String) { fields.append((key, JSONObject.quote(value))) }
  mutating func set(_ key: String, _ value: Bool) { fields.append((key, value ? "true" : "false")) }
  mutating func set(_ key: String, raw: String) { fields.append((key, raw)) }
  mutating func set(_ key: String, objects: [JSONObject]) {
    fields.append((key, "[" + objects.map(\.text).joined(separator: ", ") + "]"))
  }

  var text: String {
    "{" + fields.map { "\(JSONObject.quote($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
  }

  static func number(_ value: Double?) -> String {
    guard let value, value.isFinite else { return "null" }
    return "\(value)"
  }

  static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if let byte = PathBytes.escapedByte(u) {
          out += "\\u00" + PathBytes.hex2(byte)
        } else if u.value < 0x20 || u.value == 0x7F {
          out += "\\u00" + PathBytes.hex2(UInt8(u.value))
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }
}
