import Dispatch

/// Label rows from a sparse matrix saved with `scipy.sparse.save_npz`.
///
/// The matrix is `[rows, M]`; a nonzero entry at `(r, c)` means label `c` of
/// row `r`. Entries whose stored value is zero (explicit zeros) are not
/// labels, as in `m.nonzero()`; duplicate entries are not summed (a label
/// named twice still counts once under `SparseTensor` rules). CSR is read
/// directly; CSC and 2-D COO are converted (a counting sort by row, O(nnz +
/// rows)); BSR and DIA are refused. `M` may differ from the predictions'
/// classes: columns `>= C` follow TensorFlow's out-of-range rule in the kernel.
enum CSRLabels {
  typealias Buffers = (offsets: UnsafeMutableBufferPointer<Int64>, values: UnsafeMutableBufferPointer<Int64>)

  /// Reads the matrix in the `.npz` archive `bytes` as `rows` label rows
  /// (nil: as many as the matrix has, for `mapk inspect`).
  ///
  /// - Returns: `rows + 1` offsets and the values, owned by the caller.
  /// - Throws: ``FileError`` naming the file (and member) and the problem.
  /// - Complexity: O(size of the members + rows).
  static func read(_ bytes: UnsafeRawBufferPointer, rows expectedRows: Int?, path: String) throws -> Buffers {
    let npz = try NPZArchive(bytes: bytes, path: path)
    let format = try npz.string("format", missing: "not a scipy sparse matrix: save labels with scipy.sparse.save_npz")
    let missing = "scipy.sparse.save_npz writes " + (Self.members[format] ?? "shape and format")
      + " for a '\(format)' matrix"
    let shape = try npz.withIntegers("shape", dataLimit: 16, missing: missing) { a -> (rows: Int, columns: Int) in
      // Below 2^62, sizes derived from the dims (dim + 1, 16 · dim) cannot overflow.
      guard a.shape == [2], (0..<(1 << 62)).contains(a[0]), (0..<(1 << 62)).contains(a[1]) else {
        throw npz.failure("shape", "must hold the 2 dims of a matrix (found \((0..<a.count).map { a[$0] }))")
      }
      return (Int(a[0]), Int(a[1]))
    }
    let rows = expectedRows ?? shape.rows
    guard shape.rows == rows else {
      throw FileError(path: path, problem: "the matrix has \(shape.rows) rows but the predictions have \(rows) rows", kind: .shapeMismatch)
    }
    // Every member checked against the others before any data is inflated.
    try checkDeclarations(npz, format: format, rows: rows, columns: shape.columns, missing: missing)
    var output = Output(rows: rows)
    do {
      switch format {
      case "csr": try readCSR(npz, columns: shape.columns, missing: missing, into: &output)
      case "csc": try readCSC(npz, columns: shape.columns, missing: missing, into: &output)
      case "coo": try readCOO(npz, columns: shape.columns, missing: missing, into: &output)
      default:
        throw FileError(path: path, problem: "sparse format '\(format)' is not supported (csr, csc and coo are; "
                        + "convert with m.tocsr())", kind: .unsupportedType)
      }
    } catch {
      output.free()
      throw error
    }
    return (output.offsets ?? output.allocateOffsets(), output.values ?? output.allocateValues(0))
  }

