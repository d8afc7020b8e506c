// libFuzzer target: reading a scipy CSR `.npz` as sparse score predictions
// (`SparseScoreFile.read`) on arbitrary bytes: the ZIP directory, stored or
// inflated members, their headers, the shape and format members, and the
// layout check (indptr, columns in range, duplicates). A matrix it accepts
// is then evaluated over every row (k up to 3, NaN ranked largest): every
// row's stored entries must lie in the members, and AP@k must be in [0, 1].

#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func sparseScoresFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  // The reader maps a file: write the input to one (in the temporary folder).
  var template = Array("/tmp/mapk-fuzz-sparse-XXXXXX.npz".utf8CString)
  let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 4) }
  precondition(fd >= 0, "cannot create a temporary file")
  let path = String(cString: template)
  defer { unlink(path) }
  var written = 0
  while written < size {
    let n = write(fd, data! + written, size - written)
    precondition(n > 0, "cannot write the temporary file")
    written += n
  }
  close(fd)
  guard case .success(let archive) = expectingFileErrors({ try NPZArrays(path: path) }), archive.isSparseMatrix,
        case .success(let source) = expectingFileErrors({ try SparseScoreFile.read(archive) }),
        case .sparseScores(let scores) = source.view
  else { return 0 }
  precondition(scores.width > 0 && scores.offsets[scores.rows] == Int64(scores.storedCount), "layout")
  let rows = scores.rows
  let labels = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, rows))
  defer { labels.deallocate() }
  for r in 0..<rows { labels[r] = Int64(r % scores.width) }
  let labelRows = LabelRows(rows: rows, offsets: .uniform(width: 1), values: .int64(labels), semantics: .dense)
  let configuration = try! MAPConfiguration(ks: [1, min(3, scores.width)], emptyRows: .zero, nanScores: .largest)
  let engine = try! SparseScoreEvaluator(configuration: configuration, width: scores.width, scoreType: scores.scoreType)
  var state = MAPState(configuration: configuration)
  try! engine.evaluate(rows: 0..<rows, scores: scores, labels: labelRows, weights: .none, into: &state)
  for v in state.values where rows > 0 { precondition(v >= 0 && v <= 1, "AP@k outside [0, 1]: \(v)") }
  return 0
}
