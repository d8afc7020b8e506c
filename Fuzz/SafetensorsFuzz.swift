// libFuzzer target: the `.safetensors` header reader (length, JSON, tensor
// table) on arbitrary bytes. Every tensor it accepts must lie inside the
// file, hold exactly the bytes its dtype and shape need, and not overlap
// another; every refusal is one FileError line.

@_cdecl("LLVMFuzzerTestOneInput")
public func safetensorsFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  if case .success(let (tensors, dataOffset)) = expectingFileErrors({
    try SafetensorsFile.parse(bytes, path: "fuzz.safetensors")
  }) {
    var end = dataOffset
    for t in tensors.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
      precondition(t.range.lowerBound >= end && t.range.upperBound <= size, "a tensor outside the data or overlapping")
      let width = SafetensorsFile.dtypeWidths[t.dtype]!
      precondition(t.range.count == t.shape.reduce(1, *) * width, "byte count and shape disagree")
      if let type = t.type { precondition(type.byteWidth == width, "dtype width") }
      // BF16 is read as bfloat16 scores (the seed bf16.safetensors reaches it), never as another 2-byte type.
      precondition((t.dtype == "BF16") == (t.type == .bfloat16), "BF16 read as bfloat16")
      end = t.range.upperBound
    }
  }
  return 0
}
