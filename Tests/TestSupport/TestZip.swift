/// A minimal ZIP writer (PKWARE APPNOTE 4.3), independent of the reader
/// under test: stored members, or deflated ones given as raw streams; every
/// field overridable to make damaged archives; optional ZIP64 records.
public struct TestZip {
  /// One member: its name, contents, and overrides that damage it.
  public struct Member {
    /// The name in the central directory (and the local header, unless `localName`).
    public var name: String
    /// The uncompressed bytes.
    public var content: [UInt8]
    /// The bytes as stored, if not `content` (a raw deflate stream).
    public var stored: [UInt8]? = nil
    /// The compression method: 0 stored, 8 deflate.
    public var method: UInt16 = 0
    /// The general-purpose flags.
    public var flags: UInt16 = 0
    /// An override of the recorded CRC.
    public var crc: UInt32? = nil
    /// An override of the recorded uncompressed size.
    public var size: Int? = nil
    /// A different name in the local header.
    public var localName: String? = nil

    /// A stored member named `name` holding `content`.
    public init(_ name: String, _ content: [UInt8]) {
      self.name = name
      self.content = content
    }
  }

  /// The members, in order.
  public var members: [Member]
  /// Whether to write ZIP64 records.
  public var zip64 = false
  /// The archive comment.
  public var comment: [UInt8] = []

  /// An archive of `members`.
  public init(members: [Member], zip64: Bool = false, comment: [UInt8] = []) {
    self.members = members
    self.zip64 = zip64
    self.comment = comment
  }

  /// The archive's bytes.
  public func bytes() -> [UInt8] {
    var out: [UInt8] = []
    var directory: [UInt8] = []
    func u16(_ v: Int, _ b: inout [UInt8]) { b += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    func u32(_ v: Int, _ b: inout [UInt8]) { u16(v & 0xFFFF, &b); u16((v >> 16) & 0xFFFF, &b) }
    func u64(_ v: Int, _ b: inout [UInt8]) { u32(v & 0xFFFF_FFFF, &b); u32(v >> 32, &b) }
    for m in members {
      let offset = out.count
      let data = m.stored ?? m.content
      let crc = Int(m.crc ?? TestZip.crc32(m.content))
      let size = m.size ?? m.content.count
      let version = zip64 ? 45 : 20
      // Local header.
      let localName = Array((m.localName ?? m.name).utf8)
      var localExtra: [UInt8] = []
      if zip64 { u16(1, &localExtra); u16(16, &localExtra); u64(size, &localExtra); u64(data.count, &localExtra) }
      u32(0x0403_4B50, &out); u16(version, &out); u16(Int(m.flags), &out); u16(Int(m.method), &out)
      u16(0, &out); u16(0x21, &out); u32(crc, &out)
      u32(zip64 ? 0xFFFF_FFFF : data.count, &out); u32(zip64 ? 0xFFFF_FFFF : size, &out)
      u16(localName.count, &out); u16(localExtra.count, &out)
      out += localName + localExtra + data
      // Central directory entry.
      let name = Array(m.name.utf8)
      var extra: [UInt8] = []
      if zip64 { u16(1, &extra); u16(24, &extra); u64(size, &extra); u64(data.count, &extra); u64(offset, &extra) }
      u32(0x0201_4B50, &directory); u16(version, &directory); u16(version, &directory)
      u16(Int(m.flags), &directory); u16(Int(m.method), &directory); u16(0, &directory); u16(0x21, &directory)
      u32(crc, &directory)
      u32(zip64 ? 0xFFFF_FFFF : data.count, &directory); u32(zip64 ? 0xFFFF_FFFF : size, &directory)
      u16(name.count, &directory); u16(extra.count, &directory); u16(0, &directory)
      u16(0, &directory); u16(0, &directory); u32(0, &directory)
      u32(zip64 ? 0xFFFF_FFFF : offset, &directory)
      directory += name + extra
    }
    let directoryOffset = out.count
    out += directory
    if zip64 {
      let record = out.count
      u32(0x0606_4B50, &out); u64(44, &out); u16(45, &out); u16(45, &out); u32(0, &out); u32(0, &out)
      u64(members.count, &out); u64(members.count, &out); u64(directory.count, &out); u64(directoryOffset, &out)
      u32(0x0706_4B50, &out); u32(0, &out); u64(record, &out); u32(1, &out)
    }
    u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out)
    u16(zip64 ? 0xFFFF : members.count, &out); u16(zip64 ? 0xFFFF : members.count, &out)
    u32(zip64 ? 0xFFFF_FFFF : directory.count, &out); u32(zip64 ? 0xFFFF_FFFF : directoryOffset, &out)
    u16(comment.count, &out)
    return out + comment
  }

  /// CRC-32 (IEEE, reflected, as ZIP uses it), bit by bit.
  public static func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
      crc ^= UInt32(b)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
  }
}
