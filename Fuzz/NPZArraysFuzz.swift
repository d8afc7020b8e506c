// libFuzzer target: reading a dense array member of an `.npz` (numpy.savez,
// numpy.savez_compressed) on arbitrary bytes: the ZIP directory, stored or
// inflated members, their .npy headers, the copy of an unaligned member.
// An array it accepts must be aligned for its dtype and hold exactly the
// bytes its shape needs (all of which are read here).

@_cdecl("LLVMFuzzerTestOneInput")
public func npzArraysFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  guard case .success(let zip) = expectingFileErrors({ try ZipArchive(bytes: bytes, path: "fuzz.npz") }) else { return 0 }
  for entry in zip.entries where entry.name.hasSuffix(".npy") {
    if case .success(let member) = expectingFileErrors({ try NPZArrays.read(zip, name: String(entry.name.dropLast(4))) }) {
      precondition(member.bytes.count == member.shape.reduce(1, *) * member.type.byteWidth, "byte count and shape")
      if let base = member.bytes.baseAddress, !member.bytes.isEmpty {
        precondition(Int(bitPattern: base) % member.type.byteWidth == 0, "unaligned data")
      }
      var sum: UInt8 = 0
      for b in member.bytes { sum &+= b }
      _ = sum
    }
  }
  return 0
}
