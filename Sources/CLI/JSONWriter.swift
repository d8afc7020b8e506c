/// Builds one JSON object with keys in insertion order. Doubles are written
/// in Swift's shortest round-trip form, so they read back to the same bits;
/// NaN and infinities (not JSON) become `null`.
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
        if u.value < 0x20 {
          out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16)
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }
}
