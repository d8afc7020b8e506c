import Foundation
import Glibc
@testable import MAPKShards
import MAPKKernel
import TestSupport
import Testing

/// Predictions read as a stream (a FIFO, a deflated `.npz` member): the same
/// bits as the mapped `.npy` for any thread count and chunk size, rows asked
/// for in blocks or a shard, clear errors for short, long or foreign
/// streams, and memory that stays bounded for a stream far larger than it.
@Suite struct ScoreStreamTests {
  static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/safetensors").path
  func fixture(_ name: String) -> String { Self.fixtures + "/" + name }
  let configuration = try! MAPConfiguration(ks: [1, 2, 5, 23], metrics: [.averagePrecision, .ndcg], emptyRows: .zero)

  func bits(_ state: MAPState) -> [UInt64] { state.values.map(\.bitPattern) + state.results.map(\.total.bitPattern) }

  /// The state of the mapped fixture (the reference).
  func mapped(_ dtype: String, rows: Range<Int>? = nil) throws -> MAPState {
    let inputs = try EvaluationInputs(predictions: fixture("scores_\(dtype).npy"), labels: fixture("labels.npy"))
    return try Evaluator(threads: 1).evaluate(inputs, configuration: configuration, rows: rows)
  }

  /// A FIFO in a fresh directory, with a thread writing `bytes` into it in pieces of `piece` bytes.
  func fifo(_ bytes: [UInt8], piece: Int = 1000) throws -> (path: String, directory: TemporaryDirectory) {
    let dir = try TemporaryDirectory()
    let path = dir.file("scores")  // no extension: recognised by content
    #expect(FIFOWriter.start(path: path, bytes: bytes, piece: piece))
    return (path, dir)
  }

  func fileBytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

  @Test(arguments: ["float16", "float32", "float64"])
  func aFIFOGivesTheBitsOfTheMappedFile(dtype: String) throws {
    let reference = bits(try mapped(dtype))
    for (threads, chunkBytes) in [(1, 4 << 20), (3, 100), (7, 1)] {
      let (path, dir) = try fifo(try fileBytes(fixture("scores_\(dtype).npy")), piece: 333)
      defer { dir.remove() }
      #expect(PredictionSource.isStream(path: path))
      let inputs = try EvaluationInputs(predictions: path, labels: fixture("labels.npy"), streaming: true)
      guard case .stream = inputs.predictions.view else { Issue.record("not read as a stream"); return }
      #expect(inputs.rowShape == [37] && inputs.classes == 23)
      let state = try Evaluator(threads: threads, chunkBytes: chunkBytes)
        .evaluate(inputs, configuration: configuration)
      #expect(bits(state) == reference, "\(dtype), \(threads) threads, chunks of \(chunkBytes) bytes")
    }
  }

  @Test(arguments: ["float16", "float32", "float64"])
  func aCompressedNPZStreamsWithTheBitsOfTheNPY(dtype: String) throws {
    let reference = bits(try mapped(dtype))
    for name in ["scores_\(dtype)_compressed.npz"] + (dtype == "float32" ? ["several_compressed.npz:scores"] : []) {
      for (threads, chunkBytes) in [(1, 4 << 20), (3, 64)] {
        let inputs = try EvaluationInputs(predictions: fixture(name), labels: fixture("labels.npy"), streaming: true)
        guard case .stream = inputs.predictions.view else { Issue.record("\(name) not streamed"); return }
        let state = try Evaluator(threads: threads, chunkBytes: chunkBytes)
          .evaluate(inputs, configuration: configuration)
        #expect(bits(state) == reference, "\(name), \(threads) threads")
      }
    }
    // A stored member is still mapped in place, not streamed.
    let stored = try EvaluationInputs(predictions: fixture("scores_\(dtype).npz"), labels: fixture("labels.npy"),
                                      streaming: true)
    guard case .scores = stored.predictions.view else { Issue.record("stored member streamed"); return }
  }

