/// A lossless text form of ``ExactSum``, for saving partial states (a shard's
/// result) and merging them later, possibly on another machine.
///
/// Every finite double is an integer multiple of 2^-1074, so the finite part
/// of any sum of doubles is `N · 2^-1074` for an integer `N`. The text form is
/// `N` in hexadecimal with an optional sign (`"0x0"`, `"0x1f8"`, `"-0x3"`),
/// lowercase and without leading zeros, so each value has exactly one
/// spelling. It does not depend on the limb layout, and the special terms
/// (NaN, ±inf) travel as their counts.
extension ExactSum {
  /// Why a saved sum could not be read back.
  public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the text, in a few words.
    public let description: String
  }

  /// The bits of the limb integer below 2^-1074: never set by ``add(_:)``,
  /// because the smallest double's lowest bit lands at bit `bias - 1074`.
  static var unitShift: Int { bias - 1074 }

  /// The most 32-bit digits a decoded magnitude may fill: all limbs but the
  /// sign limb, which keeps its full headroom for later merges.
  static var maxMagnitudeDigits: Int { limbCount - 1 }

  /// The exact finite part as `N` in `N · 2^-1074`, a signed lowercase
  /// hexadecimal integer: `"0x0"`, `"0x1f8"`, `"-0x3"`.
  ///
  /// Together with ``nanCount``, ``positiveInfinityCount`` and
  /// ``negativeInfinityCount`` it determines the sum exactly:
  /// `ExactSum(hexadecimal: s.hexadecimal, nanCount: ...) == s`.
  ///
  /// - Complexity: O(limbs).
  public var hexadecimal: String {
    let (negative, magnitude) = signAndMagnitude()
    let digits = Self.shiftedRight(magnitude.digits, by: Self.unitShift)
    guard let top = digits.lastIndex(where: { $0 != 0 }) else {
      return "0x0"
    }
    let hexDigits: [Character] = Array("0123456789abcdef")
    var text = negative ? "-0x" : "0x"
    text += String(digits[top], radix: 16)
    for i in stride(from: top - 1, through: 0, by: -1) {
      var word = [Character](repeating: "0", count: 8)
      var d = digits[i]
      for j in stride(from: 7, through: 0, by: -1) {
        word[j] = hexDigits[Int(d & 0xF)]
        d >>= 4
      }
      text += String(word)
    }
    return text
  }

  /// Reads a sum back from ``hexadecimal`` and the special-term counts.
  ///
  /// The text must be in the canonical form ``hexadecimal`` writes (optional
  /// `-`, `0x`, lowercase digits, no leading zeros, no `-0x0`), so that a
  /// corrupted file is refused rather than read as some other number.
  ///
  /// - Throws: ``FormatError`` for malformed text, a value beyond what any sum
  ///   of doubles could reach (2^1120 and more), or a negative count.
  /// - Complexity: O(text length).
  public init(hexadecimal text: String, nanCount: Int = 0, positiveInfinityCount: Int = 0,
              negativeInfinityCount: Int = 0) throws(FormatError) {
    guard nanCount >= 0, positiveInfinityCount >= 0, negativeInfinityCount >= 0 else {
      throw FormatError(description: "negative count of NaN or infinite terms")
    }
    // Over the UTF-8 bytes: the grammar is ASCII, and a state holds one of
    // these per sum (a loop over Characters was most of the time of merging
    // a state of 200,000 ks: its Unicode property checks).
    let utf8 = Array(text.utf8)
    let negative = utf8.first == UInt8(ascii: "-")
    let start = negative ? 1 : 0
    guard utf8.count >= start + 2, utf8[start] == UInt8(ascii: "0"), utf8[start + 1] == UInt8(ascii: "x") else {
      throw FormatError(description: "exact sum '\(Self.excerpt(text))' does not start with 0x or -0x")
    }
    let body = utf8[(start + 2)...]
    guard !body.isEmpty else { throw FormatError(description: "exact sum '\(Self.excerpt(text))' has no digits") }
    guard body.count == 1 || body.first != UInt8(ascii: "0") else {
      throw FormatError(description: "exact sum '\(Self.excerpt(text))' has leading zeros")
    }
    guard !(negative && body.count == 1 && body.first == UInt8(ascii: "0")) else {
      throw FormatError(description: "exact sum '-0x0' is not canonical")
    }
    // Every sum of fewer than 2^64 doubles is below 2^1088 = 2^2162 units; the
    // limit keeps the sign limb free so merges of decoded states cannot overflow.
    let maxHexDigits = (Self.maxMagnitudeDigits * 32 - Self.unitShift) / 4
    guard body.count <= maxHexDigits else {
      throw FormatError(description: "exact sum has \(body.count) hex digits, more than any sum of doubles (\(maxHexDigits))")
    }
    var digits = [UInt32](repeating: 0, count: (body.count + 7) / 8)
    var position = 0
    for b in body.reversed() {
      // Lowercase hex only: the canonical form (one text per sum).
      let v: UInt8
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): v = b - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): v = b - UInt8(ascii: "a") + 10
      default:
        let shown = b < 0x80 ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16, uppercase: true)
        throw FormatError(description: "exact sum '\(Self.excerpt(text))' has a bad hex digit '\(shown)'")
      }
      digits[position / 8] |= UInt32(v) << UInt32(4 * (position % 8))
      position += 1
    }
    let shifted = Self.shiftedLeft(digits, by: Self.unitShift)
    guard shifted.count <= Self.maxMagnitudeDigits || shifted[Self.maxMagnitudeDigits...].allSatisfy({ $0 == 0 })
    else {
      throw FormatError(description: "exact sum is beyond the range of any sum of doubles")
    }
    self.init()
    for (i, d) in shifted.prefix(Self.maxMagnitudeDigits).enumerated() {
      limbs[i] = negative ? -Int64(d) : Int64(d)
    }
    // Digit-wise negation is a valid unnormalized form; normalizing makes it canonical.
    normalize()
    self.nanCount = nanCount
    self.positiveInfinityCount = positiveInfinityCount
    self.negativeInfinityCount = negativeInfinityCount
  }

  /// The start of a long text, for error messages that stay one short line.
  static func excerpt(_ text: String) -> String {
    text.count <= 40 ? text : String(text.prefix(40)) + "..."
  }

  /// `digits · 2^-shift` for `0 <= shift < 32`, little-endian base-2^32; the
  /// dropped bits must be zero (they are for every sum, see ``unitShift``).
  static func shiftedRight(_ digits: [UInt32], by shift: Int) -> [UInt32] {
    guard shift > 0, !digits.isEmpty else { return digits }
    precondition(shift < 32 && digits[0] & ((1 << UInt32(shift)) - 1) == 0, "bits below 2^-1074")
    var out = [UInt32](repeating: 0, count: digits.count)
    for i in digits.indices {
      let high = i + 1 < digits.count ? digits[i + 1] << UInt32(32 - shift) : 0
      out[i] = digits[i] >> UInt32(shift) | high
    }
    return out
  }

  /// `digits · 2^shift` for `0 <= shift < 32`, one digit longer.
  static func shiftedLeft(_ digits: [UInt32], by shift: Int) -> [UInt32] {
    guard shift > 0 else { return digits }
    var out = [UInt32](repeating: 0, count: digits.count + 1)
    for i in digits.indices {
      out[i] |= digits[i] << UInt32(shift)
      out[i + 1] = digits[i] >> UInt32(32 - shift)
    }
    return out
  }
}
