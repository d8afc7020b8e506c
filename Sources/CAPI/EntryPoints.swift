import CMAPK
import MAPKShards

// The C entry points of `mapk.h`, one `@_cdecl` function each. Every one that
// can fail runs its body in `guarded`, which catches every error; the checks
// in `ArrayViews.swift` run before any caller memory is read, so that nothing
// the library would trap on (a misaligned or NULL pointer, a size that
// overflows, offsets out of range) ever reaches it.

// MARK: - Library

/// `mapk_abi_version`.
@_cdecl("mapk_abi_version")
public func cABIVersion() -> Int32 { Int32(MAPK_ABI_VERSION) }

nonisolated(unsafe) private let metricNames = cString(Metric.allCases.map(\.name).joined(separator: ","))
nonisolated(unsafe) private let emptyRowPolicies = cString(EmptyRowPolicy.allCases.map(\.rawValue).joined(separator: ","))
nonisolated(unsafe) private let nanPolicies = cString(NaNScorePolicy.allCases.map(\.rawValue).joined(separator: ","))

/// `mapk_metric_names`.
@_cdecl("mapk_metric_names")
public func cMetricNames() -> UnsafePointer<CChar> { UnsafePointer(metricNames) }

/// `mapk_empty_row_policies`.
@_cdecl("mapk_empty_row_policies")
public func cEmptyRowPolicies() -> UnsafePointer<CChar> { UnsafePointer(emptyRowPolicies) }

/// `mapk_nan_policies`.
@_cdecl("mapk_nan_policies")
public func cNaNPolicies() -> UnsafePointer<CChar> { UnsafePointer(nanPolicies) }

/// `mapk_default_threads`.
@_cdecl("mapk_default_threads")
public func cDefaultThreads() -> Int64 { Int64(Evaluator.activeProcessorCount) }

// MARK: - Evaluation of arrays in memory

/// `mapk_pair_count`.
@_cdecl("mapk_pair_count")
public func cPairCount(_ options: UnsafePointer<mapk_options>?, _ count: UnsafeMutablePointer<Int64>?,
                       _ error: UnsafeMutablePointer<mapk_error>?) -> Int32 {
  guarded(error) {
    let o = try Options(options)
    guard let count else { throw Failure.argument("NULL pointer for the count") }
    count.pointee = Int64(o.configuration.metrics.count * o.configuration.ks.count)
  }
}

/// `mapk_evaluate`.
@_cdecl("mapk_evaluate")
public func cEvaluate(
  _ scores: UnsafePointer<mapk_array>?, _ labels: UnsafePointer<mapk_labels>?, _ weights: UnsafePointer<mapk_array>?,
  _ options: UnsafePointer<mapk_options>?, _ perRow: UnsafeMutablePointer<Double>?, _ perRowCapacity: Int64,
  _ result: UnsafeMutablePointer<OpaquePointer?>?, _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  // The version-2 call: mapk_evaluate_excluding with no exclusions.
  cEvaluateExcluding(scores, labels, nil, weights, options, perRow, perRowCapacity, result, error)
}

/// `mapk_evaluate_ids`.
@_cdecl("mapk_evaluate_ids")
public func cEvaluateIDs(
  _ ids: UnsafePointer<mapk_array>?, _ reading: UnsafePointer<mapk_id_reading>?, _ labels: UnsafePointer<mapk_labels>?,
  _ weights: UnsafePointer<mapk_array>?, _ options: UnsafePointer<mapk_options>?,
  _ perRow: UnsafeMutablePointer<Double>?, _ perRowCapacity: Int64, _ result: UnsafeMutablePointer<OpaquePointer?>?,
  _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  // The version-2 call: mapk_evaluate_ids_excluding with no exclusions.
  cEvaluateIDsExcluding(ids, reading, labels, nil, weights, options, perRow, perRowCapacity, result, error)
}

/// `mapk_evaluate_excluding`.
@_cdecl("mapk_evaluate_excluding")
public func cEvaluateExcluding(
  _ scores: UnsafePointer<mapk_array>?, _ labels: UnsafePointer<mapk_labels>?, _ exclude: UnsafePointer<mapk_labels>?,
  _ weights: UnsafePointer<mapk_array>?, _ options: UnsafePointer<mapk_options>?,
  _ perRow: UnsafeMutablePointer<Double>?, _ perRowCapacity: Int64, _ result: UnsafeMutablePointer<OpaquePointer?>?,
  _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) {
    let clock = Stopwatch()
    guard result != nil else { throw Failure.argument("NULL pointer for the result handle") }
    let o = try Options(options)
    let inputs = try InputViews(scores: scores, labels: labels, weights: weights, threads: o.threads,
                                exclusions: exclude)
    try evaluate(inputs, options: o, perRow: perRow, capacity: perRowCapacity, clock: clock, result: result)
  }
}

