// libFuzzer target: the compare-state decoder (`mapk merge`'s input when the
// states come from `mapk compare --state`) on arbitrary bytes. A decoded
// state must encode to bytes that decode again and encode to the same bytes;
// merging it with itself and computing its report must return or throw,
// never trap. (The report's work is bounded by the decoded state: exact
// enumeration only over the rows it holds, sampled tests only re-read sums.)

@_cdecl("LLVMFuzzerTestOneInput")
public func compareStateFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  if case .success(let state) = expectingFileErrors({ try CompareStateFile(decoding: bytes, path: "fuzz.json") }) {
    let encoded = state.encoded()
    let again = expectingFileErrors { try CompareStateFile(decoding: encoded, path: "again.json") }
    guard case .success(let decoded) = again else { preconditionFailure("an encoded compare state does not decode") }
    precondition(decoded.encoded() == encoded, "encode(decode(encode(s))) != encode(s)")
    _ = try? state.result()
    _ = try? CompareStateFile.merge([(path: "a.json", state: state), (path: "b.json", state: state)])
  }
  return 0
}
