extension ScoreStream {
  /// The element type the rows are evaluated as: the stream's own, but for
  /// unsigned ids, the signed type the mapped file widens them to
  /// (`StoredArray/signedWidening()`: `|u1 <u2` to `<i4`, `<u4 <u8` to `<i8`).
  package var evaluatedType: NPYType {
    switch npyType {
    case .uint8, .uint16: return .int32
    case .uint32, .uint64: return .int64
    case .float16, .float32, .float64, .bfloat16, .int32, .int64, .bool: return npyType
    }
  }

  /// The first id of a chunk that has no int64: its row and value.
  struct UnwidenableID: Equatable {
    /// The row (global index).
    let row: Int
    /// The `<u8` value above 2^63 - 1.
    let value: UInt64
  }

  /// Widens in place the unsigned ids of `rows`, read as they are in the
  /// stream (`rowBytes` each) at `buffer`, to the signed type they are
  /// evaluated as (`bufferRowBytes` each), as the mapped file's are widened:
  /// every value kept. Nothing to do for any other stream.
  ///
  /// In place, from the last id down: id `i`'s widened bytes start at
  /// `i · w` with `w` the wider width, at or past the end `(i) · s` of the
  /// narrower ids `0..<i` not yet widened (`s <= w`), so no id is
  /// overwritten before it is read.
  ///
  /// - Returns: The lowest id that has no int64 (a `<u8` above 2^63 - 1), if
  ///   any; the rows before its row are then widened, its row and later ones
  ///   are not to be evaluated.
  /// - Complexity: O(ids in `rows`).
  func widen(rows: Range<Int>, in buffer: UnsafeMutableRawPointer) -> UnwidenableID? {
    let n = rows.count * classes
    switch npyType {
    case .uint8: Self.widen(n, UInt8.self, to: Int32.self, buffer)
    case .uint16: Self.widen(n, UInt16.self, to: Int32.self, buffer)
    case .uint32: Self.widen(n, UInt32.self, to: Int64.self, buffer)
    case .uint64:
      // Same width: in place, checking each value (the lowest bad one is the one named).
      let p = buffer.assumingMemoryBound(to: UInt64.self)
      for i in 0..<n where p[i] > UInt64(Int64.max) {
        return UnwidenableID(row: rows.lowerBound + i / classes, value: p[i])
      }
      // The bits of a value up to 2^63 - 1 are its int64's: nothing to rewrite.
    case .float16, .float32, .float64, .bfloat16, .int32, .int64, .bool: break
    }
    return nil
  }

  /// Widens `count` values of `Source` at `buffer` to `Target` in place, from the last down.
  private static func widen<Source: FixedWidthInteger & UnsignedInteger, Target: FixedWidthInteger & SignedInteger>(
    _ count: Int, _: Source.Type, to _: Target.Type, _ buffer: UnsafeMutableRawPointer
  ) {
    // Every value of these sources (`UInt8`, `UInt16` to int32, `UInt32` to int64) fits the target.
    precondition(Source.bitWidth < Target.bitWidth, "a widening that cannot lose a value")
    var i = count
    while i > 0 {
      i -= 1
      let v = buffer.load(fromByteOffset: i * MemoryLayout<Source>.stride, as: Source.self)
      buffer.storeBytes(of: Target(v), toByteOffset: i * MemoryLayout<Target>.stride, as: Target.self)
    }
  }

  /// The error for an id that has no int64, worded as the mapped file's
  /// (`StoredArray/signedWidening()`), naming the stream.
  func unwidenableError(_ id: UnwidenableID) -> FileError {
    FileError(path: path, problem: "\(npyType.rawValue) value \(id.value) at row \(id.row) "
              + "is above the int64 maximum 2^63 - 1 (ids and labels are read as int64)", kind: .invalidValue)
  }
}
