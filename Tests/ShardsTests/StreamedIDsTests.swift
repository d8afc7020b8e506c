import CZlib
import Foundation
import Glibc
@testable import MAPKShards
import MAPKKernel
import Synchronization
import TestSupport
import Testing

/// The stream inputs of issue 12 beyond dense scores and signed ids:
/// unsigned ranked ids (`|u1 <u2 <u4 <u8`) through a FIFO, multi-hot labels
/// (bool, or int 0/1 with `.multihot`) beside streamed predictions, bool
/// predictions, and a deflated `.npz` member of ranked ids inflated chunk
/// by chunk. Each is compared to the mapped file's result, bit for bit, for
/// several thread counts and chunk sizes, with pieces of the stream that end
/// inside rows; and each error to the mapped (or inflated-whole) file's.
@Suite struct StreamedIDsTests {
  let configuration = try! MAPConfiguration(ks: [1, 3, 7], metrics: [.averagePrecision, .precision],
                                            emptyRows: .zero)
  /// (threads, chunk bytes): one chunk, chunks of a few rows, one row per chunk.
  let runs = [(1, 4 << 20), (3, 100), (7, 1)]

  func bits(_ state: MAPState) -> [UInt64] { state.values.map(\.bitPattern) + state.results.map(\.total.bitPattern) }

  /// A FIFO in `dir`, with a thread writing `bytes` into it in pieces of `piece` bytes.
  func fifo(_ bytes: [UInt8], in dir: TemporaryDirectory, name: String = "ids", piece: Int = 5) -> String {
    let path = dir.file(name)  // no extension: recognised by content
    #expect(FIFOWriter.start(path: path, bytes: bytes, piece: piece))
    return path
  }

  func fileBytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

  /// Seeded ranked ids `[rows, k]`: distinct per row, below `classes` (ids
  /// at `classes` and above are `extra`, added to test wide values), every
  /// fourth row padded at its end with `pad`; and labels `[rows, 3]` below `classes`.
  func generate(seed: UInt64, rows: Int, k: Int, classes: Int, pad: Int64, extra: [UInt64] = [])
    -> (ids: [UInt64], labels: [Int64])
  {
    var rng = SplitMix64(seed: seed)
    var ids: [UInt64] = [], labels: [Int64] = []
    for _ in 0..<rows {
      var row: [UInt64] = []
      while row.count < k {
        let id = !extra.isEmpty && rng.next() % 5 == 0 ? extra[Int(rng.next() % UInt64(extra.count))]
          : rng.next() % UInt64(classes)
        if !row.contains(id) && id != UInt64(bitPattern: pad) { row.append(id) }
      }
      if rng.next() % 4 == 0 { row[k - 1] = UInt64(bitPattern: pad) }
      ids += row
      labels += (0..<3).map { _ in Int64(rng.next() % UInt64(classes)) }
    }
    return (ids, labels)
  }

  /// The `.npy` bytes of `ids` as `descr` (`|u1 <u2 <u4 <u8 <i4 <i8`).
  func npy(_ ids: [UInt64], descr: String, shape: [Int]) -> [UInt8] {
    let payload: [UInt8]
    switch descr {
    case "|u1": payload = NPYBytes.bytes(of: ids.map { UInt8(truncatingIfNeeded: $0) })
    case "<u2": payload = NPYBytes.bytes(of: ids.map { UInt16(truncatingIfNeeded: $0) })
    case "<u4": payload = NPYBytes.bytes(of: ids.map { UInt32(truncatingIfNeeded: $0) })
    case "<i4": payload = NPYBytes.bytes(of: ids.map { Int32(truncatingIfNeeded: $0) })
    default: payload = NPYBytes.bytes(of: ids)  // <u8, <i8: the same bytes
    }
    return NPYBytes.file(descr: descr, shape: shape, payload: payload)
  }

  // MARK: - Unsigned ids from a pipe