  /// Checks, from their `.npy` headers alone (see ``NPZArchive/declaration(_:)``),
  /// that every member the format needs is there, that their shapes agree
  /// with the matrix's and with each other, and that each declares exactly
  /// the uncompressed size its header needs. Afterwards what is inflated is
  /// what the headers say, no more: a deflate bomb behind a missing or
  /// inconsistent member is refused before it costs anything.
  static func checkDeclarations(_ npz: NPZArchive, format: String, rows: Int, columns: Int, missing: String) throws {
    typealias Declaration = (shape: [Int], width: Int?, dataOffset: Int, size: Int)
    var found: [String: Declaration] = [:]
    let names: [String]
    switch format {
    case "csr", "csc": names = ["indptr", "indices", "data"]
    case "coo": names = npz.has("coords") ? ["coords", "data"] : ["row", "col", "data"]
    default: return  // refused with its own message
    }
    // Presence first (nothing inflated), then each member's header (only its bytes inflated).
    for name in names where !npz.has(name) {
      throw FileError(path: npz.path, problem: "member \(name).npy is missing (\(missing))", kind: .badFormat)
    }
    for name in names { found[name] = try npz.declaration(name) }
    for name in names {
      let d = found[name]!
      // Below 2^62 elements of at most 16 bytes: the needed size is computed without overflow or refused.
      guard let width = d.width, d.shape.allSatisfy({ $0 >= 0 }), let count = StateFile.product(d.shape),
            count < 1 << 58, width <= 16
      else { continue }  // the member's own read names what is wrong with its dtype or shape
      let needed = d.dataOffset + count * width
      guard d.size == needed else {
        throw npz.failure(name, "declares \(d.size) uncompressed bytes, but its header's shape \(d.shape) "
                          + "needs \(needed)")
      }
    }
    let entries: Int?
    switch format {
    case "csr", "csc":
      let pointers = format == "csr" ? rows + 1 : columns + 1
      guard found["indptr"]!.shape == [pointers] else {
        throw npz.failure("indptr", "has shape \(found["indptr"]!.shape), expected [\(pointers)] for this matrix's shape")
      }
      entries = found["indices"]!.shape.count == 1 ? found["indices"]!.shape[0] : nil
    case "coo" where found["coords"] != nil:
      let shape = found["coords"]!.shape
      entries = shape.count == 2 && shape[0] == 2 ? shape[1] : nil
    default:
      entries = found["row"]!.shape.count == 1 ? found["row"]!.shape[0] : nil
    }
    guard let entries else { return }  // the member's own read names its bad shape
    let first = names[format == "coo" && found["coords"] == nil ? 0 : names.count - 2]
    for name in names where name == "data" || name == "col" {
      let shape = found[name]!.shape
      guard shape == [entries] else {
        throw npz.failure(name, "has shape \(shape) but \(first).npy has shape \(found[first]!.shape)")
      }
    }
  }

  /// The members `scipy.sparse.save_npz` writes for each format mapk reads.
  static let members = [
    "csr": "indptr, indices, data, shape and format",
    "csc": "indptr, indices, data, shape and format",
    "coo": "row and col (or coords), data, shape and format",
  ]

  /// The buffers being filled, allocated once a member has vouched for
  /// their size, and freed by the caller on error.
  struct Output {
    let rows: Int
    var offsets: UnsafeMutableBufferPointer<Int64>? = nil
    var values: UnsafeMutableBufferPointer<Int64>? = nil

    init(rows: Int) { self.rows = rows }

    /// `rows + 1` zeros.
    mutating func allocateOffsets() -> UnsafeMutableBufferPointer<Int64> {
      let o = UnsafeMutableBufferPointer<Int64>.allocate(capacity: rows + 1)
      o.initialize(repeating: 0)
      offsets = o
      return o
    }

    /// Room for `count` values (at least 1, so that the base address exists).
    mutating func allocateValues(_ count: Int) -> UnsafeMutableBufferPointer<Int64> {
      let v = UnsafeMutableBufferPointer<Int64>.allocate(capacity: max(1, count))
      values = v
      return v
    }

    func free() {
      offsets?.deallocate()
      values?.deallocate()
    }
  }