/// `mapk_evaluate_ids_excluding`.
@_cdecl("mapk_evaluate_ids_excluding")
public func cEvaluateIDsExcluding(
  _ ids: UnsafePointer<mapk_array>?, _ reading: UnsafePointer<mapk_id_reading>?, _ labels: UnsafePointer<mapk_labels>?,
  _ exclude: UnsafePointer<mapk_labels>?, _ weights: UnsafePointer<mapk_array>?,
  _ options: UnsafePointer<mapk_options>?, _ perRow: UnsafeMutablePointer<Double>?, _ perRowCapacity: Int64,
  _ result: UnsafeMutablePointer<OpaquePointer?>?, _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) {
    let clock = Stopwatch()
    guard result != nil else { throw Failure.argument("NULL pointer for the result handle") }
    let o = try Options(options)
    let inputs = try InputViews(ids: ids, reading: try idReading(reading), labels: labels, weights: weights,
                                threads: o.threads, exclusions: exclude)
    try evaluate(inputs, options: o, perRow: perRow, capacity: perRowCapacity, clock: clock, result: result)
  }
}

/// `mapk_evaluate_sparse`.
@_cdecl("mapk_evaluate_sparse")
public func cEvaluateSparse(
  _ scores: UnsafePointer<mapk_sparse_scores>?, _ labels: UnsafePointer<mapk_labels>?,
  _ exclude: UnsafePointer<mapk_labels>?, _ weights: UnsafePointer<mapk_array>?,
  _ options: UnsafePointer<mapk_options>?, _ perRow: UnsafeMutablePointer<Double>?, _ perRowCapacity: Int64,
  _ result: UnsafeMutablePointer<OpaquePointer?>?, _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) {
    let clock = Stopwatch()
    guard result != nil else { throw Failure.argument("NULL pointer for the result handle") }
    let o = try Options(options)
    let inputs = try InputViews(sparse: scores, labels: labels, weights: weights, threads: o.threads,
                                exclusions: exclude)
    try evaluate(inputs, options: o, perRow: perRow, capacity: perRowCapacity, clock: clock, result: result)
  }
}

/// One evaluation of checked inputs into a new result handle.
private func evaluate(_ inputs: InputViews, options o: Options, perRow: UnsafeMutablePointer<Double>?, capacity: Int64,
                      clock: Stopwatch, result: UnsafeMutablePointer<OpaquePointer?>?) throws {
  let sink = try perRowSink(perRow, capacity: capacity, rows: inputs.rows, configuration: o.configuration)
  let state = try inputs.evaluate(Evaluator(threads: o.threads), configuration: o.configuration, perRow: sink)
  try Handle.store(ResultBox(state: state, classes: inputs.width, threads: o.threads, bytes: inputs.bytes,
                             seconds: clock.seconds), in: result)
}

// MARK: - Library conventions (`--like`)

nonisolated(unsafe) private let conventionNames = cString(MetricConvention.allCases.map(\.name).joined(separator: ","))
nonisolated(unsafe) private let conventionMetrics = MetricConvention.allCases.map {
  cString($0.metrics.map(\.name).joined(separator: ","))
}
nonisolated(unsafe) private let conventionEmptyRows = MetricConvention.allCases.map { cString($0.emptyRows.rawValue) }

/// `mapk_conventions`.
@_cdecl("mapk_conventions")
public func cConventions() -> UnsafePointer<CChar> { UnsafePointer(conventionNames) }

/// `mapk_convention`.
@_cdecl("mapk_convention")
public func cConvention(
  _ name: UnsafePointer<CChar>?, _ metrics: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
  _ emptyRows: UnsafeMutablePointer<UnsafePointer<CChar>?>?, _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) {
    guard name != nil else { throw Failure.argument("NULL convention name") }
    let convention: MetricConvention = try Options.choice(name, "library convention")!
    let i = MetricConvention.allCases.firstIndex(of: convention)!
    metrics?.pointee = UnsafePointer(conventionMetrics[i])
    emptyRows?.pointee = UnsafePointer(conventionEmptyRows[i])
  }
}

