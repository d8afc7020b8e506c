import Foundation
import MAPKShards
import Testing
import TestSupport

/// Sparse score predictions (a scipy CSR `.npz`): each row's stored entries
/// are its candidates. On rows storing at least k entries the value must be
/// the dense one with every missing entry below every stored score (same
/// bits); on shorter rows the missing entries are empty positions, checked
/// against ranked ids sorted in the test; the reader refuses bad layouts
/// with one line naming the file.
@Suite struct SparseScoresTests {
  static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/sparse-scores").path
  func fixture(_ name: String) -> String { Self.fixtures + "/" + name }

  /// A random CSR matrix and the same scores as a dense matrix (missing: -1000).
  struct Matrix {
    var rows: Int
    var width: Int
    var offsets: [Int64] = [0]
    var columns: [Int64] = []
    var values: [Double] = []
    var dense: [Double]

    /// Rows storing `minStored...maxStored` entries each, columns in random order
    /// (`sorted`: ascending), scores quarter steps in [-2, 2] (or (0, 2] when
    /// `positive`), explicit zeros and -0.0 included.
    init(rows: Int, width: Int, stored: ClosedRange<Int>, sorted: Bool, positive: Bool = false,
         using rng: inout SplitMix64) {
      self.rows = rows
      self.width = width
      dense = Array(repeating: -1000, count: rows * width)
      for r in 0..<rows {
        let s = Int.random(in: stored, using: &rng)
        var cols = Array(0..<width).shuffled(using: &rng).prefix(s).map { Int64($0) }
        if sorted { cols.sort() }
        for c in cols {
          var v = positive ? Double(Int.random(in: 1...8, using: &rng)) / 4 : Double(Int.random(in: -8...8, using: &rng)) / 4
          if v == 0 && Bool.random(using: &rng) { v = -0.0 }
          columns.append(c)
          values.append(v)
          dense[r * width + Int(c)] = v
        }
        offsets.append(Int64(columns.count))
      }
    }
  }