  /// CSR: `indptr` (rows + 1) are the offsets, `indices` the values.
  static func readCSR(_ npz: NPZArchive, columns: Int, missing: String, into output: inout Output) throws {
    let rows = output.rows
    // The offsets are allocated only once indptr, whose bytes were checked
    // against its shape, has shown that rows + 1 entries exist.
    let offsets = try npz.withIntegers("indptr", dataLimit: product(rows + 1, 8), missing: missing) { a in
      try checkPointers(a, count: rows + 1, npz: npz)
      let offsets = output.allocateOffsets()
      for i in 0...rows { offsets[i] = a[i] }
      return offsets
    }
    let count = Int(offsets[rows])
    // `indices` and `data` are independent members, and zlib inflates one
    // stream on one core: read them at the same time. Each task owns what it
    // allocates until it hands it back, and errors keep the serial order
    // (indices before data), so the message does not depend on timing.
    struct Shared: @unchecked Sendable {
      // Sendable: both tasks only read the archive's mapping and the offsets.
      let npz: NPZArchive
      let offsets: UnsafeMutableBufferPointer<Int64>
    }
    let shared = Shared(npz: npz, offsets: offsets)
    let indices = WorkerSlots<Result<UnsafeMutableBufferPointer<Int64>, any Error>>(count: 1)
    let data = WorkerSlots<Result<[Bool]?, any Error>>(count: 1)
    let read: @Sendable (Int) -> Void = { task in
      if task == 0 {
        indices.store(Result { try readIndices(shared.npz, count: count, columns: columns, offsets: shared.offsets,
                                               missing: missing) }, at: 0)
      } else {
        data.store(Result { try nonzero(shared.npz, count: count, missing: missing) }, at: 0)
      }
    }
    // Small matrices are read faster than a second thread starts.
    if count >= 1 << 16 {
      DispatchQueue.concurrentPerform(iterations: 2, execute: read)
    } else {
      read(0)
      read(1)
    }
    let values = try indices.values[0].get()
    output.values = values
    guard let keep = try data.values[0].get() else { return }
    // Drop the explicit zeros in place: writes never overtake reads.
    var w = 0, start = 0
    for r in 0..<rows {
      let end = Int(offsets[r + 1])
      for i in start..<end where keep[i] {
        values[w] = values[i]
        w += 1
      }
      offsets[r + 1] = Int64(w)
      start = end
    }
  }

  /// CSC: `indptr` (M + 1) points into `indices`, which hold row numbers.
  static func readCSC(_ npz: NPZArchive, columns: Int, missing: String, into output: inout Output) throws {
    let pointers = try npz.withIntegers("indptr", dataLimit: product(columns + 1, 8), missing: missing) { a in
      try checkPointers(a, count: columns + 1, npz: npz)
      return (0...columns).map { a[$0] }
    }
    let count = Int(pointers[columns])
    let keep = try nonzero(npz, count: count, missing: missing)
    try npz.withIntegers("indices", dataLimit: product(count, 8), missing: missing) { a in
      try checkLength(a.shape, count, "indices", npz)
      var column = 0
      try sortByRow(count: count, columns: columns, keep: keep, into: &output, npz: npz,
                    members: ("indices", "indptr")) { i in
        while Int(pointers[column + 1]) <= i { column += 1 }  // entries are visited in order
        return (a[i], Int64(column))
      } restart: { column = 0 }
    }
  }

  /// COO: `row` and `col` (or a `[2, nnz]` `coords`), one entry each.
  static func readCOO(_ npz: NPZArchive, columns: Int, missing: String, into output: inout Output) throws {
    let rows = output.rows
    let bound = product(product(rows, columns), 16)
    if npz.has("coords") {
      try npz.withIntegers("coords", dataLimit: bound, missing: missing) { a in
        guard a.shape.count == 2, a.shape[0] == 2 else {
          throw npz.failure("coords", "must have shape [2, nnz] for a matrix (found \(a.shape))")
        }
        let count = a.shape[1]
        let keep = try nonzero(npz, count: count, missing: missing)
        try sortByRow(count: count, columns: columns, keep: keep, into: &output, npz: npz,
                      members: ("coords", "coords")) { (a[$0], a[count + $0]) }
      }
      return
    }
    let rowNumbers = try npz.withIntegers("row", dataLimit: bound, missing: missing) { a in
      guard a.shape.count == 1 else { throw npz.failure("row", "must be 1-D (found shape \(a.shape))") }
      return (0..<a.count).map { a[$0] }
    }
    let count = rowNumbers.count
    let keep = try nonzero(npz, count: count, missing: missing)
    try npz.withIntegers("col", dataLimit: product(count, 8), missing: missing) { a in
      try checkLength(a.shape, count, "col", npz)
      try sortByRow(count: count, columns: columns, keep: keep, into: &output, npz: npz,
                    members: ("row", "col")) { (rowNumbers[$0], a[$0]) }
    }
  }

