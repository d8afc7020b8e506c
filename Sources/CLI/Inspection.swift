import MAPKShards

/// The facts `mapk inspect` prints about one file.
enum Inspection {
  /// The lines describing the file at `path`.
  /// - Throws: ``FileError`` if it cannot be read or is not a file mapk reads.
  static func describe(path: String, threads: Int) throws -> [String] {
    // The one format table decides; every format is handled here.
    let (file, member) = FileFormat.splitMember(path)
    switch FileFormat.inferred(fromPath: file) {
    case .npy?: return try describeNPY(path: path, threads: threads)
    case .text?: return try describeParsed(path: path, format: .text, kind: "text labels, one line per row", threads: threads)
    case .npz?:
      let archive = try NPZArrays(path: file)
      if member == nil && (archive.isSparseMatrix || archive.names.contains("format")) {
        // What eval reads it as: a sparse matrix (labels), never dense scores.
        return try describeParsed(path: path, format: .csr, kind: "scipy sparse matrix (.npz) labels", threads: threads)
          + SparseScoreDescription.lines(path: file, threads: threads)
      }
      return try describeContainer(path: path, kind: ".npz archive", names: archive.names, member: member,
                                   threads: threads)
    case .safetensors?:
      let tensors = try SafetensorsFile(path: file)
      return try describeContainer(path: path, kind: ".safetensors file",
                                   names: tensors.tensors.map { "\($0.name) (\($0.dtype) \($0.shape))" },
                                   member: member, threads: threads)
    case .ivecs?: return try describeIVecs(path: path, threads: threads)
    case nil:
      let names = FileFormat.allCases.flatMap(\.extensions)
      throw FileError(path: path, problem: "unknown extension: mapk reads "
                      + names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1] + " files",
                      kind: .unknownFormat)
    }
  }

  static func describeParsed(path: String, format: LabelFormat, kind: String, threads: Int) throws -> [String] {
    let parsed = try ParsedLabels(path: path, format: format, rows: nil, threads: threads)
    return ["\(FileError.oneLine(path)): \(kind), \(grouped(parsed.fileSize)) bytes",
            "  as sparse labels: \(grouped(parsed.rows.rows)) rows (TensorFlow SparseTensor rules)"]
      + LabelStatistics(parsed.rows).lines
  }

  static func describeIVecs(path: String, threads: Int) throws -> [String] {
    let parsed = try ParsedLabels(path: path, format: .ivecs, rows: nil, threads: threads)
    var lines = ["\(FileError.oneLine(path)): .ivecs (FAISS), \(grouped(parsed.rows.rows)) vectors, \(grouped(parsed.fileSize)) bytes"]
    do {
      // Read exactly as mapk eval reads ranked-id predictions.
      let source = try PredictionSource.read(path: path)
      if case .rankedIDs(let ids) = source.view {
        lines.append("  as ranked-id predictions: \(grouped(ids.rows)) rows x \(grouped(ids.width)) ids, best first"
                     + " (-k up to \(ids.width))")
        lines += RankedIDScan(ids).lines
      }
    } catch let error as FileError {
      lines.append("  not ranked-id predictions: \(error.problem)")
    }
    lines.append("  as sparse labels: \(grouped(parsed.rows.rows)) rows (TensorFlow SparseTensor rules)")
    return lines + LabelStatistics(parsed.rows).lines
  }

  /// An `.npz` of arrays or a `.safetensors` file: its members, then the
  /// array eval reads (the named one, or the only one) described as a `.npy` is.
  static func describeContainer(path: String, kind: String, names: [String], member: String?,
                                threads: Int) throws -> [String] {
    let array = try FileFormat.readArray(naming: path)
    var lines = ["\(FileError.oneLine(path)): \(kind), \(grouped(array.file.size)) bytes, \(names.count) "
                 + (names.count == 1 ? "array" : "arrays") + ": " + names.joined(separator: ", "),
                 "  reading \(array.origin.member.map { "\"\($0)\"" } ?? "its only array")"
                   + (array.owner === array.file ? " in place" : " from memory (inflated, or copied to align it)"),
                 "  dtype    \(array.type.name)",
                 "  shape    \(array.shape)  (\(grouped(array.count)) elements)"]
    lines += try describeArray(array, shape: array.shape, threads: threads)
    return lines
  }

  static func describeNPY(path: String, threads: Int) throws -> [String] {
    let array = try NPYArray(path: path)
    let h = array.header
    return [
      "\(FileError.oneLine(path)): .npy version \(h.version.major).\(h.version.minor), \(grouped(array.file.size)) bytes",
      "  dtype    \(h.type.rawValue) (\(h.type.name))",
      "  shape    \(h.shape)  (\(grouped(h.count)) elements, data at byte \(h.dataOffset))",
    ] + (try describeArray(array.stored, shape: h.shape, threads: threads))
  }

  /// What eval would read an array as: predictions, weights, dense or multi-hot labels.
  static func describeArray(_ stored: StoredArray, shape: [Int], threads: Int) throws -> [String] {
    var lines: [String] = []
    let h = (type: stored.type, shape: shape)
    let array = (data: stored.data, stored: stored)
    if let scoreType = h.type.scoreType {
      guard let classes = h.shape.last else {
        lines.append("  a scalar: usable as --weights")
        return lines
      }
      let rows = h.shape.dropLast().reduce(1, *)
      // One dimension reads as weights (one per row) as well as one row of
      // scores; a float32/64 vector is far more often weights, so that comes first.
      let weights = h.shape.count == 1 && h.type != .float16 && h.type != .bfloat16
      if weights {
        lines.append("  as --weights: \(grouped(classes)) rows, one weight each")
        lines.append("  or as predictions: 1 row x \(grouped(classes)) classes")
      } else {
        lines.append("  as predictions: \(grouped(rows)) rows x \(grouped(classes)) classes")
      }
      let s = ScoreScan(ScoreMatrix(base: array.data, rows: rows, classes: classes, type: scoreType), threads: threads)
      if let range = s.range { lines.append((weights ? "  values   " : "  scores   ") + range) }
      lines.append("  NaN      \(grouped(s.nan))" + (s.nan > 0 && !weights ? "  (mapk eval needs --nan largest|lowest)" : ""))
      if s.infinite > 0 {
        lines.append("  +-inf    \(grouped(s.infinite))")
      }
      if h.shape.count == 1 && !weights { lines.append("  or as --weights: \(grouped(classes)) rows") }
    } else if h.type == .bool {
      // What eval does with a bool array given as labels: multi-hot, whatever --labels-format says.
      lines += try describeMultiHot(array.stored, threads: threads)
    } else {
      let width = h.shape.count >= 2 ? h.shape[h.shape.count - 1] : 1
      let rows = h.shape.count >= 2 ? h.shape.dropLast().reduce(1, *) : h.shape.first ?? 1
      let values: LabelRows.Values = h.type == .int64
        ? .int64(array.data.assumingMemoryBound(to: Int64.self))
        : .int32(array.data.assumingMemoryBound(to: Int32.self))
      let labels = LabelRows(rows: rows, offsets: .uniform(width: width), values: values, semantics: .dense)
      lines.append("  as dense labels: \(grouped(rows)) rows, up to \(width) label\(width == 1 ? "" : "s") per row"
                   + " (-1 pads)")
      lines += LabelStatistics(labels).lines
      if h.shape.count >= 2, width > 0 {
        // Read exactly as mapk eval reads integer predictions.
        let source = try PredictionSource.rankedIDs(array.stored, reading: RankedIDReading())
        if case .rankedIDs(let ids) = source.view {
          lines.append("  or as ranked-id predictions: \(grouped(ids.rows)) rows x \(grouped(ids.width)) ids, best first"
                       + " (-k up to \(ids.width))")
          lines += RankedIDScan(ids).lines
        }
      }
      if h.shape.count >= 2, width >= 2, let multiHot = try? MultiHotLabels(array.stored, threads: threads) {
        // Only 0 and 1: eval warns when C matches the predictions' classes.
        lines.append("  holds only 0 and 1: with --labels-format multihot, multi-hot labels:")
        lines += try describeMultiHot(array.stored, threads: threads, compacted: multiHot).map { "  " + $0 }
      }
    }
    return lines
  }

  /// The lines of an array read as multi-hot labels.
  static func describeMultiHot(_ array: StoredArray, threads: Int, compacted: MultiHotLabels? = nil) throws -> [String] {
    let labels = try compacted ?? MultiHotLabels(array, threads: threads)
    let rows = labels.rows
    return ["  as multi-hot labels: \(grouped(rows.rows)) rows x \(grouped(labels.width)) columns, "
              + "\(grouped(labels.count)) true (a row's labels are its true columns; TensorFlow SparseTensor rules)"]
      + LabelStatistics(rows).lines
  }

  /// `1234567` as `1,234,567`.
  static func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return (n < 0 ? "-" : "") + out
  }
}
