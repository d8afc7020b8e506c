import CZlib

/// The CRC-32 of ZIP (and gzip, PNG): polynomial 0xEDB88320, reflected,
/// initial and final value 0xFFFFFFFF, computed in pieces by the system
/// zlib's `crc32_z` (the one implementation the ZIP reader and writer share).
package struct CRC32: Sendable {
  /// The checksum of the bytes so far.
  package private(set) var value: UInt32 = 0

  /// A checksum of no bytes (0).
  package init() {}

  /// Adds `bytes` to the checksum.
  /// - Complexity: O(bytes).
  package mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
    value = UInt32(truncatingIfNeeded: crc32_z(UInt(value), base.assumingMemoryBound(to: Bytef.self),
                                               z_size_t(bytes.count)))
  }

  /// The checksum of `bytes`.
  package static func of(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    var crc = CRC32()
    crc.update(bytes)
    return crc.value
  }
}
