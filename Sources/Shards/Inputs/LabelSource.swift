/// Labels as read from their file: the format, the view the evaluator
/// reads, and what keeps that view's memory alive.
///
/// A new label format (multi-hot next) is a case of ``LabelFormat``, a
/// reader file, and one line in ``read(path:format:rowShape:predictionsShape:threads:)``'s
/// exhaustive switch.
package struct LabelSource: @unchecked Sendable {
  // Sendable: immutable; the view's memory is owned by `storage`'s object.

  /// What holds the labels' memory.
  package enum Storage {
    /// A dense array read in place (`.npy` ids).
    case array(StoredArray)
    /// Offsets and values parsed into memory (text, CSR).
    case parsed(ParsedLabels)
    /// A multi-hot array compacted into offsets and columns.
    case multiHot(MultiHotLabels)
  }

  /// The format they were read as.
  package let format: LabelFormat
  /// The labels file's path.
  package let path: String
  /// What holds their memory.
  package let storage: Storage
  /// The view the evaluator reads (its owner is `storage`'s object).
  package let rows: LabelRows
  /// What the reader noticed about the file without refusing it.
  package var warnings: [InputWarning] = []

  /// The mapped files, for the size check after a run.
  package var files: [MappedFile] {
    switch storage {
    case .array(let a): return [a.file]
    case .parsed(let p): return p.files
    case .multiHot(let m): return m.array.map { [$0.file] } ?? []
    }
  }

  /// The array, for a format that reads one in place (for the state file's fingerprint).
  package var array: StoredArray? {
    switch storage {
    case .array(let a): return a
    case .multiHot(let m): return m.array
    case .parsed: return nil
    }
  }

  /// Reads the labels at `path` for predictions whose rows have shape `rowShape`.
  ///
  /// - Parameters:
  ///   - path: The labels file.
  ///   - format: How to read it.
  ///   - rowShape: The predictions' shape without its last dim.
  ///   - predictionsShape: The predictions' shape (for error messages).
  ///   - multiHotWidth: The column count multi-hot labels must have (the
  ///     classes of scores), or nil when any is right (ranked ids without
  ///     `classes`: a column is a class id, not a position of the list).
  ///   - threads: Workers for formats parsed in parallel.
  /// - Throws: ``FileError`` naming the file and the problem.
  package static func read(path: String, format: LabelFormat, rowShape: [Int], predictionsShape: [Int],
                           multiHotWidth: Int?, threads: Int) throws -> LabelSource {
    switch format {
    case .dense:
      let array = try FileFormat.readArray(naming: path).signedWidening()
      // A bool array can only mean multi-hot: it is read as such, not refused.
      if array.type == .bool {
        return try multiHot(array, rowShape: rowShape, predictionsShape: predictionsShape, width: multiHotWidth,
                            threads: threads)
      }
      var source = LabelSource(format: format, path: path, storage: .array(array),
                               rows: try denseLabels(array, rowShape: rowShape, predictionsShape: predictionsShape))
      if looksMultiHot(array, rowShape: rowShape, classes: predictionsShape.last) {
        source.warnings.append(.looksMultiHot(path: path, shape: array.shape))
      }
      return source
    case .multihot:
      let array = try FileFormat.readArray(naming: path).signedWidening()
      return try multiHot(array, rowShape: rowShape, predictionsShape: predictionsShape, width: multiHotWidth,
                          threads: threads)
    case .text, .csr, .ivecs:
      let parsed = try ParsedLabels(path: path, format: format, rows: rowShape.reduce(1, *), threads: threads)
      return LabelSource(format: format, path: path, storage: .parsed(parsed), rows: parsed.rows)
    }
  }

  /// Multi-hot `[D1..DN, C]` labels, compacted (``MultiHotLabels``): one
  /// column per class, so for scores the shape is the predictions' own (a
  /// different width is far more likely a different array than a deliberate
  /// one); for ranked ids the rows must match and C is `width` if given, any otherwise.
  static func multiHot(_ array: StoredArray, rowShape: [Int], predictionsShape: [Int], width: Int?,
                       threads: Int) throws -> LabelSource {
    guard array.shape.count == rowShape.count + 1, Array(array.shape.dropLast()) == rowShape,
          width.map({ array.shape.last == $0 }) ?? true else {
      let expected = width.map { "\(rowShape + [$0])" } ?? "\(rowShape) and a last dimension of any size"
      throw FileError(
        path: array.path,
        problem: "multi-hot labels of shape \(array.shape) do not match predictions of shape \(predictionsShape) "
          + "(one column per class: expected \(expected))",
        kind: .shapeMismatch)
    }
    let labels = try MultiHotLabels(array, threads: threads)
    return LabelSource(format: .multihot, path: array.path, storage: .multiHot(labels), rows: labels.rows)
  }

  /// True when integer dense labels `[D1..DN, C]` (C the predictions' classes,
  /// at least 2) hold only 0 and 1: the shape and values of a multi-hot
  /// matrix, which read as label ids give a meaningless result. Label ids
  /// that happen to be 0 and 1 are possible, so this only warns.
  ///
  /// - Complexity: O(elements) at worst; real id labels stop at their first id above 1.
  static func looksMultiHot(_ array: StoredArray, rowShape: [Int], classes: Int?) -> Bool {
    guard let classes, classes >= 2, array.shape.count == rowShape.count + 1, array.shape.last == classes,
          array.count > 0 else { return false }
    switch array.type {
    case .int32:
      let p = array.data.assumingMemoryBound(to: UInt32.self)
      for i in 0..<array.count where p[i] > 1 { return false }
    case .int64:
      let p = array.data.assumingMemoryBound(to: UInt64.self)
      for i in 0..<array.count where p[i] > 1 { return false }
    case .float16, .float32, .float64, .bfloat16, .bool, .uint8, .uint16, .uint32, .uint64: return false
    }
    return true
  }

  /// Dense `[D1..DN, L]` or `[D1..DN]` int labels, viewed in place.
  static func denseLabels(_ array: StoredArray, rowShape: [Int], predictionsShape: [Int]) throws -> LabelRows {
    let values: LabelRows.Values
    switch array.type {
    case .int64: values = .int64(array.data.assumingMemoryBound(to: Int64.self))
    case .int32: values = .int32(array.data.assumingMemoryBound(to: Int32.self))
    case .float16, .float32, .float64, .bfloat16, .bool, .uint8, .uint16, .uint32, .uint64:
      throw FileError(path: array.path, problem: "dense labels must be int32 or int64 (found \(array.type.rawValue))",
                      kind: .unsupportedType)
    }
    let width: Int
    if array.shape.count == rowShape.count + 1 && Array(array.shape.dropLast()) == rowShape {
      width = array.shape[array.shape.count - 1]
    } else if array.shape == rowShape {
      width = 1
    } else {
      throw FileError(
        path: array.path,
        problem: "labels of shape \(array.shape) do not match predictions of shape \(predictionsShape) "
          + "(expected [\((rowShape.map(String.init) + ["L"]).joined(separator: ", "))] or \(rowShape))",
        kind: .shapeMismatch)
    }
    // Width 0 ([D1..DN, 0]) is valid: every row is empty.
    return LabelRows(rows: rowShape.reduce(1, *), offsets: .uniform(width: width), values: values, semantics: .dense,
                     owner: array.owner)
  }
}
