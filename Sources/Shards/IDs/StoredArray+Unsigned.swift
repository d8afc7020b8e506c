extension StoredArray {
  /// The array with unsigned integers (`|u1 <u2 <u4 <u8`: ranked ids,
  /// labels) widened to the signed type that holds every value: `|u1 <u2`
  /// to int32, `<u4 <u8` to int64, in a buffer it owns (4 or 8 bytes per
  /// element); any other array is returned as it is.
  ///
  /// Widening keeps every value, so ids and labels mean what they meant:
  /// a `<u8` value above 2^63 - 1 has no int64 and is refused (naming it and
  /// its row), rather than wrapped to a negative id or read as a pad. (A pad
  /// sentinel in an unsigned dump, such as pyxclib's 100000000, fits and is
  /// named with the pad option as usual.)
  ///
  /// - Throws: ``FileError`` for a `<u8` value above 2^63 - 1.
  /// - Complexity: O(elements), one pass; none for a signed or float array.
  package func signedWidening() throws -> StoredArray {
    switch type {
    case .uint8: return try widened(UInt8.self, to: Int32.self, as: .int32)
    case .uint16: return try widened(UInt16.self, to: Int32.self, as: .int32)
    case .uint32: return try widened(UInt32.self, to: Int64.self, as: .int64)
    case .uint64: return try widened(UInt64.self, to: Int64.self, as: .int64)
    case .float16, .float32, .float64, .bfloat16, .int32, .int64, .bool: return self
    }
  }

  private func widened<Source: FixedWidthInteger & UnsignedInteger, Target: FixedWidthInteger & SignedInteger>(
    _: Source.Type, to _: Target.Type, as target: NPYType
  ) throws -> StoredArray {
    let n = count
    let buffer = OwnedBytes(count: n * MemoryLayout<Target>.stride)
    let out = buffer.bytes.baseAddress!.assumingMemoryBound(to: Target.self)
    // Unaligned loads: a stored `.npz` member need not be aligned for its dtype.
    let source = data
    for i in 0..<n {
      let v = source.loadUnaligned(fromByteOffset: i * MemoryLayout<Source>.stride, as: Source.self)
      guard let w = Target(exactly: v) else {
        let width = shape.last ?? 1
        throw FileError(path: path, problem: "\(type.rawValue) value \(v) at row \(width > 0 ? i / width : i) "
                        + "is above the int64 maximum 2^63 - 1 (ids and labels are read as int64)", kind: .invalidValue)
      }
      out[i] = w
    }
    return StoredArray(type: target, shape: shape, bytes: buffer.prefix(n * MemoryLayout<Target>.stride),
                       owner: buffer, file: file, origin: origin)
  }
}