/// `mapk_convention_metric_name`.
@_cdecl("mapk_convention_metric_name")
public func cConventionMetricName(_ convention: UnsafePointer<CChar>?, _ metric: UnsafePointer<CChar>?, _ k: Int64,
                                  _ out: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int64 {
  guard let convention, let metric, let c = String(validatingCString: convention).flatMap(MetricConvention.init),
        let m = String(validatingCString: metric).flatMap(Metric.init(name:)), k >= 1, k <= Int64(Int32.max),
        let name = c.libraryName(m, k: Int(k)) else { return 0 }
  let bytes = Array(name.utf8)
  if let out, capacity > Int64(bytes.count) {
    for (i, b) in bytes.enumerated() { out[i] = CChar(bitPattern: b) }
    out[bytes.count] = 0
  }
  return Int64(bytes.count)
}

// MARK: - Results

private func resultBox(_ r: OpaquePointer?) -> ResultBox? { Handle.get(r, as: ResultBox.self) }

/// `mapk_result_rows`.
@_cdecl("mapk_result_rows")
public func cResultRows(_ r: OpaquePointer?) -> Int64 { Int64(resultBox(r)?.state.rows ?? 0) }

/// `mapk_result_classes`.
@_cdecl("mapk_result_classes")
public func cResultClasses(_ r: OpaquePointer?) -> Int64 { Int64(resultBox(r)?.classes ?? 0) }

/// `mapk_result_threads`.
@_cdecl("mapk_result_threads")
public func cResultThreads(_ r: OpaquePointer?) -> Int64 { Int64(resultBox(r)?.threads ?? 0) }

/// `mapk_result_empty_rows`.
@_cdecl("mapk_result_empty_rows")
public func cResultEmptyRows(_ r: OpaquePointer?) -> Int64 { Int64(resultBox(r)?.state.emptyRows ?? 0) }

/// `mapk_result_nan_scores`.
@_cdecl("mapk_result_nan_scores")
public func cResultNaNScores(_ r: OpaquePointer?) -> Int64 { Int64(resultBox(r)?.state.nanScores ?? 0) }

/// `mapk_result_bytes`.
@_cdecl("mapk_result_bytes")
public func cResultBytes(_ r: OpaquePointer?) -> Int64 { Int64(resultBox(r)?.bytes ?? 0) }

/// `mapk_result_seconds`.
@_cdecl("mapk_result_seconds")
public func cResultSeconds(_ r: OpaquePointer?) -> Double { resultBox(r)?.seconds ?? 0 }

/// `mapk_result_empty_rows_policy`.
@_cdecl("mapk_result_empty_rows_policy")
public func cResultEmptyRowsPolicy(_ r: OpaquePointer?) -> UnsafePointer<CChar>? {
  resultBox(r).map { UnsafePointer($0.emptyRowsPolicy) }
}

/// `mapk_result_nan_policy`.
@_cdecl("mapk_result_nan_policy")
public func cResultNaNPolicy(_ r: OpaquePointer?) -> UnsafePointer<CChar>? {
  resultBox(r).map { UnsafePointer($0.nanPolicy) }
}

/// `mapk_result_count`.
@_cdecl("mapk_result_count")
public func cResultCount(_ r: OpaquePointer?) -> Int64 { Int64(resultBox(r)?.results.count ?? 0) }

/// `mapk_result_metric`.
@_cdecl("mapk_result_metric")
public func cResultMetric(_ r: OpaquePointer?, _ i: Int64) -> UnsafePointer<CChar>? {
  guard let box = resultBox(r), box.result(i) != nil else { return nil }
  return UnsafePointer(box.metricNames[Int(i)])
}

/// `mapk_result_k`.
@_cdecl("mapk_result_k")
public func cResultK(_ r: OpaquePointer?, _ i: Int64) -> Int64 { Int64(resultBox(r)?.result(i)?.k ?? 0) }

/// `mapk_result_value`.
@_cdecl("mapk_result_value")
public func cResultValue(_ r: OpaquePointer?, _ i: Int64) -> Double { resultBox(r)?.result(i)?.value ?? .nan }

/// `mapk_result_total`.
@_cdecl("mapk_result_total")
public func cResultTotal(_ r: OpaquePointer?, _ i: Int64) -> Double { resultBox(r)?.result(i)?.total ?? .nan }

/// `mapk_result_max`.
@_cdecl("mapk_result_max")
public func cResultMax(_ r: OpaquePointer?, _ i: Int64) -> Double { resultBox(r)?.result(i)?.max ?? .nan }

/// `mapk_result_ci_level`.
@_cdecl("mapk_result_ci_level")
public func cResultCILevel(_ r: OpaquePointer?) -> Double { resultBox(r)?.interval?.level ?? .nan }

/// `mapk_result_interval`.
@_cdecl("mapk_result_interval")
public func cResultInterval(_ r: OpaquePointer?, _ i: Int64, _ lower: UnsafeMutablePointer<Double>?,
                            _ upper: UnsafeMutablePointer<Double>?) -> Int32 {
  guard let bounds = resultBox(r)?.interval?.bounds, i >= 0, i < Int64(bounds.count), let lower, let upper else {
    return 0
  }
  lower.pointee = bounds[Int(i)].lower
  upper.pointee = bounds[Int(i)].upper
  return 1
}

/// `mapk_result_pooled`.
@_cdecl("mapk_result_pooled")
public func cResultPooled(_ r: OpaquePointer?, _ i: Int64) -> Int32 {
  resultBox(r)?.result(i)?.metric.aggregation == .pooled ? 1 : 0
}

/// `mapk_result_free`.
@_cdecl("mapk_result_free")
public func cResultFree(_ r: OpaquePointer?) { Handle.free(r, as: ResultBox.self) }

// MARK: - Files

/// `mapk_files_open`.
@_cdecl("mapk_files_open")
public func cFilesOpen(
  _ predictions: UnsafePointer<CChar>?, _ labels: UnsafePointer<CChar>?, _ weights: UnsafePointer<CChar>?,
  _ labelFormat: UnsafePointer<CChar>?, _ threads: Int64, _ files: UnsafeMutablePointer<OpaquePointer?>?,
  _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) { try openFiles(predictions, labels, weights, labelFormat, nil, threads, files) }
}

