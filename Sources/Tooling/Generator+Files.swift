import Dispatch
import Foundation
import MAPKShards

extension Generator {
  /// The files a generated dump is written to.
  package struct Files: Sendable, Equatable {
    /// `PREFIX.pred.npy`.
    package let predictions: String
    /// `PREFIX.labels.npy`, `.txt` or `.npz`.
    package let labels: String

    /// The names for `prefix` and a labels format; the predictions are
    /// `PREFIX.pred.safetensors` when `safetensors` is set, `PREFIX.pred.npz`
    /// when `sparseScores` is.
    package init(prefix: String, labelFormat: LabelFormat, safetensors: Bool = false, sparseScores: Bool = false) {
      predictions = prefix + (safetensors ? ".pred.safetensors" : sparseScores ? ".pred.npz" : ".pred.npy")
      switch labelFormat {
      case .dense: labels = prefix + ".labels.npy"
      case .text: labels = prefix + ".labels.txt"
      case .csr: labels = prefix + ".labels.npz"
      case .ivecs: labels = prefix + ".labels.ivecs"
      case .multihot: labels = prefix + ".labels.npy"
      }
    }
  }

  /// The bytes of scores made per block: memory stays near this plus a
  /// row's worth of scratch per worker, itself at most this many scores.
  package static let blockBytes = 16 << 20