  /// Fills `output` from `count` (row, column) entries by a counting sort on
  /// the row, skipping entries with `keep[i] == false`; `entry` is called in
  /// increasing `i`, twice over (`restart` in between).
  static func sortByRow(count: Int, columns: Int, keep: [Bool]?, into output: inout Output, npz: NPZArchive,
                        members: (row: String, column: String), entry: (Int) -> (row: Int64, column: Int64),
                        restart: () -> Void = {}) throws {
    let rows = output.rows, offsets = output.allocateOffsets()
    for i in 0..<count {
      let (r, c) = entry(i)
      guard r >= 0 && r < Int64(rows) else {
        throw npz.failure(members.row, "row \(r) at entry \(i) is outside the matrix's \(rows) rows")
      }
      guard c >= 0 && c < Int64(columns) else {
        throw npz.failure(members.column, "column \(c) at entry \(i) is outside the matrix's \(columns) columns")
      }
      if keep?[i] ?? true { offsets[Int(r) + 1] += 1 }
    }
    for r in 0..<rows { offsets[r + 1] += offsets[r] }
    let values = output.allocateValues(Int(offsets[rows]))
    var cursor = Array(offsets[0..<rows])
    restart()
    for i in 0..<count where keep?[i] ?? true {
      let (r, c) = entry(i)
      values[Int(cursor[Int(r)])] = c
      cursor[Int(r)] += 1
    }
  }

  /// Checks an `indptr` of `count` entries: 0 first, never decreasing.
  static func checkPointers(_ a: NPZArchive.Integers, count: Int, npz: NPZArchive) throws {
    guard a.shape == [count] else {
      throw npz.failure("indptr", "has shape \(a.shape), expected [\(count)] for this matrix's shape")
    }
    guard a[0] == 0 else { throw npz.failure("indptr", "must start at 0 (found \(a[0]))") }
    var previous: Int64 = 0
    for i in 0..<count {
      let p = a[i]
      guard p >= previous else {
        throw npz.failure("indptr", "decreases at entry \(i) (\(previous) then \(p))")
      }
      previous = p
    }
  }

  /// The `indices` member of a CSR matrix: `count` column numbers below
  /// `columns`, in a buffer allocated once the member has vouched for its size.
  static func readIndices(_ npz: NPZArchive, count: Int, columns: Int, offsets: UnsafeMutableBufferPointer<Int64>,
                          missing: String) throws -> UnsafeMutableBufferPointer<Int64> {
    try npz.withIntegers("indices", dataLimit: product(count, 8), missing: missing) { a in
      try checkLength(a.shape, count, "indices", npz)
      let values = UnsafeMutableBufferPointer<Int64>.allocate(capacity: max(1, count))
      for i in 0..<count {
        let c = a[i]
        guard c >= 0 && c < Int64(columns) else {
          values.deallocate()
          throw npz.failure("indices", "column \(c) at entry \(i) (row \(row(of: i, offsets))) is outside the "
                            + "matrix's \(columns) columns")
        }
        values[i] = c
      }
      return values
    }
  }

  static func checkLength(_ shape: [Int], _ count: Int, _ member: String, _ npz: NPZArchive) throws {
    guard shape == [count] else {
      throw npz.failure(member, "has shape \(shape) but the matrix has \(count) stored entries")
    }
  }

  /// Which of the `data` member's `count` values are nonzero; nil when all are (the usual case).
  static func nonzero(_ npz: NPZArchive, count: Int, missing: String) throws -> [Bool]? {
    try npz.withNumbers("data", dataLimit: product(count, 16), missing: missing) { d in
      try checkLength(d.shape, count, "data", npz)
      guard (0..<count).contains(where: { d.isZero($0) }) else { return nil }
      return (0..<count).map { !d.isZero($0) }
    }
  }

  /// The row whose range of `offsets` holds entry `i` (for error messages).
  static func row(of i: Int, _ offsets: UnsafeMutableBufferPointer<Int64>) -> Int {
    var lo = 0, hi = offsets.count - 1  // offsets[lo] <= i < offsets[hi]
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if offsets[mid] <= Int64(i) { lo = mid } else { hi = mid }
    }
    return lo
  }

  /// `a · b`, or `Int.max` when it overflows (a size bound past any real size).
  static func product(_ a: Int, _ b: Int) -> Int {
    let (p, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? Int.max : p
  }
}
