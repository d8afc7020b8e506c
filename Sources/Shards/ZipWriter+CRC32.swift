/// The CRC-32 of ZIP (and gzip, PNG): polynomial 0xEDB88320, reflected,
/// initial and final value 0xFFFFFFFF, computed eight bytes at a step
/// ("slicing by 8").
public struct CRC32: Sendable {
  /// The checksum of the bytes so far.
  public var value: UInt32 { ~state }
  private var state: UInt32 = 0xFFFF_FFFF

  /// A checksum of no bytes (0).
  public init() {}

  /// `tables[t][b]`: the CRC of byte `b` followed by `t` zero bytes, so that
  /// eight table look-ups advance the checksum by eight bytes.
  private static let tables: [UInt32] = {
    var t = [UInt32](repeating: 0, count: 8 * 256)
    for b in 0..<256 {
      var c = UInt32(b)
      for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
      t[b] = c
    }
    for i in 1..<8 {
      for b in 0..<256 {
        let previous = t[(i - 1) * 256 + b]
        t[i * 256 + b] = (previous >> 8) ^ t[Int(previous & 0xFF)]
      }
    }
    return t
  }()

  /// Adds `bytes` to the checksum.
  /// - Complexity: O(bytes).
  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    var c = state
    var i = 0
    let n = bytes.count
    CRC32.tables.withUnsafeBufferPointer { t in
      while i + 8 <= n {
        let lo = bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian ^ c
        let hi = bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self).littleEndian
        c = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
          ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
          ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
          ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
        i += 8
      }
      while i < n {
        c = (c >> 8) ^ t[Int((c ^ UInt32(bytes[i])) & 0xFF)]
        i += 1
      }
    }
    state = c
  }
}
