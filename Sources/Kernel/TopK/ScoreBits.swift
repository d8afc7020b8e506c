/// The raw bits of a score type, and the order-preserving integer key built
/// from them.
///
/// The key of a non-NaN score is its magnitude, negated when the sign bit is
/// set. Keys compare exactly as the scores do: `-0.0` and `0.0` both map to 0
/// (TensorFlow treats them as equal), infinities sit at the ends, and no
/// conversion to another float type happens (float16 and bfloat16 stay 16-bit).
/// NaN maps to `Key.max` (above `+inf`) or `Key.min` (below `-inf`), one
/// value for every NaN payload, so NaNs tie and the lower index wins.

protocol ScoreBits: FixedWidthInteger & UnsignedInteger {
  associatedtype Key: FixedWidthInteger & SignedInteger & SIMDScalar
  /// All bits but the sign.
  static var magnitudeMask: Self { get }
  /// The magnitude of infinity: larger magnitudes are NaN.
  static var infinityMagnitude: Self { get }
}

extension UInt16: ScoreBits {
  typealias Key = Int16
  static var magnitudeMask: UInt16 { 0x7FFF }
  static var infinityMagnitude: UInt16 { 0x7C00 }
}

extension BFloat16Bits: ScoreBits {
  typealias Key = Int16
  static var magnitudeMask: BFloat16Bits { 0x7FFF }
  /// float32's infinity, shifted down 16 bits: `(bits & 0x7FFF) > 0x7F80` is a NaN.
  static var infinityMagnitude: BFloat16Bits { 0x7F80 }
}

extension UInt32: ScoreBits {
  typealias Key = Int32
  static var magnitudeMask: UInt32 { 0x7FFF_FFFF }
  static var infinityMagnitude: UInt32 { 0x7F80_0000 }
}

extension UInt64: ScoreBits {
  typealias Key = Int64
  static var magnitudeMask: UInt64 { 0x7FFF_FFFF_FFFF_FFFF }
  static var infinityMagnitude: UInt64 { 0x7FF0_0000_0000_0000 }
}

extension ScoreBits {
  /// True when these bits are a NaN.
  @inline(__always)
  static func isNaN(_ bits: Self) -> Bool { bits & magnitudeMask > infinityMagnitude }

  /// The order-preserving key of a non-NaN score.
  @inline(__always)
  static func key(_ bits: Self) -> Key {
    let magnitude = Key(truncatingIfNeeded: bits & magnitudeMask)
    return bits > magnitudeMask ? 0 &- magnitude : magnitude
  }

  /// The key of `+inf`, the largest key of a non-NaN score (`-infinityKey` is `-inf`'s).
  @inline(__always)
  static var infinityKey: Key { Key(truncatingIfNeeded: infinityMagnitude) }

  /// The bits of the non-NaN score whose key is `key`, for `-infinityKey...infinityKey`:
  /// the inverse of ``key(_:)``, except that key 0 gives `+0.0` (either zero has that key).
  @inline(__always)
  static func bits(ofKey key: Key) -> Self {
    key < 0 ? Self(truncatingIfNeeded: 0 &- key) | ~magnitudeMask : Self(truncatingIfNeeded: key)
  }
}
