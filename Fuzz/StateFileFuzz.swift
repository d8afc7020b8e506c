// libFuzzer target: the state-file decoder (`mapk merge`'s input) on
// arbitrary bytes. A decoded state must encode and decode back to itself,
// satisfy the invariants a run gives, and merge with itself (counts near
// 2^63 included) by returning or throwing, never by trapping.

@_cdecl("LLVMFuzzerTestOneInput")
public func stateFileFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  if case .success(let state) = expectingFileErrors({ try StateFile(decoding: bytes, path: "fuzz.json") }) {
    let again = expectingFileErrors { try StateFile(decoding: state.encoded(), path: "again.json") }
    guard case .success(let decoded) = again, decoded == state else { preconditionFailure("decode(encode(s)) != s") }
    precondition(state.inconsistency == nil, "a decoded state breaks an invariant")
    var doubled = state.state
    _ = try? doubled.merge(state.state)
  }
  return 0
}
