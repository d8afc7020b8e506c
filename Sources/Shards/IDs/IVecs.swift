/// FAISS's `.ivecs` format: vectors one after another, each a little-endian
/// int32 count `d` and then `d` int32 values, with no header.
///
/// As predictions (ranked ids, `faiss` `I` written with `ivecs_write`) every
/// vector must have the same length `K`; the file is then exactly an int32
/// `[N, K + 1]` array whose first column holds the counts, so it is read in
/// place: ``readArray(file:)`` returns that array and the ids are its
/// columns `1...K` (``PredictionSource``). As labels (FAISS's ground truth)
/// vectors may differ in length: one row of sparse labels per vector.
enum IVecs {
  /// The vectors' layout: their number and the offset (in int32 units) and
  /// length of each, from one pass over the counts.
  struct Layout {
    /// The int32 offset of each vector's first value, then the end (`count + 1` entries).
    var starts: [Int]
    /// The length of every vector if all are the same, else nil.
    var uniformLength: Int?
    /// The number of vectors.
    var count: Int { starts.count - 1 }
  }

  /// Walks the counts of the file's `bytes`.
  ///
  /// - Throws: ``FileError`` for a size that is not a multiple of 4, a
  ///   negative count, or a vector running past the end.
  /// - Complexity: O(vectors).
  static func layout(_ bytes: UnsafeRawBufferPointer, path: String) throws -> Layout {
    guard bytes.count % 4 == 0 else {
      throw FileError(path: path, problem: "not an .ivecs file: its size (\(bytes.count) bytes) is not a multiple of 4",
                      kind: .badFormat)
    }
    let words = bytes.count / 4
    var starts: [Int] = []
    var uniform: Int? = nil
    var mixed = false
    var o = 0
    while o < words {
      let d = Int(Int32(bitPattern: bytes.le32(4 * o)))
      guard d >= 0 else {
        throw FileError(path: path, problem: "vector \(starts.count) at byte \(4 * o) has a negative count (\(d))",
                        kind: .badFormat)
      }
      // No overflow: d < 2^31 and o < 2^62.
      guard o + 1 + d <= words else {
        throw FileError(path: path, problem: "vector \(starts.count) at byte \(4 * o) has \(d) values, "
                          + "but the file ends after \(words - o - 1)", kind: .truncated)
      }
      if starts.isEmpty { uniform = d } else if uniform != d { mixed = true }
      starts.append(o + 1)
      o += 1 + d
    }
    starts.append(o + 1)
    return Layout(starts: starts, uniformLength: mixed ? nil : uniform)
  }

  /// The file as the int32 `[N, K + 1]` array it is when every vector has
  /// `K` ids (the counts in column 0).
  ///
  /// - Throws: ``FileError`` if the file is malformed, empty, or its vectors differ in length.
  static func readArray(file: MappedFile) throws -> StoredArray {
    let layout = try layout(file.bytes, path: file.path)
    guard let k = layout.uniformLength else {
      if layout.count == 0 {
        throw FileError(path: file.path, problem: "an .ivecs file with no vectors", kind: .shapeMismatch)
      }
      let lengths = Set(layout.starts.indices.dropLast().map { layout.starts[$0 + 1] - layout.starts[$0] - 1 })
      throw FileError(path: file.path,
                      problem: "ranked ids need vectors of one length; found lengths \(lengths.sorted().prefix(5).map(String.init).joined(separator: ", "))",
                      kind: .shapeMismatch)
    }
    let base = file.base ?? UnsafeRawPointer(bitPattern: 64)!
    return StoredArray(type: .int32, shape: [layout.count, k + 1], bytes: UnsafeRawBufferPointer(start: base, count: file.size),
                       owner: file, file: file, origin: .init(path: file.path, format: .ivecs))
  }

  /// The vectors as sparse label rows, copied into memory.
  ///
  /// - Parameter rows: The predictions' rows, which the vectors must match (nil: any).
  /// - Returns: `rows + 1` offsets and the values, owned by the caller.
  /// - Throws: ``FileError`` if the file is malformed or has another number of vectors.
  static func labels(_ bytes: UnsafeRawBufferPointer, rows: Int?, path: String)
    throws -> (offsets: UnsafeMutableBufferPointer<Int64>, values: UnsafeMutableBufferPointer<Int64>)
  {
    let layout = try layout(bytes, path: path)
    if let rows, rows != layout.count {
      throw FileError(path: path, problem: "\(layout.count) vectors but the predictions have \(rows) rows",
                      kind: .shapeMismatch)
    }
    let total = layout.starts.indices.dropLast().reduce(0) { $0 + layout.starts[$1 + 1] - layout.starts[$1] - 1 }
    let offsets = UnsafeMutableBufferPointer<Int64>.allocate(capacity: layout.count + 1)
    let values = UnsafeMutableBufferPointer<Int64>.allocate(capacity: max(1, total))
    var w = 0
    offsets[0] = 0
    for v in 0..<layout.count {
      for i in layout.starts[v]..<(layout.starts[v + 1] - 1) {
        values[w] = Int64(Int32(bitPattern: bytes.le32(4 * i)))
        w += 1
      }
      offsets[v + 1] = Int64(w)
    }
    return (offsets, values)
  }
}
