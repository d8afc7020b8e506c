// libFuzzer target: the state-file decoder (`mapk merge`'s input) on
// arbitrary bytes. A decoded state must encode and decode back to itself.

@_cdecl("LLVMFuzzerTestOneInput")
public func stateFileFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  if case .success(let state) = expectingFileErrors({ try StateFile(decoding: bytes, path: "fuzz.json") }) {
    let again = expectingFileErrors { try StateFile(decoding: state.encoded(), path: "again.json") }
    guard case .success(let decoded) = again, decoded == state else { preconditionFailure("decode(encode(s)) != s") }
  }
  return 0
}
