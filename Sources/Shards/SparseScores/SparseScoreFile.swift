/// Sparse score predictions: a scipy CSR matrix saved with
/// `scipy.sparse.save_npz` (members `data`, `indices`, `indptr`, `shape`,
/// `format`; stored or deflated), read as a ``SparseScores`` view.
///
/// Each member is read as ``NPZArrays/stored(_:)`` reads an array: a stored
/// member in place (copied once only if unaligned), a deflated one inflated
/// into memory of its size. The layout is checked before anything is
/// evaluated (offsets, columns in range, no column twice in a row), and every
/// problem is one error naming the file.
enum SparseScoreFile {
  /// The members that keep one matrix's memory alive.
  final class Owner: @unchecked Sendable {
    // Sendable: immutable; the members are only read.
    let members: [StoredArray]
    init(_ members: [StoredArray]) { self.members = members }
  }

  /// Reads the CSR matrix of `archive` as sparse score predictions.
  ///
  /// - Throws: ``FileError`` naming the archive: not CSR, a missing or
  ///   mistyped member, sizes that disagree, or a bad layout.
  /// - Complexity: O(rows + nnz) (the layout check), plus inflating deflated members.
  static func read(_ archive: NPZArrays) throws -> PredictionSource {
    let path = archive.path
    let npz = try NPZArchive(bytes: archive.file.bytes, path: path)
    let missing = "scipy.sparse.save_npz writes data, indices, indptr, shape and format for a CSR matrix"
    let format = try npz.string("format", missing: missing)
    guard format == "csr" else {
      throw FileError(path: path, problem: "sparse scores must be a CSR matrix (found '\(format)'): "
                      + "convert with m.tocsr()", kind: .unsupportedType)
    }
    let shape = try npz.withIntegers("shape", dataLimit: 16, missing: missing) { a -> (rows: Int, columns: Int) in
      guard a.shape == [2], (0..<(1 << 62)).contains(a[0]), (0..<(1 << 62)).contains(a[1]) else {
        throw npz.failure("shape", "must hold the 2 dims of a matrix (found \((0..<a.count).map { a[$0] }))")
      }
      return (Int(a[0]), Int(a[1]))
    }
    for name in ["indptr", "indices", "data"] where !npz.has(name) {
      throw FileError(path: path, problem: "member \(name).npy is missing (\(missing))", kind: .badFormat)
    }
    // Shapes from the headers before any data is inflated: a bad member costs nothing.
    try CSRLabels.checkDeclarations(npz, format: "csr", rows: shape.rows, columns: shape.columns, missing: missing)
    guard shape.columns > 0 else {
      throw FileError(path: path, problem: "the matrix has no columns (shape [\(shape.rows), 0]): no k can be ranked",
                      kind: .shapeMismatch)
    }
    guard shape.columns <= Int(Int32.max) else {
      throw FileError(path: path, problem: "\(shape.columns) columns exceed the supported 2^31 - 1", kind: .tooLarge)
    }
    let indptr = try archive.stored("indptr")
    let indices = try archive.stored("indices")
    let data = try archive.stored("data")
    func integers(_ a: StoredArray, _ name: String) throws -> SparseScores.Integers {
      // (if, not switch: a new NPYType case must not make this refuse to build)
      if a.type == .int32 { return .int32(a.data.assumingMemoryBound(to: Int32.self)) }
      if a.type == .int64 { return .int64(a.data.assumingMemoryBound(to: Int64.self)) }
      throw FileError(path: path, problem: "member \(name).npy must be int32 or int64 (found \(a.type.rawValue))",
                      kind: .unsupportedType)
    }
    let offsets = try integers(indptr, "indptr")
    let columns = try integers(indices, "indices")
    let scoreType: ScoreType
    if data.type == .float16 { scoreType = .float16 }
    else if data.type == .float32 { scoreType = .float32 }
    else if data.type == .float64 { scoreType = .float64 }
    else {
      throw FileError(path: path, problem: "member data.npy holds \(data.type.rawValue): sparse scores must be "
                      + "float16, float32 or float64", kind: .unsupportedType)
    }
    let stored = data.count
    guard indptr.shape == [shape.rows + 1], indices.shape == [stored], data.shape == [stored] else {
      throw FileError(path: path, problem: "members disagree: indptr \(indptr.shape) for \(shape.rows) rows, "
                      + "indices \(indices.shape), data \(data.shape)", kind: .shapeMismatch)
    }
    let owner = Owner([indptr, indices, data])
    let view: SparseScores
    do {
      view = try SparseScores(rows: shape.rows, width: shape.columns, storedCount: stored, offsets: offsets,
                              columns: columns, values: data.data, scoreType: scoreType, owner: owner)
    } catch let e as MAPKError {
      throw FileError(path: path, problem: e.description, kind: .invalidValue)
    }
    let matrix = StoredArray(type: data.type, shape: [shape.rows, shape.columns], bytes: data.bytes, owner: owner,
                             file: archive.file, origin: StoredArray.Origin(path: path, format: .npz))
    return PredictionSource(kind: .sparseScores, array: matrix, rowShape: [shape.rows], view: .sparseScores(view))
  }
}
