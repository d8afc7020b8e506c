// libFuzzer target: the state-file decoder (`mapk merge`'s input) on
// arbitrary bytes. A decoded state must encode and decode back to itself.

@_cdecl("LLVMFuzzerTestOneInput")
public func stateFileFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  do {
    let state = try StateFile(decoding: bytes, path: "fuzz.json")
    let again = try StateFile(decoding: state.encoded(), path: "again.json")
    precondition(again == state, "decode(encode(s)) != s")
  } catch let error as FileError {
    precondition(!error.description.contains(where: \.isNewline), "a multi-line error: \(error)")
  } catch {
    preconditionFailure("an error that is not a FileError: \(error)")
  }
  return 0
}
