// libFuzzer target: the .npy header parser on arbitrary bytes.
//
// Built by Scripts/fuzz.sh together with the Kernel and Shards sources (one
// module, so no imports). Beyond "no crash, no hang, no sanitizer report",
// it checks what a successful parse promises: the header and the data fill
// the file exactly, and the data offset is aligned to the element size.

@_cdecl("LLVMFuzzerTestOneInput")
public func npyHeaderFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  do {
    let header = try NPYHeader(parsing: bytes, path: "fuzz.npy")
    precondition(header.dataOffset + header.dataByteCount == size, "header and data do not fill the file")
    precondition(header.dataOffset % header.type.byteWidth == 0, "misaligned data")
    precondition(header.shape.allSatisfy { $0 >= 0 }, "negative dimension")
  } catch let error as FileError {
    precondition(!error.description.contains(where: \.isNewline), "a multi-line error")
  } catch {
    preconditionFailure("an error that is not a FileError: \(error)")
  }
  return 0
}
