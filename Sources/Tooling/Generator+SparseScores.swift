import Dispatch
import MAPKShards

extension Generator {
  /// Writes sparse score predictions to `path`: the `[rows, classes]` CSR
  /// matrix (`scipy.sparse.save_npz(path, m, compressed=False)`'s members:
  /// indices, indptr, format, shape, data, stored) holding each row's `k`
  /// best scores, those of its ranked ids (``storeRankedIDs(_:count:k:as:to:)``:
  /// best first, ties by the lower class), stored with ascending columns
  /// (scipy's canonical form). Every row stores `k` entries, so its value is
  /// the dense scores' for every k up to `k`.
  ///
  /// Rows are made twice in blocks on `threads` workers (once for the
  /// columns, once for the scores: the matrix is never in memory), so memory
  /// is about ``blockBytes`` plus a row per worker.
  ///
  /// - Parameters:
  ///   - k: The entries stored per row, `1 ... classes`.
  ///   - scoreType: `data`'s type (float32 or float64: scipy has no float16 matrices).
  /// - Throws: ``FileError`` if the file cannot be written.
  package func writeSparseScores(to path: String, k: Int, scoreType: ScoreType, threads: Int) throws {
    precondition((1...classes).contains(k) && (scoreType == .float32 || scoreType == .float64),
                 "k in 1...classes, float32 or float64 data")
    let (nnz, overflow) = rows.multipliedReportingOverflow(by: k)
    precondition(!overflow, "rows x k overflows")
    // scipy picks int32 indices unless a value would not fit.
    let wide = max(nnz, classes) > Int(Int32.max)
    let indexType: NPYType = wide ? .int64 : .int32
    let zip = try ZipWriter(path: path)
    let blockRows = max(1, min(max(rows, 1), Generator.blockBytes / (4 * max(classes, k))))
    let columns = UnsafeMutablePointer<Int32>.allocate(capacity: blockRows * k)
    let values = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * k)
    defer {
      columns.deallocate()
      values.deallocate()
    }

    try zip.beginNPYMember(name: "indices.npy", type: indexType, shape: [nnz])
    try forEachBlock(blockRows: blockRows, k: k, scoreType: scoreType, threads: threads,
                     columns: columns, values: values) { count in
      if wide {
        try zip.append(contentsOf: (0..<(count * k)).map { Int64(columns[$0]) })
      } else {
        try zip.append(UnsafeRawBufferPointer(start: columns, count: count * k * 4))
      }
    }
    try zip.endMember()

    try zip.beginNPYMember(name: "indptr.npy", type: indexType, shape: [rows + 1])
    var offsets: [Int64] = []
    for r in 0...rows {
      offsets.append(Int64(r) * Int64(k))
      if offsets.count >= 1 << 16 || r == rows {
        if wide { try zip.append(contentsOf: offsets) } else { try zip.append(contentsOf: offsets.map { Int32($0) }) }
        offsets.removeAll(keepingCapacity: true)
      }
    }
    try zip.endMember()

    try writeCSRFormatAndShape(to: zip)

    try zip.beginNPYMember(name: "data.npy", type: NPYType(scoreType), shape: [nnz])
    try forEachBlock(blockRows: blockRows, k: k, scoreType: scoreType, threads: threads,
                     columns: columns, values: values) { count in
      if scoreType == .float64 {
        // Every score is a multiple of 2^-10 in [0, 1]: exact in float32 and float64 alike.
        try zip.append(contentsOf: (0..<(count * k)).map { Double(values[$0]) })
      } else {
        try zip.append(UnsafeRawBufferPointer(start: values, count: count * k * 4))
      }
    }
    try zip.endMember()
    try zip.finish()
  }

  /// Makes the rows block by block: for each row its `k` best classes in
  /// ascending order into `columns` and their scores into `values`, then
  /// calls `body` with the block's row count, in row order.
  private func forEachBlock(blockRows: Int, k: Int, scoreType: ScoreType, threads: Int,
                            columns: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Float>,
                            _ body: (Int) throws -> Void) throws {
    /// Sendable: each worker writes only its own rows of the buffers.
    struct Buffers: @unchecked Sendable {
      let columns: UnsafeMutablePointer<Int32>
      let values: UnsafeMutablePointer<Float>
    }
    let buffers = Buffers(columns: columns, values: values)
    let generator = self
    var start = 0
    while start < rows {
      let block = start..<min(start + blockRows, rows)
      let parts = max(1, min(threads, block.count))
      DispatchQueue.concurrentPerform(iterations: parts) { part in
        let lower = block.lowerBound + block.count * part / parts
        let upper = block.lowerBound + block.count * (part + 1) / parts
        let row = UnsafeMutablePointer<Float>.allocate(capacity: generator.classes)
        let labels = UnsafeMutablePointer<Int32>.allocate(capacity: generator.labelsPerRow)
        defer {
          row.deallocate()
          labels.deallocate()
        }
        for r in lower..<upper {
          let local = r - block.lowerBound
          let m = generator.labels(ofRow: r, into: labels)
          generator.scores(ofRow: r, labels: UnsafeBufferPointer(start: labels, count: m), into: row)
          let ids = buffers.columns + local * k
          Generator.storeRankedIDs(row, count: generator.classes, k: k, as: scoreType, to: ids)
          var sorted = UnsafeMutableBufferPointer(start: ids, count: k)
          sorted.sort()
          for i in 0..<k { buffers.values[local * k + i] = row[Int(ids[i])] }
        }
      }
      try body(block.count)
      start = block.upperBound
    }
  }
}