/// `mapk_files_open_excluding`.
@_cdecl("mapk_files_open_excluding")
public func cFilesOpenExcluding(
  _ predictions: UnsafePointer<CChar>?, _ labels: UnsafePointer<CChar>?, _ weights: UnsafePointer<CChar>?,
  _ labelFormat: UnsafePointer<CChar>?, _ exclude: UnsafePointer<CChar>?, _ reading: UnsafePointer<mapk_id_reading>?,
  _ threads: Int64, _ files: UnsafeMutablePointer<OpaquePointer?>?, _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) { try openFiles(predictions, labels, weights, labelFormat, reading, threads, files, exclude: exclude) }
}

/// `mapk_files_open_ids`.
@_cdecl("mapk_files_open_ids")
public func cFilesOpenIDs(
  _ predictions: UnsafePointer<CChar>?, _ labels: UnsafePointer<CChar>?, _ weights: UnsafePointer<CChar>?,
  _ labelFormat: UnsafePointer<CChar>?, _ reading: UnsafePointer<mapk_id_reading>?, _ threads: Int64,
  _ files: UnsafeMutablePointer<OpaquePointer?>?, _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) {
    guard reading != nil else { throw Failure.argument("NULL ranked-id reading") }
    try openFiles(predictions, labels, weights, labelFormat, reading, threads, files)
  }
}

/// Opens the files; a `reading` (ranked ids) is refused for a scores file, as the CLI refuses `--pad-id` there.
private func openFiles(
  _ predictions: UnsafePointer<CChar>?, _ labels: UnsafePointer<CChar>?, _ weights: UnsafePointer<CChar>?,
  _ labelFormat: UnsafePointer<CChar>?, _ reading: UnsafePointer<mapk_id_reading>?, _ threads: Int64,
  _ files: UnsafeMutablePointer<OpaquePointer?>?, exclude: UnsafePointer<CChar>? = nil
) throws {
  let clock = Stopwatch()
  guard files != nil else { throw Failure.argument("NULL pointer for the files handle") }
  guard let predictions, let labels else { throw Failure.argument("NULL predictions or labels path") }
  guard threads >= 0, threads <= Int64(Int32.max) else {
    throw Failure.value("threads must be >= 1, or 0 for all the CPUs this process may use (got \(threads))")
  }
  let format: LabelFormat? = try Options.choice(labelFormat, "label format")
  let workers = threads == 0 ? Evaluator.activeProcessorCount : Int(threads)
  let path = try Options.string(predictions, "predictions path")
  let inputs = try EvaluationInputs(
    predictions: path, labels: try Options.string(labels, "labels path"),
    weights: try weights.map { try Options.string($0, "weights path") }, labelFormat: format, threads: workers,
    rankedIDs: try idReading(reading), exclude: try exclude.map { try Options.string($0, "exclusions path") })
  if reading != nil, inputs.rankedIDs == nil {
    throw Failure.value("a ranked-id reading (pad id, duplicate ids, classes) applies to ranked-id predictions, "
                        + "and \(path) holds scores")
  }
  try Handle.store(FilesBox(inputs: inputs, openSeconds: clock.seconds, threads: workers), in: files)
}

private func filesBox(_ f: OpaquePointer?) -> FilesBox? { Handle.get(f, as: FilesBox.self) }

/// `mapk_files_rows`.
@_cdecl("mapk_files_rows")
public func cFilesRows(_ f: OpaquePointer?) -> Int64 { Int64(filesBox(f)?.inputs.rows ?? 0) }

/// `mapk_files_classes`.
@_cdecl("mapk_files_classes")
public func cFilesClasses(_ f: OpaquePointer?) -> Int64 { Int64(filesBox(f)?.inputs.classes ?? 0) }

/// `mapk_files_row_rank`.
@_cdecl("mapk_files_row_rank")
public func cFilesRowRank(_ f: OpaquePointer?) -> Int32 { Int32(filesBox(f)?.inputs.rowShape.count ?? 0) }

