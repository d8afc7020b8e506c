import Foundation
import MAPKShards
import TestSupport
import XCTest

/// The `.npy` reader: versions, dtypes, shapes, the data offset, and a clear
/// error naming the file for each kind of bad file.
final class NPYReaderTests: XCTestCase {
  var dir: URL!

  override func setUpWithError() throws { dir = try TemporaryDirectory().url }
  override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

  func write(_ bytes: [UInt8], _ name: String = "a.npy") throws -> String {
    let path = dir.appendingPathComponent(name).path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  func problem(_ bytes: [UInt8]) throws -> String {
    let path = try write(bytes)
    do {
      _ = try NPYArray(path: path)
      return "no error"
    } catch let e as FileError {
      XCTAssertEqual(e.path, path)
      XCTAssertFalse(e.problem.contains("\n"))
      return e.problem
    }
  }

  func testVersionsAndShapes() throws {
    let payload = NPYBytes.bytes(of: [Float](repeating: 1.5, count: 6))
    for version: UInt8 in [1, 2, 3] {
      let a = try NPYArray(path: try write(NPYBytes.file(descr: "<f4", shape: [2, 3], payload: payload, version: version)))
      XCTAssertEqual(a.shape, [2, 3])
      XCTAssertEqual(a.type, .float32)
      XCTAssertEqual(a.header.version.major, version)
      XCTAssertEqual(a.data.load(fromByteOffset: 20, as: Float.self), 1.5)
      XCTAssertEqual(a.header.dataOffset % 64, 0)
    }
    let scalar = try NPYArray(path: try write(NPYBytes.file(descr: "<f8", shape: [], payload: NPYBytes.bytes(of: [2.5]))))
    XCTAssertEqual(scalar.shape, [])
    XCTAssertEqual(scalar.header.count, 1)
    let odd = "{'shape': (3,), 'fortran_order': False, 'descr': '<i8'}"  // key order is free
    let a = try NPYArray(path: try write(NPYBytes.file(descr: "", shape: [], payload: NPYBytes.bytes(of: [Int64(1), 2, 3]), dict: odd)))
    XCTAssertEqual(a.shape, [3])
    // Fortran order with at most one dim > 1 is the same layout: accepted.
    XCTAssertEqual(try NPYArray(path: try write(NPYBytes.file(descr: "<f4", shape: [1, 4], payload: NPYBytes.bytes(of: [Float](repeating: 0, count: 4)), fortran: true))).shape, [1, 4])
  }

  func testBadFilesGiveClearErrors() throws {
    let good = NPYBytes.file(descr: "<f4", shape: [2, 3], payload: NPYBytes.bytes(of: [Float](repeating: 0, count: 6)))
    XCTAssertTrue(try problem([]).contains("empty"))
    XCTAssertTrue(try problem(Array("PK\u{3}\u{4}not numpy".utf8)).contains("bad magic"))
    XCTAssertTrue(try problem(Array(good.dropLast(1))).contains("truncated"))
    XCTAssertTrue(try problem(good + [0]).contains("disagree"))
    XCTAssertTrue(try problem(Array(good.prefix(9))).contains("truncated"))
    var longHeader = good
    longHeader[8] = 0xFF; longHeader[9] = 0xFF
    XCTAssertTrue(try problem(longHeader).contains("past the end"))
    var version = good
    version[6] = 9
    XCTAssertTrue(try problem(version).contains("version"))
    let f4 = NPYBytes.bytes(of: [Float](repeating: 0, count: 6))
    XCTAssertTrue(try problem(NPYBytes.file(descr: ">f4", shape: [2, 3], payload: f4)).contains("big-endian"))
    XCTAssertTrue(try problem(NPYBytes.file(descr: "|O", shape: [2], payload: Array(f4.prefix(16)))).contains("object"))
    XCTAssertTrue(try problem(NPYBytes.file(descr: "<U3", shape: [2], payload: f4)).contains("string"))
    XCTAssertTrue(try problem(NPYBytes.file(descr: "<f4", shape: [2, 3], payload: f4, fortran: true)).contains("Fortran"))
    XCTAssertTrue(try problem(NPYBytes.file(descr: "", shape: [], payload: f4, dict: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,)}")).contains("structured"))
    XCTAssertTrue(try problem(NPYBytes.file(descr: "", shape: [], payload: f4, dict: "{'descr': '<f4', 'shape': (6,)}")).contains("keys"))
    XCTAssertTrue(try problem(NPYBytes.file(descr: "", shape: [], payload: f4, dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}")).contains("large"))
    XCTAssertTrue(try problem(NPYBytes.file(descr: "<f4", shape: [3, 3], payload: f4)).contains("truncated"))  // lies: 9 claimed, 6 present
  }

  func testInputsCheckShapesAgainstEachOther() throws {
    let pred = try write(NPYBytes.file(descr: "<f4", shape: [2, 3], payload: NPYBytes.bytes(of: [Float](repeating: 0, count: 6))), "p.npy")
    let badLabels = try write(NPYBytes.file(descr: "<i8", shape: [3, 1], payload: NPYBytes.bytes(of: [Int64](repeating: 0, count: 3))), "l.npy")
    XCTAssertThrowsError(try EvaluationInputs(predictions: pred, labels: badLabels)) { e in
      XCTAssertEqual((e as? FileError)?.path, badLabels)
    }
    let floatLabels = try write(NPYBytes.file(descr: "<f4", shape: [2], payload: NPYBytes.bytes(of: [Float](repeating: 0, count: 2))), "lf.npy")
    XCTAssertThrowsError(try EvaluationInputs(predictions: pred, labels: floatLabels)) { e in
      XCTAssertTrue((e as? FileError)?.problem.contains("int32 or int64") ?? false)
    }
    let labels = try write(NPYBytes.file(descr: "<i4", shape: [2], payload: NPYBytes.bytes(of: [Int32(0), 1])), "l1.npy")
    let badWeights = try write(NPYBytes.file(descr: "<f8", shape: [2, 1], payload: NPYBytes.bytes(of: [1.0, 2.0])), "w.npy")
    XCTAssertThrowsError(try EvaluationInputs(predictions: pred, labels: labels, weights: badWeights)) { e in
      XCTAssertEqual((e as? FileError)?.path, badWeights)
    }
    let negative = try write(NPYBytes.file(descr: "<f8", shape: [2], payload: NPYBytes.bytes(of: [1.0, -2.0])), "wn.npy")
    XCTAssertThrowsError(try EvaluationInputs(predictions: pred, labels: labels, weights: negative)) { e in
      XCTAssertTrue((e as? FileError)?.problem.contains("weight 1 is -2.0") ?? false)
    }
    XCTAssertThrowsError(try EvaluationInputs(predictions: dir.path, labels: labels)) { e in
      XCTAssertTrue((e as? FileError)?.problem.contains("directory") ?? false)
    }
    XCTAssertThrowsError(try EvaluationInputs(predictions: dir.appendingPathComponent("missing.npy").path, labels: labels)) { e in
      XCTAssertTrue((e as? FileError)?.problem.contains("No such file") ?? false)
    }
    let ok = try EvaluationInputs(predictions: pred, labels: labels)
    XCTAssertEqual(ok.rows, 2)
    XCTAssertEqual(ok.classes, 3)
  }
}
