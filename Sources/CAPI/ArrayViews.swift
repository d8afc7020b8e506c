import CMAPK
import MAPKShards

/// The element types of `mapk.h`.
enum DType: Int32, CaseIterable {
  case float16 = 1, float32, float64, int32, int64, bool, bfloat16

  var byteWidth: Int {
    switch self {
    case .bool: return 1
    case .float16, .bfloat16: return 2
    case .float32, .int32: return 4
    case .float64, .int64: return 8
    }
  }

  var name: String {
    switch self {
    case .float16: return "float16"
    case .float32: return "float32"
    case .float64: return "float64"
    case .int32: return "int32"
    case .int64: return "int64"
    case .bool: return "bool"
    case .bfloat16: return "bfloat16"
    }
  }
}

/// A caller's `mapk_array`, checked: element type, shape, size, layout and
/// alignment. Nothing is read from `base` here.
struct ArrayView {
  /// The first element; a valid aligned address even for an empty array
  /// (no element is read then).
  let base: UnsafeRawPointer
  let dtype: DType
  let shape: [Int]
  /// The number of elements.
  let count: Int
  /// The bytes of the elements.
  var byteCount: Int { count * dtype.byteWidth }

  /// The most dims an array may have (NumPy's limit is 64 too).
  static let maxRank = 64

  /// Checks `array`, named `name` in messages, whose element type must be one of `allowed`.
  ///
  /// - Throws: ``Failure``: argument for a NULL pointer, a rank out of range or
  ///   an unknown type code; type for a type not allowed; value for a negative
  ///   dim, a size beyond the address space, non-contiguous strides or a
  ///   misaligned address.
  init(_ array: UnsafePointer<mapk_array>?, name: String, allowed: [DType]) throws {
    guard let array else { throw Failure.argument("\(name): NULL array") }
    let a = array.pointee
    guard let dtype = DType(rawValue: a.dtype) else { throw Failure.argument("\(name): unknown dtype code \(a.dtype)") }
    guard allowed.contains(dtype) else {
      let names = allowed.map(\.name)
      let list = names.count <= 2 ? names.joined(separator: " or ")
        : names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
      throw Failure.type("\(name) must be \(list) (found \(dtype.name))")
    }
    guard (0...Self.maxRank).contains(Int(a.ndim)) else {
      throw Failure.argument("\(name): rank \(a.ndim) is not within 0...\(Self.maxRank)")
    }
    let rank = Int(a.ndim)
    guard rank == 0 || a.shape != nil else { throw Failure.argument("\(name): NULL shape for rank \(rank)") }
    var shape: [Int] = []
    var count = 1
    for d in 0..<rank {
      let dim = a.shape![d]
      guard dim >= 0, dim <= Int64(Int.max) else { throw Failure.value("\(name): dim \(d) is negative (\(dim))") }
      shape.append(Int(dim))
      let (product, overflow) = count.multipliedReportingOverflow(by: Int(dim))
      guard !overflow else { throw Failure.value("\(name): shape \(shape) has more elements than can be addressed") }
      count = product
    }
    // The element count cannot overflow, but its bytes might: refuse what no
    // memory could hold before computing any offset from it.
    let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteWidth)
    guard !overflow, bytes <= Int.max / 2 else {
      throw Failure.value("\(name): shape \(shape) is larger than can be addressed")
    }
    if let strides = a.strides, count > 0 {
      // Row-major strides, from the last dim; a dim of size 1 may have any
      // stride (it is never stepped over), as NumPy itself treats it.
      var expected = dtype.byteWidth
      for d in stride(from: rank - 1, through: 0, by: -1) {
        if shape[d] > 1, strides[d] != Int64(expected) {
          throw Failure.value(
            "\(name) is not C-contiguous (strides \((0..<rank).map { strides[$0] }) bytes for shape \(shape)); "
              + "pass a contiguous copy")
        }
        expected *= max(shape[d], 1)
      }
    }
    if count > 0 {
      guard let data = a.data else { throw Failure.argument("\(name): NULL data for \(count) elements") }
      guard Int(bitPattern: data) % dtype.byteWidth == 0 else {
        throw Failure.value("\(name): data at \(data) is not aligned to its \(dtype.byteWidth)-byte elements")
      }
      base = data
    } else {
      // No element is read: any address aligned for every type will do.
      base = UnsafeRawPointer(bitPattern: 64)!
    }
    self.dtype = dtype
    self.shape = shape
    self.count = count
  }
}