/// `mapk_files_row_dim`.
@_cdecl("mapk_files_row_dim")
public func cFilesRowDim(_ f: OpaquePointer?, _ i: Int32) -> Int64 {
  guard let shape = filesBox(f)?.inputs.rowShape, i >= 0, Int(i) < shape.count else { return 0 }
  return Int64(shape[Int(i)])
}

/// `mapk_files_evaluate`.
@_cdecl("mapk_files_evaluate")
public func cFilesEvaluate(
  _ f: OpaquePointer?, _ options: UnsafePointer<mapk_options>?, _ perRow: UnsafeMutablePointer<Double>?,
  _ perRowCapacity: Int64, _ result: UnsafeMutablePointer<OpaquePointer?>?, _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) {
    let clock = Stopwatch()
    guard let box = filesBox(f) else { throw Failure.argument("NULL files handle") }
    guard result != nil else { throw Failure.argument("NULL pointer for the result handle") }
    let o = try Options(options)
    let inputs = box.inputs
    let sink = try perRowSink(perRow, capacity: perRowCapacity, rows: inputs.rows, configuration: o.configuration)
    let state = try aboutFiles(inputs) {
      try Evaluator(threads: o.threads).evaluate(inputs, configuration: o.configuration, perRow: sink)
    }
    try inputs.checkUnchanged()
    try Handle.store(ResultBox(state: state, classes: inputs.classes, threads: o.threads, bytes: inputs.byteCount,
                               seconds: box.openSeconds + clock.seconds), in: result)
  }
}

/// Runs `body`, reporting a kernel error as the CLI does: about the
/// predictions file (k, NaN, bad ids) or the labels file.
private func aboutFiles<T>(_ inputs: EvaluationInputs, _ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as MAPKError {
    let aboutScores: Bool
    switch error {
    case .kAboveClasses, .nanScore, .duplicateID, .invalidID: aboutScores = true
    default: aboutScores = false
    }
    throw FileError(path: aboutScores ? inputs.predictionsPath : inputs.labelsPath, error)
  }
}

/// `mapk_files_evaluate_ci`: as `mapk eval --ci`, the rows' values go
/// through the bootstrap in blocks (the CLI's `EvalPass`), the counts keyed
/// by each row's index in the files, so the bounds have the CLI's bits.
@_cdecl("mapk_files_evaluate_ci")
public func cFilesEvaluateCI(
  _ f: OpaquePointer?, _ options: UnsafePointer<mapk_options>?, _ level: Double, _ replicates: Int64, _ seed: UInt64,
  _ perRow: UnsafeMutablePointer<Double>?, _ perRowCapacity: Int64, _ result: UnsafeMutablePointer<OpaquePointer?>?,
  _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) {
    let clock = Stopwatch()
    guard let box = filesBox(f) else { throw Failure.argument("NULL files handle") }
    guard result != nil else { throw Failure.argument("NULL pointer for the result handle") }
    let o = try Options(options)
    let request = try IntervalRequest(level: level, replicates: replicates, seed: seed, configuration: o.configuration)
    let inputs = box.inputs
    let configuration = o.configuration
    let evaluator = Evaluator(threads: o.threads)
    let pairs = configuration.pairs.count
    var bootstrap = request.bootstrap(configuration)
    var state = MAPState(configuration: configuration)
    // A pooled metric's bootstrap takes its rows' (hits, n), which the sink
    // gives beside the ratios (`parts`: numerators, then denominators, each
    // of the values' layout), as the CLI's pass feeds it.
    let pooled = bootstrap.pooled.contains(true)
    let caller = try perRowSink(perRow, capacity: perRowCapacity, rows: inputs.rows, configuration: configuration)
    // Blocks of at most 32 MiB of values, as the CLI's pass: bounded memory for
    // any rows; one block of all the rows into the caller's buffer if given.
    let blockRows = caller == nil ? max(1, (32 << 20) / (8 * pairs)) : max(1, inputs.rows)
    let capacity = min(blockRows, max(1, inputs.rows)) * pairs
    let buffer = caller == nil ? UnsafeMutableBufferPointer<Double>.allocate(capacity: capacity) : nil
    defer { buffer?.deallocate() }
    let parts = pooled ? UnsafeMutableBufferPointer<Double>.allocate(capacity: 2 * capacity) : nil
    defer { parts?.deallocate() }
    let base = caller?.base ?? buffer!.baseAddress!
    var lower = 0
    while lower < inputs.rows {
      let rows = lower..<min(lower + blockRows, inputs.rows)
      // The caller's buffer holds every row at its own index; ours one block.
      let at = caller == nil ? base : base + rows.lowerBound * pairs
      let sink = parts.map {
        PerRowSink(base: at, firstRow: rows.lowerBound, numerators: $0.baseAddress!,
                   denominators: $0.baseAddress! + capacity)
      } ?? PerRowSink(base: at, firstRow: rows.lowerBound)
      // Blocks run in row order, each stopping at its lowest bad row: the
      // first error is the lowest bad row of the files, as in one call.
      try state.merge(aboutFiles(inputs) {
        try evaluator.evaluate(inputs, configuration: configuration, rows: rows, perRow: sink)
      })
      let values = UnsafeBufferPointer(start: at, count: rows.count * pairs)
      if let parts {
        bootstrap.add(evaluated: values, numerators: UnsafeBufferPointer(rebasing: parts[0..<values.count]),
                      denominators: UnsafeBufferPointer(rebasing: parts[capacity..<(capacity + values.count)]),
                      weights: inputs.weights, firstRow: rows.lowerBound, threads: o.threads)
      } else {
        bootstrap.add(evaluated: values, weights: inputs.weights, firstRow: rows.lowerBound, threads: o.threads)
      }
      lower = rows.upperBound
    }
    try inputs.checkUnchanged()
    let out = ResultBox(state: state, classes: inputs.classes, threads: o.threads, bytes: inputs.byteCount,
                        seconds: box.openSeconds + clock.seconds)
    out.interval = (request.level, intervals(of: bootstrap, level: request.level, state: state))
    try Handle.store(out, in: result)
  }
}

