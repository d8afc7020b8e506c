// libFuzzer target: the .npy header parser on arbitrary bytes.
//
// Built by Scripts/fuzz.sh together with the Kernel and Shards sources (one
// module, so no imports). Beyond "no crash, no hang, no sanitizer report",
// it checks what a successful parse promises: the header and the data fill
// the file exactly, and the data offset is aligned to the element size.

@_cdecl("LLVMFuzzerTestOneInput")
public func npyHeaderFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  if case .success(let header) = expectingFileErrors({ try NPYHeader(parsing: bytes, path: "fuzz.npy") }) {
    precondition(header.dataOffset + header.dataByteCount == size, "header and data do not fill the file")
    precondition(header.dataOffset % header.type.byteWidth == 0, "misaligned data")
    precondition(header.shape.allSatisfy { $0 >= 0 }, "negative dimension")
  }
  return 0
}