/// The predictions of one call: dense scores, ranked ids, or CSR sparse scores.
enum PredictionView {
  case scores(ScoreMatrix)
  case ids(RankedIDs)
  case sparse(SparseScores)
}

/// The inputs of one evaluation, checked against each other, with the
/// memory of any widened offsets or compacted multi-hot labels (owned here,
/// freed with it).
final class InputViews {
  let predictions: PredictionView
  let labels: LabelRows
  /// The classes removed from each row's ranking before the top k, if any (read as labels are).
  let exclusions: LabelRows?
  let weights: RowWeights
  /// The rows' dims `[D1..DN]`.
  let rowShape: [Int]
  /// The predictions' last dim: the classes of scores, the K of ranked ids.
  let width: Int
  /// The bytes of every input array.
  let bytes: Int
  /// int32 offsets widened to int64 (labels, exclusions), if any.
  private var widened: [UnsafeMutableBufferPointer<Int64>] = []
  /// Multi-hot labels or exclusions compacted into offsets and columns, if any (`labels` reads them).
  private var multiHot: [MultiHotLabels] = []

  deinit { for w in widened { w.deallocate() } }

  var rows: Int { labels.rows }

  /// Checks the arrays of one call with scores. The views read the caller's
  /// memory, valid during the call that made them; `threads` compact multi-hot labels.
  convenience init(scores scoresArray: UnsafePointer<mapk_array>?, labels: UnsafePointer<mapk_labels>?,
                   weights: UnsafePointer<mapk_array>?, threads: Int,
                   exclusions: UnsafePointer<mapk_labels>? = nil) throws {
    let s = try ArrayView(scoresArray, name: "predictions", allowed: [.float16, .float32, .float64, .bfloat16])
    guard let classes = s.shape.last else {
      throw Failure.value("predictions must have rank >= 1 ([D1..DN, C]), found a scalar")
    }
    guard classes > 0 else { throw Failure.value("predictions have no classes (shape \(s.shape))") }
    guard classes <= Int(Int32.max) else { throw Failure.value("\(classes) classes exceed the supported 2^31 - 1") }
    let rows = s.count / classes
    let type: ScoreType = s.dtype == .float16 ? .float16 : s.dtype == .float32 ? .float32
      : s.dtype == .bfloat16 ? .bfloat16 : .float64
    try self.init(predictions: .scores(ScoreMatrix(base: s.base, rows: rows, classes: classes, type: type)),
                  shape: s.shape, bytes: s.byteCount, labels: labels, exclusions: exclusions, weights: weights,
                  threads: threads)
  }

  /// Checks the arrays of one call with ranked ids `[D1..DN, K]`, read as `reading` says.
  convenience init(ids idsArray: UnsafePointer<mapk_array>?, reading: RankedIDReading,
                   labels: UnsafePointer<mapk_labels>?, weights: UnsafePointer<mapk_array>?, threads: Int,
                   exclusions: UnsafePointer<mapk_labels>? = nil) throws {
    let a = try ArrayView(idsArray, name: "ranked ids", allowed: [.int32, .int64])
    guard let width = a.shape.last else {
      throw Failure.value("ranked ids must have rank >= 1 ([D1..DN, K]), found a scalar")
    }
    guard width > 0 else { throw Failure.value("ranked ids have no columns (shape \(a.shape))") }
    let rows = a.count / width
    let values: RankedIDs.Values = a.dtype == .int32
      ? .int32(a.base.assumingMemoryBound(to: Int32.self)) : .int64(a.base.assumingMemoryBound(to: Int64.self))
    try self.init(predictions: .ids(RankedIDs(rows: rows, width: width, values: values, reading: reading)),
                  shape: a.shape, bytes: a.byteCount, labels: labels, exclusions: exclusions, weights: weights,
                  threads: threads)
  }

