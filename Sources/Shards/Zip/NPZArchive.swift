/// The `.npy` members of a `.npz` archive (what `numpy.savez` writes: one
/// `<name>.npy` per array), each parsed with ``NPYHeader`` and viewed in place.
///
/// Every error names the archive's path and the member.
struct NPZArchive {
  /// The ZIP container.
  let zip: ZipArchive
  /// The archive's path.
  var path: String { zip.path }

  /// The most bytes an `.npy` header can take here: numpy writes version 1.0
  /// headers (at most 65,545 bytes) for anything but huge structured dtypes.
  static let headerAllowance = 1 << 20

  /// An int32 or int64 array member, viewed in place (unaligned loads: a
  /// stored member starts anywhere in the archive).
  struct Integers {
    let base: UnsafeRawPointer
    let wide: Bool
    /// The array's shape.
    let shape: [Int]
    /// The number of elements.
    let count: Int

    /// Element `i`, widened to 64 bits.
    @inline(__always) subscript(i: Int) -> Int64 {
      wide ? base.loadUnaligned(fromByteOffset: i &* 8, as: Int64.self)
        : Int64(base.loadUnaligned(fromByteOffset: i &* 4, as: Int32.self))
    }
  }

  /// A numeric array member (bool, int, uint, float, complex), read only to
  /// tell which elements are zero.
  struct Numbers {
    let base: UnsafeRawPointer
    /// Bytes per element: 1, 2, 4, 8 or 16.
    let width: Int
    /// The bits of each (half-)element that make it nonzero: all of them for
    /// integers and bools, all but the sign for floats (-0.0 is zero).
    let mask: UInt64
    /// The array's shape.
    let shape: [Int]
    /// The number of elements.
    let count: Int

