extension UnsafeRawBufferPointer {
  /// The little-endian 16-bit value at byte `o` (the caller checked the bounds).
  @inline(__always) func le16(_ o: Int) -> UInt16 { UInt16(littleEndian: loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
  /// The little-endian 32-bit value at byte `o` (the caller checked the bounds).
  @inline(__always) func le32(_ o: Int) -> UInt32 { UInt32(littleEndian: loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
  /// The little-endian 64-bit value at byte `o` (the caller checked the bounds).
  @inline(__always) func le64(_ o: Int) -> UInt64 { UInt64(littleEndian: loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
}