/// `mapk_files_free`.
@_cdecl("mapk_files_free")
public func cFilesFree(_ f: OpaquePointer?) { Handle.free(f, as: FilesBox.self) }

// MARK: - Streams

private func streamBox(_ s: OpaquePointer?) -> StreamBox? { Handle.get(s, as: StreamBox.self) }

/// `mapk_stream_create`.
@_cdecl("mapk_stream_create")
public func cStreamCreate(_ options: UnsafePointer<mapk_options>?, _ stream: UnsafeMutablePointer<OpaquePointer?>?,
                          _ error: UnsafeMutablePointer<mapk_error>?) -> Int32 {
  guarded(error) {
    let o = try Options(options)
    try Handle.store(StreamBox(metric: StreamingAveragePrecision(configuration: o.configuration), threads: o.threads),
                     in: stream)
  }
}

/// `mapk_stream_create_ci`.
@_cdecl("mapk_stream_create_ci")
public func cStreamCreateCI(
  _ options: UnsafePointer<mapk_options>?, _ level: Double, _ replicates: Int64, _ seed: UInt64, _ firstRow: Int64,
  _ stream: UnsafeMutablePointer<OpaquePointer?>?, _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) {
    let o = try Options(options)
    let request = try IntervalRequest(level: level, replicates: replicates, seed: seed, configuration: o.configuration)
    guard firstRow >= 0, firstRow <= Int64(Int.max / 2) else {
      throw Failure.value("first_row must be >= 0 (got \(firstRow))")
    }
    try Handle.store(StreamBox(metric: StreamingAveragePrecision(configuration: o.configuration), threads: o.threads,
                               bootstrap: request.bootstrap(o.configuration), level: request.level,
                               firstRow: Int(firstRow)), in: stream)
  }
}

/// `mapk_stream_update`.
@_cdecl("mapk_stream_update")
public func cStreamUpdate(
  _ s: OpaquePointer?, _ scores: UnsafePointer<mapk_array>?, _ labels: UnsafePointer<mapk_labels>?,
  _ weights: UnsafePointer<mapk_array>?, _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  // The version-2 call: mapk_stream_update_excluding with no exclusions.
  cStreamUpdateExcluding(s, scores, labels, nil, weights, error)
}

/// `mapk_stream_update_ids`.
@_cdecl("mapk_stream_update_ids")
public func cStreamUpdateIDs(
  _ s: OpaquePointer?, _ ids: UnsafePointer<mapk_array>?, _ reading: UnsafePointer<mapk_id_reading>?,
  _ labels: UnsafePointer<mapk_labels>?, _ weights: UnsafePointer<mapk_array>?,
  _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  // The version-2 call: mapk_stream_update_ids_excluding with no exclusions.
  cStreamUpdateIDsExcluding(s, ids, reading, labels, nil, weights, error)
}

/// `mapk_stream_update_excluding`.
@_cdecl("mapk_stream_update_excluding")
public func cStreamUpdateExcluding(
  _ s: OpaquePointer?, _ scores: UnsafePointer<mapk_array>?, _ labels: UnsafePointer<mapk_labels>?,
  _ exclude: UnsafePointer<mapk_labels>?, _ weights: UnsafePointer<mapk_array>?,
  _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) {
    let clock = Stopwatch()
    guard let box = streamBox(s) else { throw Failure.argument("NULL stream handle") }
    let inputs = try InputViews(scores: scores, labels: labels, weights: weights, threads: box.threads,
                                exclusions: exclude)
    try update(box, inputs, clock)
  }
}

