#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MAPKShards

/// A NUL-ended copy of `text` in C memory (freed by its owner).
func cString(_ text: String) -> UnsafeMutablePointer<CChar> {
  strdup(text)!
}

/// Handles are retained Swift objects behind an opaque C pointer: created
/// with one retain, released by their `_free` function.
enum Handle {
  static func make(_ object: AnyObject) -> OpaquePointer {
    OpaquePointer(Unmanaged.passRetained(object).toOpaque())
  }

  static func get<T: AnyObject>(_ handle: OpaquePointer?, as: T.Type) -> T? {
    handle.map { Unmanaged<T>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
  }

  static func free<T: AnyObject>(_ handle: OpaquePointer?, as: T.Type) {
    handle.map { Unmanaged<T>.fromOpaque(UnsafeRawPointer($0)).release() }
  }

  /// Stores a new handle for `object` in the caller's out-pointer.
  static func store(_ object: AnyObject, in out: UnsafeMutablePointer<OpaquePointer?>?) throws {
    guard let out else { throw Failure.argument("NULL pointer for the new handle") }
    out.pointee = make(object)
  }
}

/// `mapk_result`: a state's results and the figures of its run, with the C
/// strings the accessors return (valid as long as the handle).
final class ResultBox {
  let state: MAPState
  let results: [MAPResult]
  let classes: Int
  let threads: Int
  let bytes: Int
  let seconds: Double
  let metricNames: [UnsafeMutablePointer<CChar>]
  let emptyRowsPolicy: UnsafeMutablePointer<CChar>
  let nanPolicy: UnsafeMutablePointer<CChar>
  /// The bootstrap intervals' level and one interval per result, if asked (`--ci`).
  var interval: (level: Double, bounds: [(lower: Double, upper: Double)])?

  init(state: MAPState, classes: Int, threads: Int, bytes: Int, seconds: Double) {
    self.state = state
    results = state.results
    self.classes = classes
    self.threads = threads
    self.bytes = bytes
    self.seconds = seconds
    metricNames = results.map { cString($0.metric.name) }
    emptyRowsPolicy = cString(state.configuration.emptyRows.rawValue)
    nanPolicy = cString(state.configuration.nanScores.rawValue)
  }

  deinit {
    for p in metricNames { free(p) }
    free(emptyRowsPolicy)
    free(nanPolicy)
  }

  func result(_ i: Int64) -> MAPResult? { i >= 0 && i < Int64(results.count) ? results[Int(i)] : nil }
}

/// `mapk_stream`: a streaming metric and the figures of its updates.
final class StreamBox {
  var metric: StreamingAveragePrecision
  let threads: Int
  /// The classes of the last batch (0 before any).
  var classes = 0
  var bytes = 0
  var seconds = 0.0
  /// The bootstrap of the rows (`mapk_stream_create_ci`), if any, and its level.
  var bootstrap: PoissonBootstrap?
  let level: Double?
  /// The global index of the stream's first row (it keys the bootstrap's counts).
  let firstRow: Int
  /// The rows added by updates so far, in update order (the next row's index is `firstRow + rowsSeen`).
  var rowsSeen = 0

  init(metric: StreamingAveragePrecision, threads: Int, bootstrap: PoissonBootstrap? = nil, level: Double? = nil,
       firstRow: Int = 0) {
    self.metric = metric
    self.threads = threads
    self.bootstrap = bootstrap
    self.level = level
    self.firstRow = firstRow
  }
}

/// `mapk_files`: opened, mapped inputs and the time it took to open them.
final class FilesBox {
  let inputs: EvaluationInputs
  let openSeconds: Double
  let threads: Int

  init(inputs: EvaluationInputs, openSeconds: Double, threads: Int) {
    self.inputs = inputs
    self.openSeconds = openSeconds
    self.threads = threads
  }
}

/// `mapk_bytes`: bytes in C memory.
final class BytesBox {
  let buffer: UnsafeMutableBufferPointer<UInt8>

  init(_ bytes: [UInt8]) {
    // At least one byte, so the address is never NULL.
    buffer = .allocate(capacity: max(1, bytes.count))
    _ = buffer.initialize(from: bytes)
    count = bytes.count
  }

  let count: Int

  deinit { buffer.deallocate() }
}