    /// True if element `i` is zero (for complex numbers: both parts are).
    @inline(__always) func isZero(_ i: Int) -> Bool {
      switch width {
      case 1: return UInt64(base.load(fromByteOffset: i, as: UInt8.self)) & mask == 0
      case 2: return UInt64(base.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self)) & mask == 0
      case 4: return UInt64(base.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self)) & mask == 0
      case 8: return base.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self) & mask == 0
      default:
        return base.loadUnaligned(fromByteOffset: i &* 16, as: UInt64.self) & mask == 0
          && base.loadUnaligned(fromByteOffset: i &* 16 &+ 8, as: UInt64.self) & mask == 0
      }
    }
  }

  /// Reads the archive's central directory.
  init(bytes: UnsafeRawBufferPointer, path: String) throws {
    zip = try ZipArchive(bytes: bytes, path: path)
  }

  /// True if the archive has the member `<name>.npy`.
  func has(_ name: String) -> Bool { zip.entry(named: name + ".npy") != nil }

  /// An error about member `<name>.npy`.
  func failure(_ name: String, _ problem: String, _ kind: FileError.Kind = .badFormat) -> FileError {
    FileError(path: path, problem: "member \(name).npy: \(problem)", kind: kind)
  }

  /// The `.npy` bytes of member `<name>.npy`, at most `limit` of data after the header.
  func withMember<R>(_ name: String, limit: Int, missing: String,
                     _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
    guard let entry = zip.entry(named: name + ".npy") else {
      throw FileError(path: path, problem: "member \(name).npy is missing (\(missing))", kind: .badFormat)
    }
    // Saturating: a limit past any real size only means "no tighter bound".
    let (total, overflow) = limit.addingReportingOverflow(Self.headerAllowance)
    return try zip.withContents(of: entry, limit: overflow ? Int.max : total, body)
  }

  /// What member `<name>.npy` declares, read from its `.npy` header alone
  /// (only the header's bytes are inflated): its shape, the bytes per
  /// element its dtype names (nil if the dtype gives none) and the
  /// uncompressed size its ZIP entry declares; nil if there is no such member.
  func declaration(_ name: String) throws -> (shape: [Int], width: Int?, dataOffset: Int, size: Int)? {
    guard let entry = zip.entry(named: name + ".npy") else { return nil }
    // The 12 first bytes give the header's length; then the header itself.
    let length = try zip.withPrefix(of: entry, count: 12) { b -> Int in
      guard b.count >= 10 else { return b.count }
      let wide = b[6] >= 2 && b.count >= 12
      return (wide ? 12 : 10) + (wide ? Int(b.le32(8)) : Int(b[8]) | Int(b[9]) << 8)
    }
    let fields = try zip.withPrefix(of: entry, count: min(length, Self.headerAllowance)) { bytes in
      try NPYHeader.Fields(parsing: bytes) { failure(name, $0, $1) }
    }
    let digits = fields.descr.utf8.drop { !(0x30...0x39).contains($0) }
    let width = Int(String(decoding: digits, as: UTF8.self))
    return (fields.shape, width, fields.dataOffset, entry.uncompressedSize)
  }

  /// Calls `body` with the int32/int64 array member `<name>.npy`.
  ///
  /// - Parameter dataLimit: The most data bytes the member can need.
  func withIntegers<R>(_ name: String, dataLimit: Int, missing: String, _ body: (Integers) throws -> R) throws -> R {
    try withMember(name, limit: dataLimit, missing: missing) { bytes in
      let header: NPYHeader
      do { header = try NPYHeader(parsing: bytes, path: path) } catch let e as FileError {
        throw failure(name, e.problem, e.kind)
      }
      guard header.type == .int32 || header.type == .int64 else {
        throw failure(name, "must be int32 or int64 (found \(header.type.rawValue))")
      }
      return try body(Integers(base: bytes.baseAddress! + header.dataOffset, wide: header.type == .int64,
                               shape: header.shape, count: header.count))
    }
  }

  /// Calls `body` with the numeric array member `<name>.npy`, whatever its
  /// (little-endian or byte-sized) bool, integer, float or complex dtype.
  func withNumbers<R>(_ name: String, dataLimit: Int, missing: String, _ body: (Numbers) throws -> R) throws -> R {
    try withMember(name, limit: dataLimit, missing: missing) { bytes in
      let fields = try NPYHeader.Fields(parsing: bytes) { failure(name, $0, $1) }
      let chars = Array(fields.descr.utf8)
      guard chars.count >= 3, let width = Int(String(decoding: chars[2...], as: UTF8.self)) else {
        throw failure(name, "unsupported dtype '\(fields.descr)'")
      }
      let order = chars[0], kind = chars[1]
      let mask: UInt64
      switch (kind, width) {
      case (UInt8(ascii: "b"), 1), (UInt8(ascii: "i"), 1), (UInt8(ascii: "u"), 1),
           (UInt8(ascii: "i"), 2), (UInt8(ascii: "u"), 2), (UInt8(ascii: "i"), 4), (UInt8(ascii: "u"), 4),
           (UInt8(ascii: "i"), 8), (UInt8(ascii: "u"), 8):
        mask = ~0
      case (UInt8(ascii: "f"), 2): mask = 0x7FFF
      case (UInt8(ascii: "f"), 4): mask = 0x7FFF_FFFF
      case (UInt8(ascii: "c"), 8): mask = 0x7FFF_FFFF_7FFF_FFFF  // two float32 in one 64-bit load
      case (UInt8(ascii: "f"), 8), (UInt8(ascii: "c"), 16): mask = 0x7FFF_FFFF_FFFF_FFFF
      default:
        throw failure(name, "unsupported dtype '\(fields.descr)' (expected bool, integer, float or complex values)")
      }
      // Little-endian or native (little-endian everywhere mapk builds), or a single byte.
      guard order == UInt8(ascii: "<") || order == UInt8(ascii: "=") || (order == UInt8(ascii: "|") && width == 1)
      else { throw failure(name, "unsupported dtype '\(fields.descr)' (big-endian; convert with .astype)") }
      try fields.checkData(byteWidth: width, fileSize: bytes.count, aligned: false) { failure(name, $0, $1) }
      let count = fields.shape.reduce(1, *)
      return try body(Numbers(base: bytes.baseAddress! + fields.dataOffset, width: width, mask: mask,
                              shape: fields.shape, count: count))
    }
  }

  /// The 0-d string member `<name>.npy`: numpy saves a Python `str` as `<U<n>`
  /// (UTF-32) and `bytes` as `|S<n>`; both end at the first NUL.
  func string(_ name: String, missing: String) throws -> String {
    try withMember(name, limit: 4 * 64, missing: missing) { bytes in
      let fields = try NPYHeader.Fields(parsing: bytes) { failure(name, $0, $1) }
      let chars = Array(fields.descr.utf8)
      guard chars.count >= 3, let n = Int(String(decoding: chars[2...], as: UTF8.self)), n >= 1, n <= 64,
            fields.shape.isEmpty,
            (chars[0] == UInt8(ascii: "|") && chars[1] == UInt8(ascii: "S"))
              || ((chars[0] == UInt8(ascii: "<") || chars[0] == UInt8(ascii: "=")) && chars[1] == UInt8(ascii: "U"))
      else {
        throw failure(name, "expected a short string (dtype |S or <U, shape ()), found dtype '\(fields.descr)' "
                      + "and shape \(fields.shape)")
      }
      let unicode = chars[1] == UInt8(ascii: "U")
      try fields.checkData(byteWidth: unicode ? 4 * n : n, fileSize: bytes.count, aligned: false) { failure(name, $0, $1) }
      var text = ""
      for i in 0..<n {
        let code = unicode ? bytes.le32(fields.dataOffset + 4 * i) : UInt32(bytes[fields.dataOffset + i])
        if code == 0 { break }
        guard let scalar = Unicode.Scalar(code) else { throw failure(name, "invalid character in the string") }
        text.unicodeScalars.append(scalar)
      }
      return text
    }
  }
}