  /// Checks the arrays of one call with CSR sparse scores `[rows, width]`
  /// (`indptr`, `indices`, `data`, each 1-d, read in place).
  convenience init(sparse: UnsafePointer<mapk_sparse_scores>?, labels: UnsafePointer<mapk_labels>?,
                   weights: UnsafePointer<mapk_array>?, threads: Int,
                   exclusions: UnsafePointer<mapk_labels>? = nil) throws {
    guard let sparse else { throw Failure.argument("sparse scores: NULL pointer") }
    var m = sparse.pointee
    let indptr = try withUnsafePointer(to: &m.indptr) { try ArrayView($0, name: "indptr", allowed: [.int32, .int64]) }
    let indices = try withUnsafePointer(to: &m.indices) {
      try ArrayView($0, name: "indices", allowed: [.int32, .int64])
    }
    let data = try withUnsafePointer(to: &m.data) {
      try ArrayView($0, name: "data", allowed: [.float16, .float32, .float64])
    }
    for a in [("indptr", indptr), ("indices", indices), ("data", data)] where a.1.shape.count != 1 {
      throw Failure.value("sparse scores: \(a.0) must be 1-d (shape \(a.1.shape))")
    }
    guard m.rows >= 0, m.rows < Int64(Int32.max) * Int64(Int32.max) else {
      throw Failure.value("sparse scores: rows \(m.rows) out of range")
    }
    guard m.width >= 1, m.width <= Int64(Int32.max) else {
      throw Failure.value("sparse scores: width \(m.width) is not within 1...2^31 - 1")
    }
    let rows = Int(m.rows), width = Int(m.width)
    // The offsets are counted before any is read: SparseScores reads rows + 1 of them.
    guard indptr.count == rows + 1 else {
      throw Failure.value("sparse scores: indptr has \(indptr.count) entries for \(rows) rows (need rows + 1)")
    }
    guard indices.count == data.count else {
      throw Failure.value("sparse scores: \(indices.count) indices for \(data.count) data values")
    }
    func integers(_ a: ArrayView) -> SparseScores.Integers {
      a.dtype == .int32 ? .int32(a.base.assumingMemoryBound(to: Int32.self))
        : .int64(a.base.assumingMemoryBound(to: Int64.self))
    }
    let type: ScoreType = data.dtype == .float16 ? .float16 : data.dtype == .float32 ? .float32 : .float64
    // The view checks every offset (from 0, non-decreasing, ending at nnz) before
    // it reads a column, every column (in 0 ..< width) and repeated columns.
    let scores = try SparseScores(rows: rows, width: width, storedCount: data.count, offsets: integers(indptr),
                                  columns: integers(indices), values: data.base, scoreType: type)
    try self.init(predictions: .sparse(scores), shape: [rows, width],
                  bytes: indptr.byteCount + indices.byteCount + data.byteCount, labels: labels,
                  exclusions: exclusions, weights: weights, threads: threads)
  }

  /// The labels, exclusions and weights for predictions of shape `shape` (`[D1..DN, width]`, width >= 1).
  private init(predictions: PredictionView, shape: [Int], bytes predictionBytes: Int,
               labels labelsPointer: UnsafePointer<mapk_labels>?,
               exclusions exclusionsPointer: UnsafePointer<mapk_labels>?,
               weights weightsArray: UnsafePointer<mapk_array>?, threads: Int) throws {
    self.predictions = predictions
    let rowShape = Array(shape.dropLast())
    width = shape[shape.count - 1]
    self.rowShape = rowShape
    var bytes = predictionBytes
    let scores: Bool
    if case .ids = predictions { scores = false } else { scores = true }

    guard let labelsPointer else { throw Failure.argument("labels: NULL pointer") }
    // Converted memory is freed here if a later input is refused (the object
    // is then never made, so its deinit would not run).
    var owned: [UnsafeMutableBufferPointer<Int64>] = []
    var compacted: [MultiHotLabels] = []
    do {
      let read = try InputViews.labelRows(labelsPointer, name: "labels", scores: scores, shape: shape,
                                          threads: threads)
      owned += [read.widened].compactMap { $0 }
      compacted += [read.multiHot].compactMap { $0 }
      labels = read.rows
      bytes += read.bytes
      if let exclusionsPointer {
        let excluded = try InputViews.labelRows(exclusionsPointer, name: "exclusions", scores: scores, shape: shape,
                                     threads: threads)
        owned += [excluded.widened].compactMap { $0 }
        compacted += [excluded.multiHot].compactMap { $0 }
        exclusions = excluded.rows
        bytes += excluded.bytes
      } else {
        exclusions = nil
      }
      let (w, weightBytes) = try rowWeights(weightsArray, rowShape: rowShape)
      weights = w
      self.bytes = bytes + weightBytes
    } catch {
      for w in owned { w.deallocate() }
      throw error
    }
    widened = owned
    multiHot = compacted
  }

