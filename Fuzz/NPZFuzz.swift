// libFuzzer target: the scipy sparse `.npz` reader (ZIP, deflate, .npy
// members, CSR/CSC/COO) on arbitrary bytes. A matrix it accepts must come out
// as a valid row layout: offsets from 0, never decreasing, ending within the
// values. Memory is bounded by -rss_limit_mb: a bomb that got through would
// end the run.

@_cdecl("LLVMFuzzerTestOneInput")
public func npzFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  if case .success(let (offsets, values)) = expectingFileErrors({ try CSRLabels.read(bytes, rows: nil, path: "fuzz.npz") }) {
    defer {
      offsets.deallocate()
      values.deallocate()
    }
    precondition(offsets.count >= 1 && offsets[0] == 0, "offsets must start at 0")
    for r in 0..<(offsets.count - 1) { precondition(offsets[r] <= offsets[r + 1], "decreasing offsets") }
    precondition(Int(offsets[offsets.count - 1]) <= values.count, "offsets past the values")
  }
  return 0
}
