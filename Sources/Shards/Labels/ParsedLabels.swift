/// Sparse labels parsed into memory from a text or CSR file: row offsets and
/// values owned here, viewed as ``LabelRows`` with `SparseTensor` rules.
package final class ParsedLabels: @unchecked Sendable {
  // Sendable: immutable after init.
  /// `rows + 1` non-decreasing offsets, the first 0.
  let offsets: UnsafeMutableBufferPointer<Int64>
  /// The values (capacity at least 1, so the base address exists; the count
  /// that matters is `offsets[rows]`).
  let values: UnsafeMutableBufferPointer<Int64>
  /// The file they came from, kept mapped for the size check after a run.
  package let files: [MappedFile]

  /// The size of the file they were read from, in bytes.
  package var fileSize: Int { files.reduce(0) { $0 + $1.size } }

  /// The view the evaluator reads; it holds this object, so it stays valid
  /// however long it is kept.
  package var rows: LabelRows {
    LabelRows(rows: offsets.count - 1, offsets: .explicit(UnsafePointer(offsets.baseAddress!)),
              values: .int64(UnsafePointer(values.baseAddress!)), semantics: .sparse, owner: self)
  }

  /// Reads the labels file at `path`.
  ///
  /// - Parameters:
  ///   - path: A `.txt` (``LabelFormat/text``) or scipy `.npz` (``LabelFormat/csr``) file.
  ///   - format: Which of the two.
  ///   - rows: The number of prediction rows, which the file must match;
  ///     nil accepts the file's own row count.
  ///   - threads: Workers for parsing text.
  /// - Throws: ``FileError`` naming the file and the problem.
  package init(path: String, format: LabelFormat, rows: Int?, threads: Int) throws {
    let file = try MappedFile(path: path)
    switch format {
    case .text:
      (offsets, values) = try TextLabels.parse(file.bytes, rows: rows, threads: max(1, threads), path: path)
    case .csr:
      (offsets, values) = try CSRLabels.read(file.bytes, rows: rows, path: path)
    case .ivecs:
      (offsets, values) = try IVecs.labels(file.bytes, rows: rows, path: path)
    case .dense, .multihot:
      preconditionFailure("dense and multi-hot labels are read from an array, not parsed")
    }
    files = [file]
  }

  deinit {
    offsets.deallocate()
    values.deallocate()
  }
}