  @Test func blocksAndShardsOfAStreamKeepGlobalRows() throws {
    let (path, dir) = try fifo(try fileBytes(fixture("scores_float32.npy")))
    defer { dir.remove() }
    let inputs = try EvaluationInputs(predictions: path, labels: fixture("labels.npy"), streaming: true)
    let evaluator = Evaluator(threads: 2, chunkBytes: 200)
    // Rows 0..<5 are skipped (a shard), then two blocks in order, as `eval --per-row` asks.
    var perRow = [Double](repeating: -1, count: 32 * configuration.pairs.count)
    var state = MAPState(configuration: configuration)
    try perRow.withUnsafeMutableBufferPointer { buffer in
      try state.merge(evaluator.evaluate(inputs, configuration: configuration, rows: 5..<20,
                                         perRow: PerRowSink(base: buffer.baseAddress!, firstRow: 5)))
      try state.merge(evaluator.evaluate(inputs, configuration: configuration, rows: 20..<37,
                                         perRow: PerRowSink(base: buffer.baseAddress! + 15 * configuration.pairs.count,
                                                            firstRow: 20)))
    }
    #expect(bits(state) == bits(try mapped("float32", rows: 5..<37)))
    // The per-row values are the mapped file's, row for row.
    let reference = try EvaluationInputs(predictions: fixture("scores_float32.npy"), labels: fixture("labels.npy"))
    var expected = [Double](repeating: -2, count: 32 * configuration.pairs.count)
    try expected.withUnsafeMutableBufferPointer { buffer in
      _ = try evaluator.evaluate(reference, configuration: configuration, rows: 5..<37,
                                 perRow: PerRowSink(base: buffer.baseAddress!, firstRow: 5))
    }
    #expect(perRow.map(\.bitPattern) == expected.map(\.bitPattern))
    // Rows already read are gone.
    #expect {
      _ = try evaluator.evaluate(inputs, configuration: configuration, rows: 0..<3)
    } throws: { ($0 as? FileError)?.description.contains("is a stream, read once: row 0 was already read") == true }
  }

  func problem(_ bytes: [UInt8]) throws -> String? {
    let (path, dir) = try fifo(bytes)
    defer { dir.remove() }
    do {
      let inputs = try EvaluationInputs(predictions: path, labels: fixture("labels.npy"), streaming: true)
      _ = try Evaluator(threads: 2, chunkBytes: 100).evaluate(inputs, configuration: configuration)
      return nil
    } catch let e as FileError {
      return String(e.description.dropFirst(path.count + 2))
    }
  }

  @Test func badStreamsAreRefusedNamingTheRow() throws {
    let full = try fileBytes(fixture("scores_float32.npy"))
    let header = full.count - 37 * 23 * 4
    // Cut inside row 10 (each row is 92 bytes).
    #expect(try problem(Array(full.prefix(header + 10 * 92 + 50))) == "truncated: the stream ends inside row 10 of 37 "
            + "(after \(header + 10 * 92 + 50) bytes; shape [37, 23] of <f4 needs \(full.count))")
    #expect(try problem(full + [0]) == "shape [37, 23] of <f4 needs 3404 data bytes, the stream holds more "
            + "(header and size disagree)")
    #expect(try problem([]) == "empty stream, not a .npy array")
    #expect(try problem(Array(full.prefix(5))) == "too short for a .npy header (5 bytes)")
    #expect(try problem(Array("PK\u{3}\u{4}rest of a zip".utf8))
            == "a ZIP archive (.npz) cannot be read from a stream: save it to a file")
    #expect(try problem(Array("hello, world".utf8)) == "not a .npy stream (bad magic bytes)")
    #expect(try problem(NPYBytes.file(descr: "|b1", shape: [37, 3], payload: [UInt8](repeating: 0, count: 37 * 3)))
            == "predictions must be float16, float32 or float64 (found |b1)")
    #expect(try problem(NPYBytes.file(descr: "<f4", shape: [37, 23], payload: [], fortran: true))
            == "Fortran-order arrays are not supported (save with np.ascontiguousarray)")
    #expect(try problem(Array(NPYBytes.file(descr: "<f4", shape: [37, 23], payload: []).prefix(30)))
            == "header length 118 points past the end of the stream (30 bytes)")
    #expect(try problem([0x93] + Array("NUMPY".utf8) + [2, 0, 0xFF, 0xFF, 0xFF, 0x7F])
            == "header length 2147483647 is more than a stream's 1048576 bytes")
  }

  /// A stream of generated rows, never held whole: the header, then a
  /// block of rows repeated (cheap to make, so the test measures mapk's
  /// memory, not the generator's); samples this process's RSS as it goes.
  final class GeneratedStream: ByteSource {
    let path = "generated"
    let header: [UInt8]
    let block: [UInt8]
    let total: Int
    var position = 0
    var reads = 0
    var peakRSS = 0

    init(rows: Int, classes: Int, seed: UInt64) {
      header = NPYBytes.file(descr: "<f4", shape: [rows, classes], payload: [])
      var rng = SplitMix64(seed: seed)
      block = NPYBytes.bytes(of: (0..<(64 * classes)).map { _ in Float(rng.next() >> 40) })
      total = header.count + rows * classes * 4
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
      reads += 1
      if reads % 64 == 0 { peakRSS = max(peakRSS, ScoreStreamTests.residentBytes()) }
      let n = min(buffer.count, total - position, 1 << 16)
      var done = 0
      while done < n {
        let p = position + done
        let (source, offset) = p < header.count ? (header, p) : (block, (p - header.count) % block.count)
        let piece = min(n - done, source.count - offset)
        source.withUnsafeBytes { buffer.baseAddress!.advanced(by: done).copyMemory(from: $0.baseAddress! + offset, byteCount: piece) }
        done += piece
      }
      position += n
      return n
    }
  }

  /// VmRSS of this process, in bytes.
  static func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb << 10
  }

  @Test func memoryStaysBoundedForALargeStream() throws {
    // 96 MiB of scores through 1 MiB chunks: memory is a few chunks, not the stream.
    let rows = 24_576, classes = 1024
    let source = GeneratedStream(rows: rows, classes: classes, seed: 12)
    let stream = try ScoreStream(source: source)
    let labels = Labels.dense(rows: (0..<rows).map { [Int32($0 % classes)] })
    let before = Self.residentBytes()
    let state = try labels.withRows { rowsView in
      try Evaluator(threads: 2, chunkBytes: 1 << 20).evaluate(
        stream: stream, labels: rowsView, configuration: MAPConfiguration(ks: [10]))
    }
    #expect(state.rows == rows)
    #expect(source.position == source.total)
    let grown = source.peakRSS - before
    #expect(source.peakRSS > 0 && grown < 24 << 20, "RSS grew by \(grown >> 20) MiB for a \(rows * classes * 4 >> 20) MiB stream")
  }
}
