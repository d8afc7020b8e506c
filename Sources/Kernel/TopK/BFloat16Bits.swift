/// The raw bits of a bfloat16 score: the top half of a float32 (sign, 8
/// exponent bits, 7 fraction bits).
///
/// Its own type, not `UInt16`, only so that the 16-bit row scans (written
/// once, for `HalfScoreBits`) see bfloat16's infinity threshold (`0x7F80`)
/// where float16's is `0x7C00`: the two formats share the sign-magnitude
/// layout, so the order-preserving key is the same computation on the same
/// bits. Every integer operation forwards to the `UInt16` it wraps (same size
/// and alignment, so a pointer to bfloat16 scores is bound to this type
/// directly, with no conversion).
struct BFloat16Bits: FixedWidthInteger, UnsignedInteger, Sendable {
  /// The stored bits.
  var raw: UInt16

  @inline(__always) init(raw: UInt16) { self.raw = raw }
  @inline(__always) init(integerLiteral value: UInt16) { raw = value }
  @inline(__always) init(_truncatingBits bits: UInt) { raw = UInt16(_truncatingBits: bits) }

  typealias Magnitude = BFloat16Bits
  typealias IntegerLiteralType = UInt16
  typealias Words = UInt16.Words

  static var bitWidth: Int { 16 }
  var words: UInt16.Words { raw.words }
  var nonzeroBitCount: Int { raw.nonzeroBitCount }
  var leadingZeroBitCount: Int { raw.leadingZeroBitCount }
  var trailingZeroBitCount: Int { raw.trailingZeroBitCount }
  var byteSwapped: BFloat16Bits { BFloat16Bits(raw: raw.byteSwapped) }

  func addingReportingOverflow(_ other: BFloat16Bits) -> (partialValue: BFloat16Bits, overflow: Bool) {
    let r = raw.addingReportingOverflow(other.raw)
    return (BFloat16Bits(raw: r.partialValue), r.overflow)
  }
  func subtractingReportingOverflow(_ other: BFloat16Bits) -> (partialValue: BFloat16Bits, overflow: Bool) {
    let r = raw.subtractingReportingOverflow(other.raw)
    return (BFloat16Bits(raw: r.partialValue), r.overflow)
  }
  func multipliedReportingOverflow(by other: BFloat16Bits) -> (partialValue: BFloat16Bits, overflow: Bool) {
    let r = raw.multipliedReportingOverflow(by: other.raw)
    return (BFloat16Bits(raw: r.partialValue), r.overflow)
  }
  func dividedReportingOverflow(by other: BFloat16Bits) -> (partialValue: BFloat16Bits, overflow: Bool) {
    let r = raw.dividedReportingOverflow(by: other.raw)
    return (BFloat16Bits(raw: r.partialValue), r.overflow)
  }
  func remainderReportingOverflow(dividingBy other: BFloat16Bits) -> (partialValue: BFloat16Bits, overflow: Bool) {
    let r = raw.remainderReportingOverflow(dividingBy: other.raw)
    return (BFloat16Bits(raw: r.partialValue), r.overflow)
  }
  func multipliedFullWidth(by other: BFloat16Bits) -> (high: BFloat16Bits, low: BFloat16Bits) {
    let r = raw.multipliedFullWidth(by: other.raw)
    return (BFloat16Bits(raw: r.high), BFloat16Bits(raw: r.low))
  }
  func dividingFullWidth(_ dividend: (high: BFloat16Bits, low: BFloat16Bits))
    -> (quotient: BFloat16Bits, remainder: BFloat16Bits)
  {
    let r = raw.dividingFullWidth((dividend.high.raw, dividend.low.raw))
    return (BFloat16Bits(raw: r.quotient), BFloat16Bits(raw: r.remainder))
  }

  @inline(__always) static func < (a: BFloat16Bits, b: BFloat16Bits) -> Bool { a.raw < b.raw }
  @inline(__always) static func + (a: BFloat16Bits, b: BFloat16Bits) -> BFloat16Bits { BFloat16Bits(raw: a.raw + b.raw) }
  @inline(__always) static func - (a: BFloat16Bits, b: BFloat16Bits) -> BFloat16Bits { BFloat16Bits(raw: a.raw - b.raw) }
  @inline(__always) static func * (a: BFloat16Bits, b: BFloat16Bits) -> BFloat16Bits { BFloat16Bits(raw: a.raw * b.raw) }
  @inline(__always) static func / (a: BFloat16Bits, b: BFloat16Bits) -> BFloat16Bits { BFloat16Bits(raw: a.raw / b.raw) }
  @inline(__always) static func % (a: BFloat16Bits, b: BFloat16Bits) -> BFloat16Bits { BFloat16Bits(raw: a.raw % b.raw) }
  @inline(__always) static func += (a: inout BFloat16Bits, b: BFloat16Bits) { a.raw += b.raw }
  @inline(__always) static func -= (a: inout BFloat16Bits, b: BFloat16Bits) { a.raw -= b.raw }
  @inline(__always) static func *= (a: inout BFloat16Bits, b: BFloat16Bits) { a.raw *= b.raw }
  @inline(__always) static func /= (a: inout BFloat16Bits, b: BFloat16Bits) { a.raw /= b.raw }
  @inline(__always) static func %= (a: inout BFloat16Bits, b: BFloat16Bits) { a.raw %= b.raw }
  @inline(__always) static func & (a: BFloat16Bits, b: BFloat16Bits) -> BFloat16Bits { BFloat16Bits(raw: a.raw & b.raw) }
  @inline(__always) static func | (a: BFloat16Bits, b: BFloat16Bits) -> BFloat16Bits { BFloat16Bits(raw: a.raw | b.raw) }
  @inline(__always) static func ^ (a: BFloat16Bits, b: BFloat16Bits) -> BFloat16Bits { BFloat16Bits(raw: a.raw ^ b.raw) }
  @inline(__always) static func &= (a: inout BFloat16Bits, b: BFloat16Bits) { a.raw &= b.raw }
  @inline(__always) static func |= (a: inout BFloat16Bits, b: BFloat16Bits) { a.raw |= b.raw }
  @inline(__always) static func ^= (a: inout BFloat16Bits, b: BFloat16Bits) { a.raw ^= b.raw }
  @inline(__always) static prefix func ~ (a: BFloat16Bits) -> BFloat16Bits { BFloat16Bits(raw: ~a.raw) }
  @inline(__always) static func &>> (a: BFloat16Bits, b: BFloat16Bits) -> BFloat16Bits { BFloat16Bits(raw: a.raw &>> b.raw) }
  @inline(__always) static func &<< (a: BFloat16Bits, b: BFloat16Bits) -> BFloat16Bits { BFloat16Bits(raw: a.raw &<< b.raw) }
}