  /// One `mapk_labels` (labels or exclusions, `name` in messages) of the rows
  /// of predictions of shape `shape`, viewed in place, with the memory of
  /// what had to be converted (the caller frees it after the views).
  private static func labelRows(
    _ pointer: UnsafePointer<mapk_labels>, name: String, scores: Bool, shape: [Int], threads: Int
  ) throws -> (rows: LabelRows, bytes: Int, widened: UnsafeMutableBufferPointer<Int64>?, multiHot: MultiHotLabels?) {
    let rowShape = Array(shape.dropLast())
    let rows = rowShape.reduce(1, *)
    let kind = pointer.pointee.kind
    var offsets = pointer.pointee.offsets
    var values = pointer.pointee.values
    let v = try withUnsafePointer(to: &values) {
      try ArrayView($0, name: name, allowed: [.int32, .int64, .bool])
    }
    var bytes = v.byteCount
    // A bool array can only mean multi-hot (as a bool `.npy` for the CLI).
    if Int(kind) == Int(MAPK_LABELS_MULTIHOT) || (Int(kind) == Int(MAPK_LABELS_DENSE) && v.dtype == .bool) {
      // One column per class for scores; for ranked ids any number of
      // columns (the classes are the ids' range, not K).
      let matches = scores ? v.shape == shape : (v.shape.count == shape.count && Array(v.shape.dropLast()) == rowShape)
      guard matches, let columns = v.shape.last, columns > 0 else {
        throw Failure.value(
          "multi-hot \(name) of shape \(v.shape) do not match predictions of shape \(shape) "
            + (scores ? "(one column per class: expected \(shape))"
                      : "(expected [\((rowShape.map(String.init) + ["C"]).joined(separator: ", "))], C >= 1)"))
      }
      let type: NPYType = v.dtype == .bool ? .bool : v.dtype == .int32 ? .int32 : .int64
      do {
        let compact = try MultiHotLabels(memory: v.base, type: type, shape: v.shape, name: name, threads: threads)
        return (compact.rows, bytes, nil, compact)
      } catch let e as FileError {
        // The same checks as for a file, about the caller's array: a value error.
        throw Failure.value(e.description)
      }
    }
    let flat: LabelRows.Values
    switch v.dtype {
    case .int32: flat = .int32(v.base.assumingMemoryBound(to: Int32.self))
    case .int64: flat = .int64(v.base.assumingMemoryBound(to: Int64.self))
    default: throw Failure.type("\(name) must be int32 or int64 (found \(v.dtype.name))")
    }
    switch Int(kind) {
    case Int(MAPK_LABELS_DENSE):
      let width: Int
      if v.shape.count == rowShape.count + 1, Array(v.shape.dropLast()) == rowShape {
        width = v.shape[v.shape.count - 1]
      } else if v.shape == rowShape {
        width = 1
      } else {
        throw Failure.value(
          "\(name) of shape \(v.shape) do not match predictions of shape \(shape) "
            + "(expected [\((rowShape.map(String.init) + ["L"]).joined(separator: ", "))] or \(rowShape))")
      }
      return (LabelRows(rows: rows, offsets: .uniform(width: width), values: flat, semantics: .dense), bytes, nil, nil)
    case Int(MAPK_LABELS_SPARSE):
      guard v.shape.count == 1 else { throw Failure.value("sparse \(name) values must be 1-d (shape \(v.shape))") }
      let o = try withUnsafePointer(to: &offsets) {
        try ArrayView($0, name: "\(name) offsets", allowed: [.int32, .int64])
      }
      guard o.shape == [rows + 1] else {
        throw Failure.value("\(name) offsets of shape \(o.shape) for \(rows) rows (need [\(rows + 1)]: rows + 1)")
      }
      bytes += o.byteCount
      let pointer: UnsafePointer<Int64>
      var widened: UnsafeMutableBufferPointer<Int64>? = nil
      if o.dtype == .int64 {
        pointer = o.base.assumingMemoryBound(to: Int64.self)
      } else {
        // The kernel reads int64 offsets: int32 ones (scipy's usual indptr)
        // are widened into a copy of rows + 1 values, the only copy made.
        let copy = UnsafeMutableBufferPointer<Int64>.allocate(capacity: rows + 1)
        let narrow = o.base.assumingMemoryBound(to: Int32.self)
        for i in 0...rows { copy[i] = Int64(narrow[i]) }
        widened = copy
        pointer = UnsafePointer(copy.baseAddress!)
      }
      let sparse = LabelRows(rows: rows, offsets: .explicit(pointer), values: flat, semantics: .sparse)
      do {
        // Offsets are read before any value: a bad one must never index the values.
        try sparse.validate(valueCount: v.count)
      } catch {
        widened?.deallocate()
        throw error
      }
      return (sparse, bytes, widened, nil)
    default:
      throw Failure.argument(
        "\(name): unknown kind \(kind) (MAPK_LABELS_DENSE, MAPK_LABELS_SPARSE or MAPK_LABELS_MULTIHOT)")
    }
  }

