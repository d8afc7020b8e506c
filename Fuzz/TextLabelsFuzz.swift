// libFuzzer target: the text label parser on arbitrary bytes.
//
// Differential as well as crash-hunting: the same bytes parsed with 1 worker
// and with 3 (other chunk boundaries) must give the same rows or the same
// error. A parsed result must be a valid row layout: offsets from 0, never
// decreasing. A thread count past every limit (`Int.max`, clamped to
// `Evaluator.maximumThreads`) must parse the same too.

@_cdecl("LLVMFuzzerTestOneInput")
public func textLabelsFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  func parse(threads: Int) -> Result<[[Int64]], FileError> {
    expectingFileErrors {
      let (offsets, values) = try TextLabels.parse(bytes, rows: nil, threads: threads, path: "fuzz.txt")
      defer {
        offsets.deallocate()
        values.deallocate()
      }
      precondition(offsets.count >= 1 && offsets[0] == 0, "offsets must start at 0")
      return (0..<(offsets.count - 1)).map { r in
        precondition(offsets[r] <= offsets[r + 1], "decreasing offsets")
        return Array(values[Int(offsets[r])..<Int(offsets[r + 1])])
      }
    }
  }
  let one = parse(threads: 1), three = parse(threads: 3)
  switch (one, parse(threads: .max)) {
  case (.success(let a), .success(let b)): precondition(a == b, "1 and Int.max workers parse differently")
  case (.failure(let a), .failure(let b)): precondition(a == b, "1 and Int.max workers fail differently")
  default: preconditionFailure("1 and Int.max workers disagree on success")
  }
  switch (one, three) {
  case (.success(let a), .success(let b)): precondition(a == b, "1 and 3 workers parse differently")
  case (.failure(let a), .failure(let b)): precondition(a == b, "1 and 3 workers fail differently: \(a) / \(b)")
  default: preconditionFailure("1 and 3 workers disagree on success: \(one) / \(three)")
  }
  return 0
}