  /// Writes the dump: `[rows, classes]` scores of `scoreType` and the labels
  /// in `labelFormat`.
  ///
  /// - dense: `<i8` `[rows, labelsPerRow]`, rows with fewer labels padded with -1;
  /// - text: one line per row, the labels separated by spaces;
  /// - csr: what `scipy.sparse.save_npz(path, m, compressed=False)` writes for
  ///   the `[rows, classes]` CSR matrix with a float32 1 at each label;
  /// - multihot: `|b1` `[rows, classes]`, true at each label (`numpy.save` of a bool array).
  ///
  /// Memory stays bounded (about ``blockBytes`` plus as much per thread)
  /// whatever the size: blocks are counted in scores, not rows, so a row
  /// longer than a block is made in pieces of columns. Both files appear
  /// only when complete; a dump larger than the free space of its directory
  /// is refused before anything is written.
  ///
  /// With `rankedIDs` the predictions are instead `<i4` `[rows, rankedIDs]`:
  /// each row's classes by the same scores (as `scoreType`), best first,
  /// ties by the lower class (TensorFlow's `top_k` order).
  ///
  /// - Parameters:
  ///   - safetensors: Write the scores as tensor `scores` of a `.safetensors`
  ///     file (what `safetensors.numpy.save_file` writes) instead of a `.npy`.
  ///   - threads: Workers making rows (the bytes do not depend on it).
  ///   - progress: Advanced by the rows of scores written.
  ///   - rankedIDs: Write this many ranked ids per row instead of scores (at most `classes`).
  ///   - sparseScores: Write each row's this many best scores as a scipy CSR
  ///     `.npz` instead (``writeSparseScores(to:k:scoreType:threads:)``).
  /// - Returns: The paths written.
  /// - Throws: ``FileError`` if a file cannot be written, or the dump does
  ///   not fit (`tooLarge`, with the bytes needed).
  @discardableResult
  package func write(prefix: String, scoreType: ScoreType, labelFormat: LabelFormat, safetensors: Bool = false,
                     threads: Int, progress: EvaluationProgress? = nil, rankedIDs: Int? = nil,
                     sparseScores: Int? = nil) throws -> Files {
    precondition(rankedIDs.map { (1...classes).contains($0) } ?? true, "ranked ids per row must be in 1...classes")
    precondition(!safetensors || rankedIDs == nil, "ranked ids are written as .npy")
    precondition(sparseScores == nil || (rankedIDs == nil && !safetensors), "sparse scores are written alone")
    precondition(safetensors || rankedIDs != nil || scoreType != .bfloat16, "numpy has no bfloat16 dtype")
    let files = Files(prefix: prefix, labelFormat: labelFormat, safetensors: safetensors,
                      sparseScores: sparseScores != nil)
    let width = scoreType.byteWidth
    // Sparse scores hold k per row, far less than the dense bytes checked here.
    if sparseScores == nil { try checkSpace(for: files.predictions, scoreBytes: width) }
    let npy = safetensors || sparseScores != nil ? nil
      : try rankedIDs.map { try NPYWriter(path: files.predictions, type: .int32, shape: [rows, $0]) }
        ?? NPYWriter(path: files.predictions, type: NPYType(scoreType), shape: [rows, classes])
    let tensors = safetensors
      ? try SafetensorsWriter(path: files.predictions, name: "scores", type: scoreType, shape: [rows, classes]) : nil
    // The bytes of one row of predictions.
    let rowBytes = rankedIDs.map { $0 * 4 } ?? classes * scoreType.byteWidth
    var dense: NPYWriter? = nil
    var text: AtomicOutputFile? = nil
    var multiHot: NPYWriter? = nil
    switch labelFormat {
    case .dense: dense = try NPYWriter(path: files.labels, type: .int64, shape: [rows, labelsPerRow])
    case .text: text = try AtomicOutputFile(path: files.labels)
    case .csr, .ivecs: break
    case .multihot: multiHot = try NPYWriter(path: files.labels, type: .bool, shape: [rows, classes])
    }

    let blockScores = max(1, Generator.blockBytes / width)
    // Whole rows per block when a row fits in one (the bytes do not depend on the blocks).
    let blockRows = max(1, blockScores / classes)
    let rowsFit = classes <= blockScores
    // A row longer than a block is made in pieces of columns: ranked ids need
    // the whole row to rank, and a multi-hot row is as long as the scores.
    precondition(rowsFit || (rankedIDs == nil && labelFormat != .multihot),
                 "rows longer than a block are written as scores with dense, text, CSR or .ivecs labels")
    let scoreBlock = UnsafeMutableRawBufferPointer.allocate(
      byteCount: (rowsFit ? min(blockRows, max(rows, 1)) * max(rowBytes, classes * width) : blockScores * width),
      alignment: 64)
    defer { scoreBlock.deallocate() }
    let labelBlock = UnsafeMutableBufferPointer<Int64>.allocate(
      capacity: dense == nil ? 0 : (rowsFit ? min(blockRows, max(rows, 1)) : 1) * labelsPerRow)
    defer { labelBlock.deallocate() }
    let multiHotBlock = UnsafeMutableRawBufferPointer.allocate(
      byteCount: multiHot == nil ? 0 : min(blockRows, max(rows, 1)) * classes, alignment: 64)
    defer { multiHotBlock.deallocate() }

    var start = 0
    while rowsFit && start < rows {
      let block = start..<min(start + blockRows, rows)
      let lines = makeBlock(block, scoreType: scoreType, scores: scoreBlock, denseLabels: dense == nil ? nil : labelBlock,
                            textLabels: text != nil, multiHot: multiHot == nil ? nil : multiHotBlock, threads: threads,
                            rankedIDs: rankedIDs)
      let scoreBytes = UnsafeRawBufferPointer(rebasing: scoreBlock[0..<(block.count * rowBytes)])
      try npy?.append(scoreBytes)
      try tensors?.append(scoreBytes)
      try dense?.append(UnsafeBufferPointer(rebasing: labelBlock[0..<(block.count * labelsPerRow)]))
      try multiHot?.append(UnsafeRawBufferPointer(rebasing: multiHotBlock[0..<(block.count * classes)]))
      for part in lines { try text?.write(part) }
      progress?.done.add(block.count, ordering: .relaxed)
      start = block.upperBound
    }
    if !rowsFit {
      // Rows longer than a block: each made in blocks of columns, its labels drawn once.
      let labels = UnsafeMutablePointer<Int32>.allocate(capacity: labelsPerRow)
      defer { labels.deallocate() }
      for r in 0..<rows {
        let m = self.labels(ofRow: r, into: labels)
        var column = 0
        while column < classes {
          let columns = column..<min(column + blockScores, classes)
          makeColumns(columns, ofRow: r, labels: UnsafeBufferPointer(start: labels, count: m), scoreType: scoreType,
                      scores: scoreBlock, threads: threads)
          let scoreBytes = UnsafeRawBufferPointer(rebasing: scoreBlock[0..<(columns.count * width)])
          try npy?.append(scoreBytes)
          try tensors?.append(scoreBytes)
          column = columns.upperBound
        }
        if let dense {
          for i in 0..<labelsPerRow { labelBlock[i] = i < m ? Int64(labels[i]) : -1 }
          try dense.append(UnsafeBufferPointer(rebasing: labelBlock[0..<labelsPerRow]))
        }
        if let text { try text.write(Generator.line(UnsafeBufferPointer(start: labels, count: m))) }
        progress?.done.add(1, ordering: .relaxed)
      }
    }
    if let k = sparseScores { try writeSparseScores(to: files.predictions, k: k, scoreType: scoreType, threads: threads) }
    if labelFormat == .csr { try writeCSR(to: files.labels) }
    if labelFormat == .ivecs { try writeIVecs(to: files.labels) }
    try npy?.finish()
    try tensors?.finish()
    try dense?.finish()
    try multiHot?.finish()
    try text?.commit()
    return files
  }

