import Foundation
import MAPKShards
import TestSupport
import Testing

/// Multi-hot labels give the same bits as the same sets written as sparse
/// (text) labels, for bool and 0/1 integer arrays, any thread count and
/// chunk size; bad values and shapes are refused naming the file.
@Suite struct MultiHotLabelsTests {
  /// Random label sets (empty rows included) of `rows` rows over `width` columns.
  func sets(rows: Int, width: Int, rng: inout SplitMix64) -> [[Int]] {
    (0..<rows).map { _ in
      let density = [0.0, 0.02, 0.3, 0.9][Int.random(in: 0..<4, using: &rng)]
      return (0..<width).filter { _ in Double.random(in: 0..<1, using: &rng) < density }
    }
  }

  func flags(_ sets: [[Int]], width: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: sets.count * width)
    for (r, s) in sets.enumerated() { for c in s { out[r * width + c] = 1 } }
    return out
  }

  func writeText(_ sets: [[Int]], to path: String) throws {
    let text = sets.map { $0.map(String.init).joined(separator: " ") + "\n" }.joined()
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  }

  func bits(predictions: String, labels: String, format: LabelFormat? = nil, threads: Int = 2) throws -> [UInt64] {
    let inputs = try EvaluationInputs(predictions: predictions, labels: labels, labelFormat: format, threads: threads)
    let classes = inputs.classes
    let configuration = try MAPConfiguration(ks: Array(Set([1, min(3, classes), min(8, classes)])).sorted(),
                                             emptyRows: .zero)
    let state = try Evaluator(threads: threads).evaluate(scores: inputs.scores, labels: inputs.labels,
                                                         configuration: configuration)
    return state.values.map(\.bitPattern) + state.results.map(\.total.bitPattern) + state.results.map(\.max.bitPattern)
  }

  @Test(arguments: [1, 2, 3, 4] as [UInt64])
  func sameBitsAsSparseLabels(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // Widths around the 8- and 32-byte steps of the scan.
    let width = [1, 7, 8, 9, 31, 33, 70][Int(seed) % 7 + Int.random(in: 0..<1, using: &rng)]
    let rows = 257
    let s = sets(rows: rows, width: width, rng: &rng)
    let scores = (0..<(rows * width)).map { _ in Float(Int.random(in: 0..<6, using: &rng)) / 4 }
    let p = try NPYBytes.write(scores, descr: "<f4", shape: [rows, width], to: dir.file("p.npy"))
    try writeText(s, to: dir.file("l.txt"))
    let reference = try bits(predictions: p, labels: dir.file("l.txt"))

    let f = flags(s, width: width)
    let b = try NPYBytes.write(f, descr: "|b1", shape: [rows, width], to: dir.file("b.npy"))
    let i32 = try NPYBytes.write(f.map { Int32($0) }, descr: "<i4", shape: [rows, width], to: dir.file("i4.npy"))
    let i64 = try NPYBytes.write(f.map { Int64($0) }, descr: "<i8", shape: [rows, width], to: dir.file("i8.npy"))
    for threads in [1, 2, 5] {
      #expect(try bits(predictions: p, labels: b, threads: threads) == reference, "bool, \(threads) threads")
      #expect(try bits(predictions: p, labels: b, format: .multihot, threads: threads) == reference)
      #expect(try bits(predictions: p, labels: i32, format: .multihot, threads: threads) == reference, "int32")
      #expect(try bits(predictions: p, labels: i64, format: .multihot, threads: threads) == reference, "int64")
    }
    let inputs = try EvaluationInputs(predictions: p, labels: b)
    #expect(inputs.labelFormat == .multihot)
  }

  @Test(arguments: [5, 6] as [UInt64])
  func compactionDoesNotDependOnChunksOrThreads(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (rows, width) = (1_000, 45)
    let s = sets(rows: rows, width: width, rng: &rng)
    let path = try NPYBytes.write(flags(s, width: width), descr: "|b1", shape: [10, 100, width], to: dir.file("b.npy"))
    let array = try FileFormat.npy.readArray(path: path)
    for threads in [1, 3, 8] {
      for chunkBytes in [1, 100, 4_096, 1 << 20] {
        let labels = try MultiHotLabels(array, threads: threads, chunkBytes: chunkBytes)
        let view = labels.rows
        #expect(view.rows == rows)
        let read = (0..<rows).map { r in view.range(ofRow: r).map { Int(view.value(at: $0)) } }
        #expect(read == s, "threads \(threads), chunk \(chunkBytes)")
        #expect(labels.count == s.reduce(0) { $0 + $1.count })
      }
    }
  }

  @Test func integersOtherThanZeroAndOneAreRefusedNamingTheEntry() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    var values = [Int32](repeating: 0, count: 6 * 5)
    values[1] = 1
    values[3 * 5 + 2] = 2
    values[4 * 5 + 0] = -1
    let path = try NPYBytes.write(values, descr: "<i4", shape: [6, 5], to: dir.file("l.npy"))
    let array = try FileFormat.npy.readArray(path: path)
    for threads in [1, 4] {
      #expect {
        _ = try MultiHotLabels(array, threads: threads, chunkBytes: 1)
      } throws: { error in
        let e = error as? FileError
        return e?.path == path && e?.problem == "multi-hot labels must hold only 0 and 1: row 3, column 2 holds 2"
      }
    }
  }

  @Test func floatsAndMismatchedShapesAreRefused() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let p = try NPYBytes.write([Float](repeating: 0, count: 12), descr: "<f4", shape: [4, 3], to: dir.file("p.npy"))
    let f = try NPYBytes.write([Float](repeating: 0, count: 12), descr: "<f4", shape: [4, 3], to: dir.file("f.npy"))
    #expect(throws: FileError.self) { try EvaluationInputs(predictions: p, labels: f, labelFormat: .multihot) }
    let b = try NPYBytes.write([UInt8](repeating: 1, count: 9), descr: "|b1", shape: [3, 3], to: dir.file("b.npy"))
    #expect {
      try EvaluationInputs(predictions: p, labels: b)
    } throws: { error in
      (error as? FileError)?.problem
        == "multi-hot labels of shape [3, 3] do not match predictions of shape [4, 3] (one column per class: expected [4, 3])"
    }
  }

  @Test func zeroOneIntegerLabelsWithOneColumnPerClassWarn() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let p = try NPYBytes.write([Float](repeating: 0, count: 12), descr: "<f4", shape: [4, 3], to: dir.file("p.npy"))
    let ones = try NPYBytes.write([Int64](arrayLiteral: 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0), descr: "<i8", shape: [4, 3],
                                  to: dir.file("ones.npy"))
    let ids = try NPYBytes.write([Int64](arrayLiteral: 0, 1, 1, 0, 0, 0, 1, 1, 2, 0, 1, 0), descr: "<i8", shape: [4, 3],
                                 to: dir.file("ids.npy"))
    let narrow = try NPYBytes.write([Int64](arrayLiteral: 0, 1, 1, 0, 0, 0, 1, 1), descr: "<i8", shape: [4, 2],
                                    to: dir.file("narrow.npy"))
    #expect(try EvaluationInputs(predictions: p, labels: ones).warnings == [.looksMultiHot(path: ones, shape: [4, 3])])
    #expect(try EvaluationInputs(predictions: p, labels: ids).warnings.isEmpty)
    #expect(try EvaluationInputs(predictions: p, labels: narrow).warnings.isEmpty)
    #expect(try EvaluationInputs(predictions: p, labels: ones, labelFormat: .multihot).warnings.isEmpty)
  }
}
