/// Sparse labels parsed into memory from a text or CSR file: row offsets and
/// values owned here, viewed as ``LabelRows`` with `SparseTensor` rules.
final class ParsedLabels: @unchecked Sendable {
  // Sendable: immutable after init.
  let offsets: UnsafeMutableBufferPointer<Int64>
  let values: UnsafeMutableBufferPointer<Int64>
  let files: [MappedFile]

  var rows: LabelRows {
    LabelRows(rows: offsets.count - 1, offsets: .explicit(UnsafePointer(offsets.baseAddress!)),
              values: .int64(UnsafePointer(values.baseAddress!)), semantics: .sparse)
  }

  init(path: String, format: LabelFormat, rows: Int, threads: Int) throws {
    throw FileError(path: path, problem: "\(format.rawValue) labels are not supported yet")
  }

  deinit {
    offsets.deallocate()
    values.deallocate()
  }
}
