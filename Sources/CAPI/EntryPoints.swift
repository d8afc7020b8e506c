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
  guarded(error) {
    let clock = Stopwatch()
    guard result != nil else { throw Failure.argument("NULL pointer for the result handle") }
    let o = try Options(options)
    let inputs = try InputViews(scores: scores, labels: labels, weights: weights)
    let sink = try perRowSink(perRow, capacity: perRowCapacity, rows: inputs.scores.rows,
                              configuration: o.configuration)
    let state = try Evaluator(threads: o.threads).evaluate(
      scores: inputs.scores, labels: inputs.labels, weights: inputs.weights, configuration: o.configuration,
      perRow: sink)
    try Handle.store(ResultBox(state: state, classes: inputs.scores.classes, threads: o.threads,
                               bytes: inputs.bytes, seconds: clock.seconds), in: result)
  }
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
  guarded(error) {
    let clock = Stopwatch()
    guard files != nil else { throw Failure.argument("NULL pointer for the files handle") }
    guard let predictions, let labels else { throw Failure.argument("NULL predictions or labels path") }
    guard threads >= 0, threads <= Int64(Int32.max) else {
      throw Failure.value("threads must be >= 1, or 0 for all the CPUs this process may use (got \(threads))")
    }
    let format: LabelFormat? = try Options.choice(labelFormat, "label format")
    let workers = threads == 0 ? Evaluator.activeProcessorCount : Int(threads)
    let inputs = try EvaluationInputs(
      predictions: try Options.string(predictions, "predictions path"), labels: try Options.string(labels, "labels path"),
      weights: try weights.map { try Options.string($0, "weights path") }, labelFormat: format, threads: workers)
    try Handle.store(FilesBox(inputs: inputs, openSeconds: clock.seconds, threads: workers), in: files)
  }
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
    let state: MAPState
    do {
      // Any kind of predictions the files hold (dense or sparse scores, ranked ids).
      state = try Evaluator(threads: o.threads).evaluate(inputs, configuration: o.configuration, perRow: sink)
    } catch let error as MAPKError {
      // As the CLI reports it: about the scores file (k, NaN) or the labels file.
      let aboutScores: Bool
      switch error {
      case .kAboveClasses, .nanScore: aboutScores = true
      default: aboutScores = false
      }
      throw FileError(path: aboutScores ? inputs.predictionsPath : inputs.labelsPath, error)
    }
    try inputs.checkUnchanged()
    try Handle.store(ResultBox(state: state, classes: inputs.classes, threads: o.threads, bytes: inputs.byteCount,
                               seconds: box.openSeconds + clock.seconds), in: result)
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

/// `mapk_stream_update`.
@_cdecl("mapk_stream_update")
public func cStreamUpdate(
  _ s: OpaquePointer?, _ scores: UnsafePointer<mapk_array>?, _ labels: UnsafePointer<mapk_labels>?,
  _ weights: UnsafePointer<mapk_array>?, _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) {
    let clock = Stopwatch()
    guard let box = streamBox(s) else { throw Failure.argument("NULL stream handle") }
    let inputs = try InputViews(scores: scores, labels: labels, weights: weights)
    try box.metric.update(scores: inputs.scores, labels: inputs.labels, weights: inputs.weights,
                          evaluator: Evaluator(threads: box.threads))
    box.classes = inputs.scores.classes
    box.bytes += inputs.bytes
    box.seconds += clock.seconds
  }
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
    try box.metric.merge(added)
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
    try Handle.store(ResultBox(state: box.metric.state, classes: box.classes, threads: box.threads, bytes: box.bytes,
                               seconds: box.seconds), in: result)
  }
}

/// `mapk_stream_reset`.
@_cdecl("mapk_stream_reset")
public func cStreamReset(_ s: OpaquePointer?) {
  guard let box = streamBox(s) else { return }
  box.metric.reset()
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