  /// Evaluates the predictions, whichever kind they are, without their exclusions if any.
  func evaluate(_ evaluator: Evaluator, configuration: MAPConfiguration, perRow: PerRowSink?) throws -> MAPState {
    switch predictions {
    case .scores(let scores):
      if let exclusions {
        return try evaluator.evaluate(scores: scores, labels: labels, weights: weights, excluding: exclusions,
                                      configuration: configuration, perRow: perRow)
      }
      return try evaluator.evaluate(scores: scores, labels: labels, weights: weights, configuration: configuration,
                                    perRow: perRow)
    case .ids(let ids):
      return try evaluator.evaluate(ids: ids, labels: labels, weights: weights, excluding: exclusions,
                                    configuration: configuration, perRow: perRow)
    case .sparse(let scores):
      return try evaluator.evaluate(sparseScores: scores, labels: labels, weights: weights, excluding: exclusions,
                                    configuration: configuration, perRow: perRow)
    }
  }
}

/// A caller's weights (NULL: none) for rows of shape `rowShape`, viewed in
/// place, and their bytes.
func rowWeights(_ weightsArray: UnsafePointer<mapk_array>?, rowShape: [Int]) throws -> (RowWeights, Int) {
  guard let weightsArray else { return (.none, 0) }
  let w = try ArrayView(weightsArray, name: "weights", allowed: [.float32, .float64])
  if w.shape.isEmpty {
    let value = w.dtype == .float32 ? Double(w.base.load(as: Float.self)) : w.base.load(as: Double.self)
    return (try .scalar(value), w.byteCount)
  }
  let storage: RowWeights.Storage = w.dtype == .float32
    ? .float32(w.base.assumingMemoryBound(to: Float.self)) : .float64(w.base.assumingMemoryBound(to: Double.self))
  return (try RowWeights(storage: storage, weightShape: w.shape, rowShape: rowShape), w.byteCount)
}

/// A caller's `mapk_id_reading` (NULL: the defaults), checked.
func idReading(_ pointer: UnsafePointer<mapk_id_reading>?) throws -> RankedIDReading {
  guard let pointer else { return RankedIDReading() }
  let r = pointer.pointee
  let duplicates: DuplicateIDPolicy = try Options.choice(r.duplicates, "duplicate-ids policy") ?? .error
  guard r.classes >= 0, r.classes <= Int64(Int32.max) else {
    throw Failure.value("classes must be >= 1, or 0 when not known (got \(r.classes))")
  }
  return RankedIDReading(pad: r.pad, duplicates: duplicates, classes: r.classes == 0 ? nil : Int(r.classes))
}