/// `mapk_stream_update_ids_excluding`.
@_cdecl("mapk_stream_update_ids_excluding")
public func cStreamUpdateIDsExcluding(
  _ s: OpaquePointer?, _ ids: UnsafePointer<mapk_array>?, _ reading: UnsafePointer<mapk_id_reading>?,
  _ labels: UnsafePointer<mapk_labels>?, _ exclude: UnsafePointer<mapk_labels>?, _ weights: UnsafePointer<mapk_array>?,
  _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) {
    let clock = Stopwatch()
    guard let box = streamBox(s) else { throw Failure.argument("NULL stream handle") }
    let inputs = try InputViews(ids: ids, reading: try idReading(reading), labels: labels, weights: weights,
                                threads: box.threads, exclusions: exclude)
    try update(box, inputs, clock)
  }
}

/// `mapk_stream_update_sparse`.
@_cdecl("mapk_stream_update_sparse")
public func cStreamUpdateSparse(
  _ s: OpaquePointer?, _ scores: UnsafePointer<mapk_sparse_scores>?, _ labels: UnsafePointer<mapk_labels>?,
  _ exclude: UnsafePointer<mapk_labels>?, _ weights: UnsafePointer<mapk_array>?,
  _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) {
    let clock = Stopwatch()
    guard let box = streamBox(s) else { throw Failure.argument("NULL stream handle") }
    let inputs = try InputViews(sparse: scores, labels: labels, weights: weights, threads: box.threads,
                                exclusions: exclude)
    try update(box, inputs, clock)
  }
}

/// Adds a checked batch to a stream; on error the stream is unchanged (the
/// batch is evaluated into its own state, and its bootstrap, before either
/// is added). With a bootstrap the batch's per-row values are held for the
/// call (8 bytes per row and (metric, k)), its rows numbered from the
/// stream's next global row.
private func update(_ box: StreamBox, _ inputs: InputViews, _ clock: Stopwatch) throws {
  let configuration = box.metric.configuration
  let evaluator = Evaluator(threads: box.threads)
  let batch: MAPState
  if var bootstrap = box.bootstrap {
    let pairs = configuration.pairs.count
    let (count, overflow) = inputs.rows.multipliedReportingOverflow(by: pairs)
    guard !overflow, count <= Int.max / 16 else {
      throw Failure.value("\(inputs.rows) rows × \(pairs) (metric, k) pairs are too many per-row values to hold")
    }
    let values = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, count))
    defer { values.deallocate() }
    // A pooled metric's bootstrap takes its rows' (hits, n): numerators, then
    // denominators, each of the values' layout (another 16 bytes per value).
    let pooled = bootstrap.pooled.contains(true)
    let parts = pooled ? UnsafeMutableBufferPointer<Double>.allocate(capacity: 2 * max(1, count)) : nil
    defer { parts?.deallocate() }
    let sink = parts.map {
      PerRowSink(base: values.baseAddress!, numerators: $0.baseAddress!, denominators: $0.baseAddress! + max(1, count))
    } ?? PerRowSink(base: values.baseAddress!)
    batch = try inputs.evaluate(evaluator, configuration: configuration, perRow: sink)
    var added = PoissonBootstrap(replicates: bootstrap.replicates, seed: bootstrap.seed, pooled: bootstrap.pooled)
    added.add(batch: UnsafeBufferPointer(rebasing: values[0..<count]),
              parts: parts.map { (UnsafeBufferPointer(rebasing: $0[0..<count]),
                                  UnsafeBufferPointer(rebasing: $0[max(1, count)..<(max(1, count) + count)])) },
              weights: inputs.weights, countsFrom: box.firstRow + box.rowsSeen, threads: box.threads)
    _ = try box.metric.add(batch)
    bootstrap.merge(added)
    box.bootstrap = bootstrap
  } else {
    batch = try inputs.evaluate(evaluator, configuration: configuration, perRow: nil)
    _ = try box.metric.add(batch)
  }
  box.rowsSeen += inputs.rows
  box.classes = inputs.width
  box.bytes += inputs.bytes
  box.seconds += clock.seconds
}

/// `mapk_stream_merge`.
@_cdecl("mapk_stream_merge")
public func cStreamMerge(_ s: OpaquePointer?, _ other: OpaquePointer?,
                         _ error: UnsafeMutablePointer<mapk_error>?) -> Int32 {
  guarded(error) {
    guard let box = streamBox(s), let otherBox = streamBox(other) else { throw Failure.argument("NULL stream handle") }
    // A stream's rows merged into itself would count twice (and read the
    // state while writing it): refused.
    guard box !== otherBox else { throw Failure.value("cannot merge a stream with itself") }
    let added = otherBox.metric
    switch (box.bootstrap, otherBox.bootstrap) {
    case (nil, nil): break
    case (let a?, let b?):
      // PoissonBootstrap.merge requires the same design: checked here, never trapped on.
      guard a.replicates == b.replicates, a.seed == b.seed, a.pooled == b.pooled, box.level == otherBox.level
      else {
        throw Failure.value("cannot merge streams with different bootstraps (ci level \(box.level ?? .nan), "
                            + "\(a.replicates) replicates, seed \(a.seed) vs \(otherBox.level ?? .nan), "
                            + "\(b.replicates), \(b.seed))")
      }
    default:
      throw Failure.value("cannot merge a stream with a bootstrap (ci) and one without")
    }
    try box.metric.merge(added)
    if let b = otherBox.bootstrap { box.bootstrap!.merge(b) }
    box.rowsSeen += otherBox.rowsSeen
    box.bytes += otherBox.bytes
    box.seconds += otherBox.seconds
    if box.classes == 0 { box.classes = otherBox.classes }
  }
}

