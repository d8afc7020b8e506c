/// Little-endian fields appended to a byte array.
struct ByteWriter {
  var bytes: [UInt8] = []

  mutating func u16(_ v: Int) { append(v, 2) }
  mutating func u32(_ v: Int) { append(v, 4) }
  mutating func u64(_ v: Int) { append(v, 8) }

  private mutating func append(_ v: Int, _ width: Int) {
    for i in 0..<width { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
  }
}
