import Foundation
import MAPKShards
import MAPKKernel
import TestSupport
import Testing

/// Unsigned ranked ids and labels (`|u1 <u2 <u4 <u8`) evaluate as the same
/// values stored signed (int64), to the bit; a `<u8` value above 2^63 - 1
/// is refused naming its row.
@Suite struct UnsignedIDsTests {
  let configuration = try! MAPConfiguration(ks: [1, 2, 4], metrics: [.averagePrecision, .precision], emptyRows: .zero)

  func bits(_ predictions: String, _ labels: String, pad: Int64 = -1) throws -> [UInt64] {
    let inputs = try EvaluationInputs(predictions: predictions, labels: labels,
                                      rankedIDs: RankedIDReading(pad: pad, duplicates: .first))
    let state = try Evaluator(threads: 2).evaluate(inputs, configuration: configuration)
    return state.values.map(\.bitPattern) + state.results.map(\.total.bitPattern)
  }

  func write<T: FixedWidthInteger>(_ values: [Int64], as _: T.Type, descr: String, shape: [Int], to path: String) throws {
    try NPYBytes.write(values.map { T(truncatingIfNeeded: $0) }, descr: descr, shape: shape, to: path)
  }

  @Test func unsignedIDsAndLabelsGiveTheSignedBits() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    var rng = SplitMix64(seed: 1201)
    let rows = 300, k = 6, classes = 200, pad: Int64 = 199
    // Ids below 200 (they fit every width), each row distinct, some padded with 199.
    var ids: [Int64] = []
    var labels: [Int64] = []
    for _ in 0..<rows {
      var row: [Int64] = []
      while row.count < k {
        let id = Int64(rng.next() % UInt64(classes - 1))
        if !row.contains(id) { row.append(id) }
      }
      if rng.next() % 4 == 0 { row[k - 1] = pad }
      ids += row
      labels += (0..<3).map { _ in Int64(rng.next() % UInt64(classes - 1)) }
    }
    try NPYBytes.write(ids, descr: "<i8", shape: [rows, k], to: dir.file("ids.npy"))
    try NPYBytes.write(labels, descr: "<i8", shape: [rows, 3], to: dir.file("labels.npy"))
    let reference = try bits(dir.file("ids.npy"), dir.file("labels.npy"), pad: pad)
    for (descr, name) in [("|u1", "u1"), ("<u1", "u1b"), ("<u2", "u2"), ("<u4", "u4"), ("<u8", "u8")] {
      let p = dir.file("ids_\(name).npy"), l = dir.file("labels_\(name).npy")
      switch name {
      case "u1", "u1b":
        try write(ids, as: UInt8.self, descr: descr, shape: [rows, k], to: p)
        try write(labels, as: UInt8.self, descr: descr, shape: [rows, 3], to: l)
      case "u2":
        try write(ids, as: UInt16.self, descr: descr, shape: [rows, k], to: p)
        try write(labels, as: UInt16.self, descr: descr, shape: [rows, 3], to: l)
      case "u4":
        try write(ids, as: UInt32.self, descr: descr, shape: [rows, k], to: p)
        try write(labels, as: UInt32.self, descr: descr, shape: [rows, 3], to: l)
      default:
        try write(ids, as: UInt64.self, descr: descr, shape: [rows, k], to: p)
        try write(labels, as: UInt64.self, descr: descr, shape: [rows, 3], to: l)
      }
      #expect(try bits(p, dir.file("labels.npy"), pad: pad) == reference, "\(descr) ids")
      #expect(try bits(dir.file("ids.npy"), l, pad: pad) == reference, "\(descr) labels")
      #expect(try bits(p, l, pad: pad) == reference, "\(descr) both")
    }
  }

  @Test func u8ValuesAboveInt64MaxAreRefused() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try NPYBytes.write([UInt64(1), 2, 3, 4, UInt64.max, 6], descr: "<u8", shape: [3, 2], to: dir.file("ids.npy"))
    try NPYBytes.write([Int64(1), 2, 3], descr: "<i8", shape: [3], to: dir.file("labels.npy"))
    #expect {
      _ = try EvaluationInputs(predictions: dir.file("ids.npy"), labels: dir.file("labels.npy"))
    } throws: {
      ($0 as? FileError)?.description == dir.file("ids.npy") + ": <u8 value 18446744073709551615 at row 2 is above "
        + "the int64 maximum 2^63 - 1 (ids and labels are read as int64)"
    }
  }
}
