/// The 64-bit FNV-1a hash: small, fast enough for 128 KiB, and stable across
/// platforms and releases (unlike `Hasher`, which is seeded per process).
struct FNV1a {
  var value: UInt64 = 0xcbf2_9ce4_8422_2325

  mutating func add(_ bytes: UnsafeRawBufferPointer) {
    for b in bytes {
      value ^= UInt64(b)
      value = value &* 0x0000_0100_0000_01B3
    }
  }

  /// 16 lowercase hex digits.
  var hex: String {
    let s = String(value, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
  }
}