  /// Evaluates `m` as sparse scores of `type` (`wide`: int64 indices) and as dense scores.
  func evaluateBoth(_ m: Matrix, type: ScoreType, wide: Bool, labels: Labels, weights: WeightValues,
                    configuration: MAPConfiguration, threads: Int)
    throws -> (sparse: MAPState, dense: MAPState, sparseRows: [Double], denseRows: [Double])
  {
    func bytes(_ values: [Double]) -> [UInt8] {
      switch type {
      case .float16: return NPYBytes.bytes(of: values.map { Float16($0).bitPattern })
      case .float32: return NPYBytes.bytes(of: values.map { Float($0) })
      case .float64: return NPYBytes.bytes(of: values)
      // Truncated to bfloat16 (monotone: the same order, NaN stays NaN), the same on both sides.
      case .bfloat16: return NPYBytes.bytes(of: values.map { UInt16(Float($0).bitPattern >> 16) })
      }
    }
    let sparseBytes = bytes(m.values), denseBytes = bytes(m.dense)
    let offsets32 = m.offsets.map { Int32($0) }, columns32 = m.columns.map { Int32($0) }
    let valueCount = configuration.pairs.count * labels.rows
    var sparseRows = [Double](repeating: 0, count: valueCount), denseRows = sparseRows
    let evaluator = Evaluator(threads: threads, chunkBytes: 256)
    return try weights.withRowWeights(rows: labels.rows) { w in
      try labels.withRows { labelRows in
        try sparseBytes.withUnsafeBytes { values in
          try denseBytes.withUnsafeBytes { denseValues in
            try m.offsets.withUnsafeBufferPointer { o64 in
              try m.columns.withUnsafeBufferPointer { c64 in
                try offsets32.withUnsafeBufferPointer { o32 in
                  try columns32.withUnsafeBufferPointer { c32 in
                    let view = try SparseScores(
                      rows: m.rows, width: m.width, storedCount: m.columns.count,
                      offsets: wide ? .int64(o64.baseAddress!) : .int32(o32.baseAddress!),
                      columns: wide ? .int64(c64.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                        : .int32(c32.baseAddress ?? UnsafePointer(bitPattern: 8)!),
                      values: values.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, scoreType: type)
                    let dense = ScoreMatrix(base: denseValues.baseAddress!, rows: m.rows, classes: m.width, type: type)
                    let s = try sparseRows.withUnsafeMutableBufferPointer { p in
                      try evaluator.evaluate(sparseScores: view, labels: labelRows, weights: w,
                                             configuration: configuration, perRow: PerRowSink(base: p.baseAddress!))
                    }
                    // Without per-row output (and weights) rows are counted by outcome
                    // (`MetricAccumulator`): the same exact sums, so the same bits.
                    let counted = try evaluator.evaluate(sparseScores: view, labels: labelRows, weights: w,
                                                         configuration: configuration)
                    #expect(bits(counted) == bits(s), "sparse scores without per-row output")
                    let d = try denseRows.withUnsafeMutableBufferPointer { p in
                      try evaluator.evaluate(scores: dense, labels: labelRows, weights: w,
                                             configuration: configuration, perRow: PerRowSink(base: p.baseAddress!))
                    }
                    return (s, d, sparseRows, denseRows)
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  func bits(_ s: MAPState) -> [UInt64] {
    s.values.map(\.bitPattern) + s.totals.map { $0.doubleValue.bitPattern } + s.denominators.map { $0.doubleValue.bitPattern }
      + [s.weightSum.doubleValue.bitPattern, UInt64(s.rows), UInt64(s.emptyRows), UInt64(s.nanScores)]
  }

  /// Random label rows: dense (pads, duplicates, labels >= C) or sparse.
  func randomLabels(rows: Int, width: Int, sparse: Bool, using rng: inout SplitMix64) -> Labels {
    let labelRows: [[Int]] = (0..<rows).map { _ in
      (0..<Int.random(in: 0...5, using: &rng)).map { _ in Int.random(in: -1...(width + 2), using: &rng) }
    }
    return sparse ? Labels.sparse(rows: labelRows) : Labels.dense(rows: labelRows)
  }

  @Test(arguments: [ScoreType.float16, .float32, .float64])
  func rowsStoringKEntriesGiveTheDenseBits(type: ScoreType) throws {
    try withEvery(seed: [11, 12, 13, 14] as [UInt64]) { seed, rng in
      let width = Int.random(in: 6...40, using: &rng), rows = Int.random(in: 1...300, using: &rng)
      let maxK = Int.random(in: 1...min(width, 12), using: &rng)
      let m = Matrix(rows: rows, width: width, stored: maxK...width, sorted: seed % 2 == 0, using: &rng)
      let labels = randomLabels(rows: rows, width: width, sparse: seed % 3 == 0, using: &rng)
      let weights: WeightValues = seed % 2 == 1
        ? .perRow((0..<rows).map { _ in Double(Int.random(in: 0...8, using: &rng)) / 8 }) : .none
      for policy in [EmptyRowPolicy.zero, .skip] {
        let configuration = try MAPConfiguration(ks: [1, (maxK + 1) / 2, maxK], metrics: Metric.allCases,
                                                 emptyRows: policy)
        for (threads, wide) in [(1, false), (3, true)] {
          let r = try evaluateBoth(m, type: type, wide: wide, labels: labels, weights: weights,
                                   configuration: configuration, threads: threads)
          #expect(bits(r.sparse) == bits(r.dense), "seed \(seed), \(policy), \(threads) threads")
          #expect(r.sparseRows.map(\.bitPattern) == r.denseRows.map(\.bitPattern), "seed \(seed) per row")
        }
      }
    }
  }

  /// NaN stored entries rank as the policy says, as in the dense row (where
  /// the fill ranks below them only under `largest`: there NaN is above all).
  @Test func storedNaNRanksAsTheDensePathUnderLargest() throws {
    var rng = SplitMix64(seed: 21)
    var m = Matrix(rows: 120, width: 15, stored: 8...15, sorted: true, using: &rng)
    for i in m.values.indices where Int.random(in: 0..<6, using: &rng) == 0 { m.values[i] = .nan }
    for r in 0..<m.rows {
      for i in Int(m.offsets[r])..<Int(m.offsets[r + 1]) { m.dense[r * m.width + Int(m.columns[i])] = m.values[i] }
    }
    let labels = randomLabels(rows: m.rows, width: m.width, sparse: false, using: &rng)
    let configuration = try MAPConfiguration(ks: [1, 4, 8], metrics: Metric.allCases, emptyRows: .zero,
                                             nanScores: .largest)
    for type in ScoreType.allCases {
      let r = try evaluateBoth(m, type: type, wide: false, labels: labels, weights: .none,
                               configuration: configuration, threads: 2)
      #expect(r.sparse.nanScores > 0)
      #expect(bits(r.sparse) == bits(r.dense), "\(type)")
    }
    let refuse = try MAPConfiguration(ks: [1, 4, 8])
    #expect(throws: MAPKError.self) {
      _ = try evaluateBoth(m, type: .float32, wide: false, labels: labels, weights: .none, configuration: refuse,
                           threads: 2)
    }
  }

  /// Rows storing fewer than k entries: the positions after them are empty.
  /// The reference ranks the stored entries in the test (score descending,
  /// lower column first) and pads the list with -1, evaluated as ranked ids.
  @Test func shortRowsHaveEmptyPositions() throws {
    try withEvery(seed: [31, 32, 33] as [UInt64]) { seed, rng in
      let width = Int.random(in: 5...30, using: &rng), rows = 150
      let maxK = Int.random(in: 2...width, using: &rng)
      // Positive scores: torchmetrics' rule (hits above 0) agrees with ranked ids' (every hit).
      let m = Matrix(rows: rows, width: width, stored: 0...width, sorted: false, positive: true, using: &rng)
      let labels = randomLabels(rows: rows, width: width, sparse: seed == 32, using: &rng)
      var ids: [Int64] = []
      for r in 0..<rows {
        let entries = (Int(m.offsets[r])..<Int(m.offsets[r + 1])).map { (column: m.columns[$0], score: m.values[$0]) }
        let ranked = entries.sorted { $0.score != $1.score ? $0.score > $1.score : $0.column < $1.column }
        let top = ranked.prefix(maxK).map(\.column)
        ids += top + Array(repeating: -1, count: maxK - top.count)
      }
      let configuration = try MAPConfiguration(ks: [1, maxK], metrics: Metric.allCases, emptyRows: .zero)
      let r = try evaluateBoth(m, type: .float32, wide: true, labels: labels, weights: .none,
                               configuration: configuration, threads: 2)
      let reference = try Evaluator(threads: 1).evaluate(
        ids: ids, width: maxK, labels: labels, reading: RankedIDReading(classes: width), configuration: configuration)
      #expect(r.sparse.values.map(\.bitPattern) == reference.values.map(\.bitPattern), "seed \(seed)")
    }
  }

  /// scipy's own files (`Scripts/oracle/sparse_scores_cases.py`): every dtype,
  /// int32 and int64 indices, deflated and stored, unsorted columns; the
  /// same bits as the dense `.npy` beside them, for any threads and shards.
  @Test(arguments: ["float16", "float32", "float64"])
  func scipyFilesGiveTheDenseBits(dtype: String) throws {
    let configuration = try MAPConfiguration(ks: [1, 3, 7], metrics: Metric.allCases, emptyRows: .zero)
    func state(_ predictions: String, threads: Int, chunkBytes: Int = 4 << 20) throws -> MAPState {
      let inputs = try EvaluationInputs(predictions: fixture(predictions), labels: fixture("labels.npy"))
      return try Evaluator(threads: threads, chunkBytes: chunkBytes).evaluate(inputs, configuration: configuration)
    }
    let reference = bits(try state("dense_\(dtype).npy", threads: 1))
    var names = ["csr_\(dtype).npz", "csr_\(dtype)_stored.npz", "csr_\(dtype)_int64.npz"]
    if dtype == "float32" { names.append("csr_float32_unsorted.npz") }
    for name in names {
      let inputs = try EvaluationInputs(predictions: fixture(name), labels: fixture("labels.npy"))
      #expect(inputs.predictions.kind == .sparseScores && inputs.classes == 29 && inputs.rowShape == [41])
      for (threads, chunk) in [(1, 4 << 20), (2, 64), (5, 200)] {
        #expect(bits(try state(name, threads: threads, chunkBytes: chunk)) == reference, "\(name) \(threads)")
      }
      // Shards: any split of the rows merges to the same bits.
      for cut in [1, 17, 40] {
        var total = try Evaluator(threads: 2).evaluate(inputs, configuration: configuration, rows: 0..<cut)
        try total.merge(try Evaluator(threads: 3).evaluate(inputs, configuration: configuration, rows: cut..<41))
        #expect(bits(total) == reference, "\(name) split at \(cut)")
      }
    }
  }

  // MARK: Bad files

  /// An `.npz` of the CSR members with some replaced.
  func archive(_ dir: TemporaryDirectory, _ name: String, indptr: [Int64] = [0, 2, 3], indices: [Int64] = [0, 2, 1],
               data: [Double] = [0.5, 0.25, 1], shape: [Int64] = [2, 3], format: String = "csr",
               indicesDescr: String = "<i8", dataDescr: String = "<f8") -> String {
    func npy<T>(_ values: [T], _ descr: String, _ shape: [Int]) -> [UInt8] {
      NPYBytes.file(descr: descr, shape: shape, payload: NPYBytes.bytes(of: values))
    }
    let indexBytes = indicesDescr == "<i4" ? npy(indices.map { Int32($0) }, "<i4", [indices.count])
      : npy(indices, indicesDescr, [indices.count])
    let dataBytes = dataDescr == "<f4" ? npy(data.map { Float($0) }, "<f4", [data.count])
      : dataDescr == "<i8" ? npy(data.map { Int64($0) }, "<i8", [data.count]) : npy(data, "<f8", [data.count])
    let formatBytes = NPYBytes.file(descr: "|S\(format.utf8.count)", shape: [], payload: Array(format.utf8))
    let zip = TestZip(members: [
      .init("indices.npy", indexBytes), .init("indptr.npy", npy(indptr, "<i8", [indptr.count])),
      .init("format.npy", formatBytes), .init("shape.npy", npy(shape, "<i8", [2])), .init("data.npy", dataBytes),
    ])
    let path = dir.file(name)
    _ = FileManager.default.createFile(atPath: path, contents: Data(zip.bytes()))
    return path
  }

  func problem(_ path: String) -> String? {
    do {
      _ = try PredictionSource.read(path: path)
      return nil
    } catch let e as FileError { return e.description } catch { return "\(error)" }
  }

  @Test func badLayoutsAreRefusedNamingTheFile() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let good = archive(dir, "good.npz")
    #expect(problem(good) == nil)
    let source = try PredictionSource.read(path: good)
    #expect(source.kind == .sparseScores && source.width == 3 && source.rowShape == [2])
    #expect(try PredictionSource.read(path: archive(dir, "i4.npz", indicesDescr: "<i4", dataDescr: "<f4")).width == 3)
    let cases: [(String, String)] = [
      (archive(dir, "decreasing.npz", indptr: [0, 3, 2], indices: [0, 1, 2], data: [1, 1, 1]),
       "indptr decreases at row 1 (3 then 2)"),
      (archive(dir, "short.npz", indptr: [0, 1, 2]), "indptr ends at 2, not at the 3 stored entries"),
      (archive(dir, "start.npz", indptr: [1, 2, 3]), "indptr must start at 0 (found 1)"),
      (archive(dir, "outside.npz", indices: [0, 3, 1]), "column 3 at entry 1 (row 0) is outside the 3 columns"),
      (archive(dir, "negative.npz", indices: [0, 2, -1]), "column -1 at entry 2 (row 1) is outside the 3 columns"),
      (archive(dir, "twice.npz", indptr: [0, 3, 3], indices: [2, 0, 2]),
       "row 0 stores column 2 more than once (sum duplicates with m.sum_duplicates())"),
      (archive(dir, "csc.npz", format: "csc"), "sparse scores must be a CSR matrix (found 'csc'): convert with m.tocsr()"),
      (archive(dir, "intdata.npz", dataDescr: "<i8"),
       "member data.npy holds <i8: sparse scores must be float16, float32 or float64"),
      (archive(dir, "fdata.npz", indicesDescr: "<f8"), "member indices.npy must be int32 or int64 (found <f8)"),
      (archive(dir, "width0.npz", indptr: [0, 0, 0], indices: [], data: [], shape: [2, 0]),
       "the matrix has no columns (shape [2, 0]): no k can be ranked"),
    ]
    for (path, message) in cases {
      let got = problem(path)
      #expect(got == path + ": " + message, "\(path)")
      #expect(got?.contains("\n") == false)
    }
    // Sizes that disagree are refused from the headers (the reader shared with CSR labels).
    for path in [archive(dir, "rows.npz", shape: [3, 3]), archive(dir, "data.npz", data: [1, 2])] {
      #expect(problem(path)?.hasPrefix(path + ": ") == true, "\(path)")
    }
  }
}