/// A caller's `mapk_options`, checked, as a configuration and a thread count.
struct Options {
  let configuration: MAPConfiguration
  let threads: Int

  /// The most ks one call takes (each is a column of the per-row output).
  static let maxKs = 1 << 20

  init(_ options: UnsafePointer<mapk_options>?) throws {
    guard let options else { throw Failure.argument("options: NULL pointer") }
    let o = options.pointee
    guard (1...Int64(Self.maxKs)).contains(o.k_count) else {
      throw Failure.value(o.k_count == 0 ? "no k requested" : "k count \(o.k_count) is not within 1...\(Self.maxKs)")
    }
    guard let kPointer = o.ks else { throw Failure.argument("options: NULL ks for \(o.k_count) ks") }
    var ks: [Int] = []
    for i in 0..<Int(o.k_count) {
      guard kPointer[i] <= Int64(Int32.max) else { throw Failure.value("k = \(kPointer[i]) is too large") }
      ks.append(Int(kPointer[i]))
    }
    var metrics: [Metric] = [.averagePrecision]
    if let text = o.metrics {
      let names = try Self.string(text, "metrics").split(separator: ",", omittingEmptySubsequences: false)
        .map { $0.trimmingSpaces }
      metrics = []
      for name in names where !(names.count == 1 && name.isEmpty) {
        guard let metric = Metric(name: name) else {
          throw Failure.value("metric '\(name)' is not one of \(Metric.allCases.map(\.name).joined(separator: "|"))")
        }
        metrics.append(metric)
      }
    }
    let emptyRows: EmptyRowPolicy = try Self.choice(o.empty_rows, "empty-row policy") ?? .nan
    let nanScores: NaNScorePolicy = try Self.choice(o.nan_scores, "NaN policy") ?? .error
    configuration = try MAPConfiguration(ks: ks, metrics: metrics, emptyRows: emptyRows, nanScores: nanScores)
    guard o.threads >= 0, o.threads <= Int64(Int32.max) else {
      throw Failure.value("threads must be >= 1, or 0 for all the CPUs this process may use (got \(o.threads))")
    }
    threads = o.threads == 0 ? Evaluator.activeProcessorCount : Int(o.threads)
  }

  /// The UTF-8 text at `pointer`.
  static func string(_ pointer: UnsafePointer<CChar>, _ what: String) throws -> String {
    guard let s = String(validatingCString: pointer) else { throw Failure.value("\(what): not UTF-8 text") }
    return s
  }

  /// The case of `P` named by the text at `pointer`, or nil for NULL.
  static func choice<P: RawRepresentable & CaseIterable>(_ pointer: UnsafePointer<CChar>?, _ what: String) throws -> P?
  where P.RawValue == String {
    guard let pointer else { return nil }
    let name = try string(pointer, what).trimmingSpaces
    guard let value = P(rawValue: name) else {
      throw Failure.value("\(what) '\(name)' is not one of \(P.allCases.map(\.rawValue).joined(separator: "|"))")
    }
    return value
  }
}

/// The caller's per-row buffer, checked against the rows and pairs.
func perRowSink(_ base: UnsafeMutablePointer<Double>?, capacity: Int64, rows: Int,
                configuration: MAPConfiguration) throws -> PerRowSink? {
  guard let base else { return nil }
  let pairs = configuration.metrics.count * configuration.ks.count
  let (need, overflow) = rows.multipliedReportingOverflow(by: pairs)
  guard !overflow, capacity >= 0, Int64(need) <= capacity else {
    throw Failure.value("the per-row buffer holds \(capacity) values; \(rows) rows × \(pairs) (metric, k) pairs need "
                        + (overflow ? "more" : "\(need)"))
  }
  guard Int(bitPattern: base) % MemoryLayout<Double>.alignment == 0 else {
    throw Failure.value("the per-row buffer is not aligned to 8 bytes")
  }
  return PerRowSink(base: base)
}

extension Substring {
  /// Without leading and trailing spaces.
  var trimmingSpaces: String {
    String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
  }
}

extension String {
  /// Without leading and trailing spaces.
  var trimmingSpaces: String { self[...].trimmingSpaces }
}