/// `mapk_stream_result`.
@_cdecl("mapk_stream_result")
public func cStreamResult(_ s: OpaquePointer?, _ result: UnsafeMutablePointer<OpaquePointer?>?,
                          _ error: UnsafeMutablePointer<mapk_error>?) -> Int32 {
  guarded(error) {
    guard let box = streamBox(s) else { throw Failure.argument("NULL stream handle") }
    let out = ResultBox(state: box.metric.state, classes: box.classes, threads: box.threads, bytes: box.bytes,
                        seconds: box.seconds)
    if let bootstrap = box.bootstrap, let level = box.level {
      out.interval = (level, intervals(of: bootstrap, level: level, state: box.metric.state))
    }
    try Handle.store(out, in: result)
  }
}

/// `mapk_stream_reset`.
@_cdecl("mapk_stream_reset")
public func cStreamReset(_ s: OpaquePointer?) {
  guard let box = streamBox(s) else { return }
  box.metric.reset()
  box.bootstrap = box.bootstrap.map {
    PoissonBootstrap(replicates: $0.replicates, seed: $0.seed, pooled: $0.pooled)
  }
  box.rowsSeen = 0
  box.classes = 0
  box.bytes = 0
  box.seconds = 0
}

/// `mapk_stream_free`.
@_cdecl("mapk_stream_free")
public func cStreamFree(_ s: OpaquePointer?) { Handle.free(s, as: StreamBox.self) }

/// `mapk_stream_encode`.
@_cdecl("mapk_stream_encode")
public func cStreamEncode(_ s: OpaquePointer?, _ bytes: UnsafeMutablePointer<OpaquePointer?>?,
                          _ error: UnsafeMutablePointer<mapk_error>?) -> Int32 {
  guarded(error) {
    guard let box = streamBox(s) else { throw Failure.argument("NULL stream handle") }
    guard box.bootstrap == nil else {
      throw Failure.value("the state bytes of a stream with a bootstrap (ci) do not carry its replicates yet; "
                          + "merge such streams in one process, or use mapk eval --ci --shard/--state and mapk merge")
    }
    try Handle.store(BytesBox(box.metric.state.encodedState()), in: bytes)
  }
}

/// `mapk_stream_decode`.
@_cdecl("mapk_stream_decode")
public func cStreamDecode(
  _ data: UnsafePointer<UInt8>?, _ size: Int64, _ threads: Int64, _ stream: UnsafeMutablePointer<OpaquePointer?>?,
  _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) {
    guard stream != nil else { throw Failure.argument("NULL pointer for the stream handle") }
    guard size >= 0, size <= Int64(Int.max) else { throw Failure.argument("negative size \(size)") }
    guard threads >= 0, threads <= Int64(Int32.max) else {
      throw Failure.value("threads must be >= 1, or 0 for all the CPUs this process may use (got \(threads))")
    }
    guard size == 0 || data != nil else { throw Failure.argument("NULL data for \(size) bytes") }
    let buffer = UnsafeBufferPointer(start: size == 0 ? nil : data, count: Int(size))
    let state = try MAPState(encodedState: buffer)
    var metric = StreamingAveragePrecision(configuration: state.configuration)
    try metric.add(state)
    try Handle.store(StreamBox(metric: metric, threads: threads == 0 ? Evaluator.activeProcessorCount : Int(threads)),
                     in: stream)
  }
}

/// `mapk_bytes_data`.
@_cdecl("mapk_bytes_data")
public func cBytesData(_ b: OpaquePointer?) -> UnsafePointer<UInt8>? {
  Handle.get(b, as: BytesBox.self).map { UnsafePointer($0.buffer.baseAddress!) }
}

/// `mapk_bytes_size`.
@_cdecl("mapk_bytes_size")
public func cBytesSize(_ b: OpaquePointer?) -> Int64 { Int64(Handle.get(b, as: BytesBox.self)?.count ?? 0) }

/// `mapk_bytes_free`.
@_cdecl("mapk_bytes_free")
public func cBytesFree(_ b: OpaquePointer?) { Handle.free(b, as: BytesBox.self) }