  @Test(arguments: ["|u1", "<u2", "<u4", "<u8"])
  func unsignedIDsFromAFIFOGiveTheMappedBits(descr: String) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let seed: UInt64 = 1212
    // Values that need the widening to keep them: 255 and 65535 (the top of
    // u1, u2), 2^32 - 1 (above int32's max), 2^63 - 1 (int64's max).
    let wide: [UInt64]
    switch descr {
    case "|u1": wide = [254]
    case "<u2": wide = [65_534, 40_000]
    case "<u4": wide = [4_294_967_294, 3_000_000_000]
    default: wide = [UInt64(Int64.max) - 1, 1 << 62]
    }
    let pad: Int64 = descr == "|u1" ? 255 : descr == "<u2" ? 65_535 : descr == "<u4" ? 4_294_967_295 : Int64.max
    let rows = 301, k = 7
    let (ids, labels) = generate(seed: seed, rows: rows, k: k, classes: 200, pad: pad, extra: wide)
    let bytes = npy(ids, descr: descr, shape: [rows, k])
    let mappedPath = dir.file("ids.npy"), labelsPath = dir.file("labels.npy")
    try Data(bytes).write(to: URL(fileURLWithPath: mappedPath))
    try NPYBytes.write(labels, descr: "<i8", shape: [rows, 3], to: labelsPath)
    let reading = RankedIDReading(pad: pad)
    let reference = bits(try Evaluator(threads: 1).evaluate(
      EvaluationInputs(predictions: mappedPath, labels: labelsPath, rankedIDs: reading), configuration: configuration))
    // The mapped unsigned file is itself the signed int64 file's (an independent reading of the values).
    try Data(npy(ids, descr: "<i8", shape: [rows, k])).write(to: URL(fileURLWithPath: dir.file("signed.npy")))
    #expect(bits(try Evaluator(threads: 1).evaluate(
      EvaluationInputs(predictions: dir.file("signed.npy"), labels: labelsPath, rankedIDs: reading),
      configuration: configuration)) == reference, "seed \(seed): mapped \(descr) against int64")
    for (index, (threads, chunkBytes)) in runs.enumerated() {
      // Pieces of 5 or 333 bytes: the reads end inside rows (a row is 7 to 56 bytes).
      let path = fifo(bytes, in: dir, name: "fifo\(index)", piece: index == 1 ? 333 : 5)
      let inputs = try EvaluationInputs(predictions: path, labels: labelsPath, rankedIDs: reading, streaming: true)
      guard case .stream = inputs.predictions.view else { Issue.record("\(descr) not read as a stream"); return }
      #expect(inputs.predictions.kind == .rankedIDs && inputs.classes == k)
      #expect(inputs.predictions.array.type == (descr == "|u1" || descr == "<u2" ? .int32 : .int64))
      let state = try Evaluator(threads: threads, chunkBytes: chunkBytes).evaluate(inputs, configuration: configuration)
      #expect(bits(state) == reference, "seed \(seed), \(descr), \(threads) threads, chunks of \(chunkBytes) bytes")
    }
  }

  /// The error of evaluating the stream of `bytes` (nil: none), with the
  /// stream's path cut off, for `threads` workers and `chunkBytes` chunks.
  func streamProblem(_ bytes: [UInt8], labels: String, in dir: TemporaryDirectory, name: String, threads: Int,
                     chunkBytes: Int, rows: Range<Int>? = nil) throws -> String? {
    let path = fifo(bytes, in: dir, name: name, piece: 3)
    do {
      let inputs = try EvaluationInputs(predictions: path, labels: labels, streaming: true)
      _ = try Evaluator(threads: threads, chunkBytes: chunkBytes).evaluate(inputs, configuration: configuration,
                                                                           rows: rows)
      return nil
    } catch let e as FileError {
      return String(e.description.dropFirst(path.count + 2))
    } catch let e as MAPKError {
      return "\(e)"
    }
  }

  @Test func aU8IDAboveInt64MaxMidStreamIsRefusedNamingItsRow() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let rows = 40, k = 7
    var ids = (0..<(rows * k)).map { UInt64($0 % k) }  // rows [0, 1, ..., 6]
    ids[23 * k + 1] = UInt64(Int64.max) + 1
    ids[31 * k + 2] = .max  // a later one: not the one named
    let bytes = npy(ids, descr: "<u8", shape: [rows, k])
    let mappedPath = dir.file("ids.npy"), labels = dir.file("labels.npy")
    try Data(bytes).write(to: URL(fileURLWithPath: mappedPath))
    try NPYBytes.write([Int64](repeating: 1, count: rows), descr: "<i8", shape: [rows], to: labels)
    var mapped = ""
    do { _ = try EvaluationInputs(predictions: mappedPath, labels: labels) } catch let e as FileError {
      mapped = String(e.description.dropFirst(mappedPath.count + 2))
    }
    #expect(mapped == "<u8 value 9223372036854775808 at row 23 is above the int64 maximum 2^63 - 1 "
            + "(ids and labels are read as int64)")
    for (index, (threads, chunkBytes)) in runs.enumerated() {
      #expect(try streamProblem(bytes, labels: labels, in: dir, name: "s\(index)", threads: threads,
                                chunkBytes: chunkBytes) == mapped, "\(threads) threads, chunks of \(chunkBytes)")
      // A shard after the bad row still reads (and checks) the rows before it.
      #expect(try streamProblem(bytes, labels: labels, in: dir, name: "shard\(index)", threads: threads,
                                chunkBytes: chunkBytes, rows: 30..<40) == mapped)
    }
    // A shard that ends before the bad row never reads it: the rows it evaluates are fine.
    #expect(try streamProblem(bytes, labels: labels, in: dir, name: "head", threads: 2, chunkBytes: 56,
                              rows: 0..<23) == nil)
    // An error of the kernel's in an earlier row (a repeated id in row 5) is the lowest, so it wins, for any
    // chunking; the mapped file refuses the value first, as it widens the whole file before evaluating.
    ids[5 * k + 2] = 0
    let repeated = npy(ids, descr: "<u8", shape: [rows, k])
    let expected = try streamProblem(repeated, labels: labels, in: dir, name: "r", threads: 1, chunkBytes: 4 << 20)
    #expect(expected?.contains("row 5") == true, "\(expected ?? "no error")")
    for (index, (threads, chunkBytes)) in runs.enumerated() {
      #expect(try streamProblem(repeated, labels: labels, in: dir, name: "r\(index)", threads: threads,
                                chunkBytes: chunkBytes) == expected)
    }
  }

  @Test func aTruncatedUnsignedStreamNamesTheRow() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let rows = 40, k = 7
    let (ids, _) = generate(seed: 1213, rows: rows, k: k, classes: 100, pad: 100)
    let full = npy(ids, descr: "<u2", shape: [rows, k])
    let labels = dir.file("labels.npy")
    try NPYBytes.write([Int64](repeating: 1, count: rows), descr: "<i8", shape: [rows], to: labels)
    let header = full.count - rows * k * 2
    // Cut inside row 10 (each row is 14 bytes in the stream, 28 once widened).
    let cut = Array(full.prefix(header + 10 * 14 + 9))
    for (index, (threads, chunkBytes)) in runs.enumerated() {
      #expect(try streamProblem(cut, labels: labels, in: dir, name: "t\(index)", threads: threads,
                                chunkBytes: chunkBytes)
              == "truncated: the stream ends inside row 10 of 40 (after \(cut.count) bytes; shape [40, 7] of <u2 "
              + "needs \(full.count))")
    }
    #expect(try streamProblem(full + [0, 0], labels: labels, in: dir, name: "long", threads: 2, chunkBytes: 100)
            == "shape [40, 7] of <u2 needs 560 data bytes, the stream holds more (header and size disagree)")
  }

  // MARK: - Bool predictions, multi-hot labels

  @Test func boolPredictionsFromAStreamGetTheMappedFilesError() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let bytes = NPYBytes.file(descr: "|b1", shape: [4, 5], payload: [UInt8](repeating: 1, count: 20))
    let mappedPath = dir.file("p.npy"), labels = dir.file("labels.npy")
    try Data(bytes).write(to: URL(fileURLWithPath: mappedPath))
    try NPYBytes.write([Int64](repeating: 1, count: 4), descr: "<i8", shape: [4], to: labels)
    var mapped = ""
    do { _ = try EvaluationInputs(predictions: mappedPath, labels: labels) } catch let e as FileError {
      mapped = String(e.description.dropFirst(mappedPath.count + 2))
    }
    #expect(mapped == "predictions must be float16, float32 or float64 (found |b1)")
    #expect(try streamProblem(bytes, labels: labels, in: dir, name: "b", threads: 2, chunkBytes: 100) == mapped)
  }

  @Test func multiHotLabelsBesideStreamedPredictionsGiveTheMappedBits() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let seed: UInt64 = 1214
    var rng = SplitMix64(seed: seed)
    let rows = 97, classes = 11
    let scores = (0..<(rows * classes)).map { _ in Float(rng.next() % 64) / 8 }  // ties included
    let hot = (0..<(rows * classes)).map { _ in UInt8(rng.next() % 3 == 0 ? 1 : 0) }
    let scoresBytes = NPYBytes.file(descr: "<f4", shape: [rows, classes], payload: NPYBytes.bytes(of: scores))
    try Data(scoresBytes).write(to: URL(fileURLWithPath: dir.file("p.npy")))
    try NPYBytes.write(hot, descr: "|b1", shape: [rows, classes], to: dir.file("b.npy"))
    try NPYBytes.write(hot.map(Int32.init), descr: "<i4", shape: [rows, classes], to: dir.file("i.npy"))
    // Ranked ids of the same rows (the 7 best, distinct), unsigned, with the classes they index.
    let (ids, _) = generate(seed: seed, rows: rows, k: 7, classes: classes, pad: 65_535)
    let idBytes = npy(ids, descr: "<u2", shape: [rows, 7])
    try Data(idBytes).write(to: URL(fileURLWithPath: dir.file("ids.npy")))
    let reading = RankedIDReading(pad: 65_535, classes: classes)
    for (labels, format) in [("b.npy", nil), ("i.npy", LabelFormat.multihot), ("i.npy", nil)] {
      for (predictions, bytes) in [("p.npy", scoresBytes), ("ids.npy", idBytes)] {
        let mapped = try EvaluationInputs(predictions: dir.file(predictions), labels: dir.file(labels),
                                          labelFormat: format, rankedIDs: reading)
        let reference = bits(try Evaluator(threads: 1).evaluate(mapped, configuration: configuration))
        for (index, (threads, chunkBytes)) in runs.enumerated() {
          let path = fifo(bytes, in: dir, name: "\(predictions)-\(labels)-\(format == nil)-\(index)", piece: 7)
          let inputs = try EvaluationInputs(predictions: path, labels: dir.file(labels), labelFormat: format,
                                            rankedIDs: reading, streaming: true)
          guard case .stream = inputs.predictions.view else { Issue.record("not streamed"); return }
          // The same reading of the labels: multi-hot, or dense ids with the mapped file's warning.
          #expect(inputs.labelFormat == mapped.labelFormat && inputs.warnings == mapped.warnings)
          let state = try Evaluator(threads: threads, chunkBytes: chunkBytes)
            .evaluate(inputs, configuration: configuration)
          let what = "seed \(seed), \(predictions), \(labels) \(String(describing: format)), \(threads) threads"
          #expect(bits(state) == reference, Comment(rawValue: what))
        }
      }
    }
  }

  // MARK: - A deflated .npz member of ranked ids

  /// `bytes` as a raw deflate stream (zlib, level 6), as `np.savez_compressed` writes members.
  func deflated(_ bytes: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    #expect(deflateInit2_(&stream, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                          Int32(MemoryLayout<z_stream>.size)) == Z_OK)
    defer { deflateEnd(&stream) }
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
    var input = bytes
    let produced = input.withUnsafeMutableBufferPointer { i in
      out.withUnsafeMutableBufferPointer { o -> Int in
        stream.next_in = i.baseAddress
        stream.avail_in = uInt(i.count)
        stream.next_out = o.baseAddress
        stream.avail_out = uInt(o.count)
        #expect(deflate(&stream, Z_FINISH) == Z_STREAM_END)
        return Int(stream.total_out)
      }
    }
    return Array(out.prefix(produced))
  }

  /// An `.npz` whose member `ids.npy` holds `npy`, deflated as `raw` (default: `deflated(npy)`).
  func npz(_ npy: [UInt8], raw: [UInt8]? = nil, size: Int? = nil, crc: UInt32? = nil, zip64: Bool = false)
    -> [UInt8]
  {
    var member = TestZip.Member("ids.npy", npy)
    member.method = 8
    member.stored = raw ?? deflated(npy)
    member.size = size
    member.crc = crc
    return TestZip(members: [member], zip64: zip64).bytes()
  }

  @Test(arguments: ["<i4", "<i8", "|u1", "<u2", "<u4", "<u8"])
  func aDeflatedNPZOfRankedIDsStreamsWithTheBitsOfTheNPY(descr: String) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let seed: UInt64 = 1215
    let rows = 1500, k = 9
    let pad: Int64 = descr == "|u1" ? 255 : 999
    let (ids, labels) = generate(seed: seed, rows: rows, k: k, classes: 250, pad: pad)
    let bytes = npy(ids, descr: descr, shape: [rows, k])
    try Data(bytes).write(to: URL(fileURLWithPath: dir.file("ids.npy")))
    try Data(npz(bytes)).write(to: URL(fileURLWithPath: dir.file("ids.npz")))
    try NPYBytes.write(labels, descr: "<i8", shape: [rows, 3], to: dir.file("labels.npy"))
    let reading = RankedIDReading(pad: pad)
    let reference = bits(try Evaluator(threads: 1).evaluate(
      EvaluationInputs(predictions: dir.file("ids.npy"), labels: dir.file("labels.npy"), rankedIDs: reading),
      configuration: configuration))
    for name in ["ids.npz", "ids.npz:ids"] {
      for (threads, chunkBytes) in runs {
        let inputs = try EvaluationInputs(predictions: dir.file(name), labels: dir.file("labels.npy"),
                                          rankedIDs: reading, streaming: true)
        guard case .stream = inputs.predictions.view else { Issue.record("\(name) \(descr) not streamed"); return }
        #expect(inputs.predictions.kind == .rankedIDs)
        let state = try Evaluator(threads: threads, chunkBytes: chunkBytes)
          .evaluate(inputs, configuration: configuration)
        #expect(bits(state) == reference, "seed \(seed), \(name) of \(descr), \(threads) threads, \(chunkBytes)")
      }
    }
    // Without streaming (inspect, compare, the C API) it is inflated whole, to the same bits.
    let whole = try EvaluationInputs(predictions: dir.file("ids.npz"), labels: dir.file("labels.npy"),
                                     rankedIDs: reading)
    guard case .rankedIDs = whole.predictions.view else { Issue.record("not inflated whole"); return }
    #expect(bits(try Evaluator(threads: 2).evaluate(whole, configuration: configuration)) == reference)
  }

  /// The error of an `.npz` (`bytes`) as predictions, streamed or inflated
  /// whole, with the archive's path cut off; nil: none.
  func npzProblem(_ bytes: [UInt8], labels: String, in dir: TemporaryDirectory, streaming: Bool,
                  threads: Int = 3, chunkBytes: Int = 200) throws -> String? {
    let path = dir.file("bad.npz")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    do {
      let inputs = try EvaluationInputs(predictions: path, labels: labels, streaming: streaming)
      if streaming, case .stream = inputs.predictions.view {} else if streaming { return "not streamed" }
      _ = try Evaluator(threads: threads, chunkBytes: chunkBytes).evaluate(inputs, configuration: configuration)
      return nil
    } catch let e as FileError {
      return String(e.description.dropFirst(path.count + 2))
    }
  }

  @Test func aDeflatedNPZOfRankedIDsKeepsTheLimitsOfOneInflatedWhole() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let rows = 600, k = 7
    let (ids, _) = generate(seed: 1216, rows: rows, k: k, classes: 100, pad: -1)
    let npy = npy(ids, descr: "<i8", shape: [rows, k])
    let raw = deflated(npy)
    let labels = dir.file("labels.npy")
    try NPYBytes.write([Int64](repeating: 1, count: rows), descr: "<i8", shape: [rows], to: labels)
    #expect(try npzProblem(npz(npy), labels: labels, in: dir, streaming: true) == nil)
    // Each damage gives the error of the member inflated whole (the same words), streamed, for any chunking.
    let bomb = npz(npy, size: 1 << 40, zip64: true)
    #expect(try npzProblem(bomb, labels: labels, in: dir, streaming: false)
            == "member ids.npy: declares \(1 << 40) uncompressed bytes from \(raw.count) deflated bytes, more than "
            + "deflate can expand to (1032:1): a corrupt or malicious archive")
    let damaged: [(String, [UInt8])] = [
      ("a declared size deflate cannot reach", bomb),
      ("a declared size above the inflated one", npz(npy, size: npy.count + 8)),
      ("a declared size below the inflated one", npz(npy, size: npy.count - 8)),
      ("a deflate stream cut short", npz(npy, raw: Array(raw.dropLast(6)))),
      ("compressed bytes after the deflate stream", npz(npy, raw: raw + [0, 0, 0])),
      ("a wrong CRC", npz(npy, crc: TestZip.crc32(npy) ^ 1)),
    ]
    for (what, bytes) in damaged {
      let whole = try npzProblem(bytes, labels: labels, in: dir, streaming: false)
      #expect(whole != nil, "\(what): not refused")
      for (threads, chunkBytes) in runs {
        #expect(try npzProblem(bytes, labels: labels, in: dir, streaming: true, threads: threads,
                               chunkBytes: chunkBytes) == whole, "\(what), \(threads) threads, chunks of \(chunkBytes)")
      }
    }
    // A bad id mid-member names its row, as the mapped file does.
    var repeated = ids
    repeated[417 * k + 3] = repeated[417 * k]
    let mapped = dir.file("repeated.npy")
    try Data(self.npy(repeated, descr: "<i8", shape: [rows, k])).write(to: URL(fileURLWithPath: mapped))
    var expected = ""
    do {
      _ = try Evaluator(threads: 1).evaluate(EvaluationInputs(predictions: mapped, labels: labels),
                                             configuration: configuration)
    } catch let e as MAPKError { expected = "\(e)" }
    #expect(expected.contains("row 417"), "\(expected)")
    try Data(npz(self.npy(repeated, descr: "<i8", shape: [rows, k])))
      .write(to: URL(fileURLWithPath: dir.file("repeated.npz")))
    for (threads, chunkBytes) in runs {
      let inputs = try EvaluationInputs(predictions: dir.file("repeated.npz"), labels: labels, streaming: true)
      #expect {
        _ = try Evaluator(threads: threads, chunkBytes: chunkBytes).evaluate(inputs, configuration: configuration)
      } throws: { "\($0)" == expected }
    }
  }

  /// `header` then `row` `rows` times, as one raw deflate stream made
  /// piece by piece (never held inflated), and the CRC-32 of those bytes.
  func deflated(header: [UInt8], row: [UInt8], rows: Int) -> (raw: [UInt8], crc: UInt32) {
    var stream = z_stream()
    #expect(deflateInit2_(&stream, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                          Int32(MemoryLayout<z_stream>.size)) == Z_OK)
    defer { deflateEnd(&stream) }
    var out: [UInt8] = []
    var crc = crc32(0, nil, 0)
    var scratch = [UInt8](repeating: 0, count: 1 << 16)
    func feed(_ piece: [UInt8], _ flush: Int32) {
      var input = piece
      crc = input.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
      input.withUnsafeMutableBufferPointer { i in
        stream.next_in = i.baseAddress
        stream.avail_in = uInt(i.count)
        repeat {
          let n = scratch.withUnsafeMutableBufferPointer { o -> Int in
            stream.next_out = o.baseAddress
            stream.avail_out = uInt(o.count)
            _ = deflate(&stream, flush)
            return o.count - Int(stream.avail_out)
          }
          out += scratch.prefix(n)
        } while stream.avail_out == 0 || stream.avail_in > 0
      }
    }
    feed(header, Z_NO_FLUSH)
    for i in 0..<rows { feed(row, i == rows - 1 ? Z_FINISH : Z_NO_FLUSH) }
    return (out, UInt32(crc))
  }

  @Test func aLargeDeflatedMemberOfIDsStreamsInBoundedMemory() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // 96 MiB of int32 ids (one row repeated: it deflates to a few hundred KiB), read through 1 MiB chunks.
    let rows = 24_576, k = 1024
    let header = NPYBytes.file(descr: "<i4", shape: [rows, k], payload: [])
    let row = NPYBytes.bytes(of: (0..<k).map { Int32($0) })
    let (raw, crc) = deflated(header: header, row: row, rows: rows)
    var member = TestZip.Member("ids.npy", [])
    member.method = 8
    member.stored = raw
    member.size = header.count + rows * row.count
    member.crc = crc
    try Data(TestZip(members: [member]).bytes()).write(to: URL(fileURLWithPath: dir.file("ids.npz")))
    // Label l (below 10 in one row of 200) is at rank l + 1 of every row.
    try NPYBytes.write((0..<rows).map { Int64($0 % 200) }, descr: "<i8", shape: [rows], to: dir.file("l.npy"))
    let before = ScoreStreamTests.residentBytes()
    let inputs = try EvaluationInputs(predictions: dir.file("ids.npz"), labels: dir.file("l.npy"), streaming: true)
    guard case .stream = inputs.predictions.view else { Issue.record("not streamed"); return }
    // RSS sampled while the evaluation runs.
    let peak = Mutex(0), running = Atomic<Bool>(true)
    let sampler = Thread {
      while running.load(ordering: .relaxed) {
        let now = ScoreStreamTests.residentBytes()
        peak.withLock { $0 = max($0, now) }
        usleep(2000)
      }
    }
    sampler.start()
    let state = try Evaluator(threads: 2, chunkBytes: 1 << 20).evaluate(inputs, configuration: MAPConfiguration(ks: [10]))
    running.store(false, ordering: .relaxed)
    let grown = peak.withLock { $0 } - before
    #expect(state.rows == rows)
    // An independent sum: rows with label l < 10 score 1/(l + 1), the others 0.
    var sum = 0.0
    for r in 0..<rows where r % 200 < 10 { sum += 1 / Double(r % 200 + 1) }
    let expected = sum / Double(rows)
    #expect(abs(state.values[0] - expected) < 1e-12)
    #expect(grown < 24 << 20, "RSS grew by \(grown >> 20) MiB for a \(rows * k * 4 >> 20) MiB member")
  }
}