  /// Refuses a dump whose scores alone exceed the free space of the
  /// directory `path` goes in, naming both amounts (nothing is written yet).
  /// Where the free space cannot be read, nothing is refused.
  func checkSpace(for path: String, scoreBytes width: Int) throws {
    let (elements, o1) = rows.multipliedReportingOverflow(by: classes)
    let (bytes, o2) = elements.multipliedReportingOverflow(by: width)
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
    guard !(o1 || o2) else {
      throw FileError(path: path, problem: "\(rows) x \(classes) scores are more bytes than a file can hold",
                      kind: .tooLarge)
    }
    guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: directory),
          let free = (attributes[.systemFreeSize] as? NSNumber)?.int64Value
    else { return }
    if Int64(bytes) > free {
      throw FileError(path: path, problem: "needs \(bytes) bytes of scores, but \(directory) has \(free) bytes free",
                      kind: .tooLarge)
    }
  }

  /// A row's labels as one text line.
  static func line(_ labels: UnsafeBufferPointer<Int32>) -> [UInt8] {
    var text: [UInt8] = []
    for (i, label) in labels.enumerated() {
      if i > 0 { text.append(UInt8(ascii: " ")) }
      text += String(label).utf8
    }
    text.append(UInt8(ascii: "\n"))
    return text
  }

  /// Makes the scores of `columns` of row `r` into `scores` on `threads`
  /// workers, each its own slice of the columns.
  private func makeColumns(_ columns: Range<Int>, ofRow r: Int, labels: UnsafeBufferPointer<Int32>,
                           scoreType: ScoreType, scores: UnsafeMutableRawBufferPointer, threads: Int) {
    /// Sendable: each worker writes only its own slice of the columns; the labels are read-only.
    struct Shared: @unchecked Sendable {
      let scores: UnsafeMutableRawPointer
      let labels: UnsafeBufferPointer<Int32>
    }
    let shared = Shared(scores: scores.baseAddress!, labels: labels)
    let parts = max(1, min(threads, columns.count / 4096 + 1))
    let generator = self
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      let lower = columns.lowerBound + columns.count * part / parts
      let upper = columns.lowerBound + columns.count * (part + 1) / parts
      guard lower < upper else { return }
      let row = UnsafeMutablePointer<Float>.allocate(capacity: upper - lower)
      defer { row.deallocate() }
      generator.scores(ofRow: r, labels: shared.labels, columns: lower..<upper, into: row)
      Generator.store(row, count: upper - lower, as: scoreType,
                      to: shared.scores + (lower - columns.lowerBound) * scoreType.byteWidth)
    }
  }

  /// Makes the rows of `block` on `threads` workers: scores into `scores`,
  /// dense labels into `denseLabels`, and, if asked, the text lines (one
  /// byte array per worker's slice, in row order); multi-hot bool rows into `multiHot`.
  private func makeBlock(_ block: Range<Int>, scoreType: ScoreType, scores: UnsafeMutableRawBufferPointer,
                         denseLabels: UnsafeMutableBufferPointer<Int64>?, textLabels: Bool,
                         multiHot: UnsafeMutableRawBufferPointer? = nil, threads: Int,
                         rankedIDs: Int? = nil) -> [[UInt8]] {
    /// Sendable: each worker writes only its own slice's rows of the buffers.
    struct Buffers: @unchecked Sendable {
      let scores: UnsafeMutableRawPointer
      let labels: UnsafeMutablePointer<Int64>?
      let multiHot: UnsafeMutablePointer<UInt8>?
    }
    let buffers = Buffers(scores: scores.baseAddress!, labels: denseLabels?.baseAddress,
                          multiHot: multiHot?.baseAddress?.assumingMemoryBound(to: UInt8.self))
    let parts = max(1, min(threads, block.count))
    let lines = WorkerSlots<[UInt8]>(count: parts)
    let generator = self
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      let lower = block.lowerBound + block.count * part / parts
      let upper = block.lowerBound + block.count * (part + 1) / parts
      let row = UnsafeMutablePointer<Float>.allocate(capacity: generator.classes)
      let labels = UnsafeMutablePointer<Int32>.allocate(capacity: generator.labelsPerRow)
      defer {
        row.deallocate()
        labels.deallocate()
      }
      var text: [UInt8] = []
      for r in lower..<upper {
        let local = r - block.lowerBound
        let m = generator.labels(ofRow: r, into: labels)
        generator.scores(ofRow: r, labels: UnsafeBufferPointer(start: labels, count: m), into: row)
        if let k = rankedIDs {
          Generator.storeRankedIDs(row, count: generator.classes, k: k, as: scoreType,
                                   to: (buffers.scores + local * k * 4).assumingMemoryBound(to: Int32.self))
        } else {
          Generator.store(row, count: generator.classes, as: scoreType,
                          to: buffers.scores + local * generator.classes * scoreType.byteWidth)
        }
        if let out = buffers.labels {
          let width = generator.labelsPerRow
          for i in 0..<width { out[local * width + i] = i < m ? Int64(labels[i]) : -1 }
        }
        if let out = buffers.multiHot {
          let flags = out + local * generator.classes
          flags.initialize(repeating: 0, count: generator.classes)
          for i in 0..<m { flags[Int(labels[i])] = 1 }
        }
        if textLabels { text += Generator.line(UnsafeBufferPointer(start: labels, count: m)) }
      }
      if textLabels { lines.store(text, at: part) }
    }
    return textLabels ? lines.values : []
  }

  /// Converts scores (multiples of 1/1024 in [0, 1]) to `type`'s bytes
  /// (exactly, except to bfloat16: see ``bfloat16Bits(_:)``).
  static func store(_ row: UnsafeMutablePointer<Float>, count: Int, as type: ScoreType, to out: UnsafeMutableRawPointer) {
    switch type {
    case .float32:
      out.copyMemory(from: row, byteCount: count * 4)
    case .float64:
      let p = out.assumingMemoryBound(to: Double.self)
      for i in 0..<count { p[i] = Double(row[i]) }
    case .float16:
      let p = out.assumingMemoryBound(to: UInt16.self)
      for i in 0..<count { p[i] = halfBits(row[i]) }
    case .bfloat16:
      let p = out.assumingMemoryBound(to: UInt16.self)
      for i in 0..<count { p[i] = bfloat16Bits(row[i]) }
    }
  }

  /// The bfloat16 bits of a finite `x`, rounded to nearest, ties to even (as
  /// `torch.tensor(x).to(torch.bfloat16)` does): bfloat16 keeps 8 significant
  /// bits, so the generator's multiples of 2^-10 above 1/4 round (more ties).
  @inline(__always)
  static func bfloat16Bits(_ x: Float) -> UInt16 {
    let b = x.bitPattern
    // Adding 0x7FFF plus the kept lowest bit carries into the kept half
    // exactly when the dropped half is above one half, or equal and the kept half odd.
    return UInt16(truncatingIfNeeded: (b &+ 0x7FFF &+ ((b >> 16) & 1)) >> 16)
  }

  /// The `k` classes of a row of scores, best first, ties by the lower class.
  ///
  /// Ranked by the `Float` scores, which are the stored ones: every score is
  /// 0 or a multiple of 2^-10 in (0, 1] (``halfBits(_:)``), exact in every
  /// score type, so the order is the one `top_k` gives on the scores file.
  static func storeRankedIDs(_ row: UnsafeMutablePointer<Float>, count: Int, k: Int, as type: ScoreType,
                             to out: UnsafeMutablePointer<Int32>) {
    var order = Array(0..<Int32(count))
    order.sort { row[Int($0)] > row[Int($1)] || (row[Int($0)] == row[Int($1)] && $0 < $1) }
    for i in 0..<k { out[i] = order[i] }
  }

  /// The float16 bits of `x`, which must be 0 or a multiple of 2^-10 in (0, 1]:
  /// such values are normal float16 numbers with at most 11 significant bits,
  /// so moving the exponent and dropping 13 zero mantissa bits is exact.
  @inline(__always)
  static func halfBits(_ x: Float) -> UInt16 {
    let b = x.bitPattern
    if b == 0 { return 0 }
    let exponent = Int((b >> 23) & 0xFF) - 127 + 15
    return UInt16(exponent << 10) | UInt16((b >> 13) & 0x3FF)
  }

  /// Writes the labels as FAISS's `.ivecs`: per row an int32 count and the
  /// row's labels (rows remade one by one, as for CSR).
  func writeIVecs(to path: String) throws {
    let file = try AtomicOutputFile(path: path)
    let labels = UnsafeMutablePointer<Int32>.allocate(capacity: labelsPerRow)
    defer { labels.deallocate() }
    var words: [Int32] = []
    for r in 0..<rows {
      let m = self.labels(ofRow: r, into: labels)
      words.append(Int32(m).littleEndian)
      for i in 0..<m { words.append(labels[i].littleEndian) }
      if words.count >= 1 << 16 || r == rows - 1 {
        try words.withUnsafeBytes { try file.write(Array($0)) }
        words.removeAll(keepingCapacity: true)
      }
    }
    try file.commit()
  }

  /// Writes the labels as scipy's CSR `.npz`: indices, indptr, format, shape,
  /// data, in that order, stored. Labels are remade row by row (cheap), so
  /// the whole matrix is never in memory.
  func writeCSR(to path: String) throws {
    var nnz = 0
    for r in 0..<rows { nnz += labelCount(ofRow: r) }
    // scipy picks int32 indices unless a value would not fit.
    let wide = max(nnz, classes) > Int(Int32.max)
    let indexType: NPYType = wide ? .int64 : .int32
    let zip = try ZipWriter(path: path)
    let chunk = 1 << 16

    try zip.beginNPYMember(name: "indices.npy", type: indexType, shape: [nnz])
    let labels = UnsafeMutablePointer<Int32>.allocate(capacity: labelsPerRow)
    defer { labels.deallocate() }
    var narrow: [Int32] = []
    var long: [Int64] = []
    for r in 0..<rows {
      let m = self.labels(ofRow: r, into: labels)
      for i in 0..<m {
        if wide { long.append(Int64(labels[i])) } else { narrow.append(labels[i]) }
      }
      if narrow.count + long.count >= chunk || r == rows - 1 {
        try zip.append(contentsOf: narrow)
        try zip.append(contentsOf: long)
        narrow.removeAll(keepingCapacity: true)
        long.removeAll(keepingCapacity: true)
      }
    }
    try zip.endMember()

    try zip.beginNPYMember(name: "indptr.npy", type: indexType, shape: [rows + 1])
    var offset = 0
    for r in 0...rows {
      if wide { long.append(Int64(offset)) } else { narrow.append(Int32(offset)) }
      if r < rows { offset += labelCount(ofRow: r) }
      if narrow.count + long.count >= chunk || r == rows {
        try zip.append(contentsOf: narrow)
        try zip.append(contentsOf: long)
        narrow.removeAll(keepingCapacity: true)
        long.removeAll(keepingCapacity: true)
      }
    }
    try zip.endMember()

    try writeCSRFormatAndShape(to: zip)

    try zip.beginNPYMember(name: "data.npy", type: .float32, shape: [nnz])
    let ones = [Float](repeating: 1, count: chunk)
    var left = nnz
    while left > 0 {
      let n = min(left, chunk)
      try ones.withUnsafeBytes { try zip.append(UnsafeRawBufferPointer(rebasing: $0[0..<(n * 4)])) }
      left -= n
    }
    try zip.endMember()
    try zip.finish()
  }
}

extension Generator {
  /// The `format.npy` (`csr`) and `shape.npy` (`[rows, classes]`) members
  /// every scipy CSR `.npz` the generator writes holds (labels and sparse scores).
  func writeCSRFormatAndShape(to zip: ZipWriter) throws {
    try zip.beginNPYMember(name: "format.npy", descr: "|S3", elementWidth: 3, shape: [])
    try zip.append(contentsOf: Array("csr".utf8))
    try zip.endMember()

    try zip.beginNPYMember(name: "shape.npy", type: .int64, shape: [2])
    try zip.append(contentsOf: [Int64(rows), Int64(classes)])
    try zip.endMember()
  }
}
