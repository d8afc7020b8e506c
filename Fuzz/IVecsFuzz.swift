// libFuzzer target: the .ivecs reader on arbitrary bytes.
//
// The layout walk and the label reader must agree: both succeed or both fail
// with the same error, and the rows read are the vectors (each its count's
// worth of values, in file order). When every vector has the same length the
// file is also ranked ids: evaluating them against the file's own rows must
// succeed or fail with a kernel error (a negative id that is not the pad).

@_cdecl("LLVMFuzzerTestOneInput")
public func ivecsFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  // Mapped files are page-aligned: copy the bytes to aligned memory, as a mapping is.
  let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
  defer { copy.deallocate() }
  if size > 0 { copy.copyMemory(from: UnsafeRawBufferPointer(start: data, count: size)) }
  let bytes = UnsafeRawBufferPointer(rebasing: copy[0..<size])
  let layout = expectingFileErrors { try IVecs.layout(bytes, path: "fuzz.ivecs") }
  let rows = expectingFileErrors { () -> [[Int64]] in
    let (offsets, values) = try IVecs.labels(bytes, rows: nil, path: "fuzz.ivecs")
    defer {
      offsets.deallocate()
      values.deallocate()
    }
    precondition(offsets[0] == 0, "offsets must start at 0")
    return (0..<(offsets.count - 1)).map { r in
      precondition(offsets[r] <= offsets[r + 1], "decreasing offsets")
      return Array(values[Int(offsets[r])..<Int(offsets[r + 1])])
    }
  }
  switch (layout, rows) {
  case (.failure(let a), .failure(let b)): precondition(a == b, "layout and labels fail differently")
  case (.success(let l), .success(let r)):
    precondition(l.count == r.count, "layout and labels count vectors differently")
    var o = 0
    for (v, row) in r.enumerated() {
      precondition(Int(Int32(bitPattern: bytes.le32(4 * o))) == row.count && l.starts[v] == o + 1, "vector \(v) misread")
      for (i, x) in row.enumerated() { precondition(Int64(Int32(bitPattern: bytes.le32(4 * (o + 1 + i)))) == x) }
      o += 1 + row.count
    }
    precondition(4 * o == size, "the vectors do not cover the file")
    if let k = l.uniformLength, k > 0 {
      let base = UnsafeRawPointer(copy.baseAddress!).assumingMemoryBound(to: Int32.self) + 1
      let ids = RankedIDs(rows: l.count, width: k, values: .int32(base), stride: k + 1,
                          reading: RankedIDReading(duplicates: .first))
      var offsets: [Int64] = [0]
      for row in r { offsets.append(offsets[offsets.count - 1] + Int64(row.count)) }
      let labels = try! Labels.sparse(offsets: offsets, values: r.flatMap { $0 })
      do {
        let engine = try RankedIDEvaluator(configuration: MAPConfiguration(ks: [1, k]), reading: ids.reading)
        var state = MAPState(configuration: engine.configuration)
        try labels.withRows { try engine.evaluate(rows: 0..<l.count, ids: ids, labels: $0, weights: .none, into: &state) }
        // Every row's own labels are its ids: no value is above 1.
        precondition(state.values.allSatisfy { $0.isNaN || (0...1).contains($0) }, "a value outside [0, 1]")
      } catch let error as MAPKError {
        guard case .invalidID = error else { preconditionFailure("unexpected \(error)") }
      } catch {
        preconditionFailure("unexpected \(error)")
      }
    }
  default: preconditionFailure("layout and labels disagree on success: \(layout) / \(rows)")
  }
  return 0
}
