import Foundation
import MAPKShards
import TestSupport
import Testing
import XCTest

final class NPYWriterTests: XCTestCase {
  /// numpy's documented layout (numpy.lib.format), written out by hand: magic,
  /// version 1.0, a 2-byte little-endian header length, the dict with sorted
  /// keys and a trailing ", ", 21 - digits(first dim) spaces, space padding
  /// and a newline so that the data starts at a multiple of 64.
  func handHeader(_ dict: String, growth: Int) -> [UInt8] {
    let body = Array(dict.utf8) + Array(repeating: UInt8(ascii: " "), count: growth)
    var padding = 64 - (10 + body.count + 1) % 64
    if padding == 0 { padding = 64 }  // never 0: numpy adds a full 64 then
    let length = body.count + padding + 1
    return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
      + body + Array(repeating: UInt8(ascii: " "), count: padding) + [0x0A]
  }

  func testHeadersAreNumpysBytes() {
    XCTAssertEqual(NPYWriter.header(descr: "<f8", shape: [3]),
                   handHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", growth: 20))
    XCTAssertEqual(NPYWriter.header(descr: "<f8", shape: []),
                   handHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", growth: 0))
    XCTAssertEqual(NPYWriter.header(descr: "<i4", shape: [2, 3]),
                   handHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", growth: 20))
    XCTAssertEqual(NPYWriter.header(descr: "<f2", shape: [1_000_000, 7, 0]),
                   handHeader("{'descr': '<f2', 'fortran_order': False, 'shape': (1000000, 7, 0), }", growth: 14))
    // The first bytes numpy 2.x wrote for np.save(f, np.zeros(3)), copied from its output.
    let numpy = Array("\u{93}NUMPY".unicodeScalars.map { UInt8($0.value) }) + [1, 0, 0x76, 0]
      + Array("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }".utf8)
    let ours = NPYWriter.header(descr: "<f8", shape: [3])
    XCTAssertEqual(Array(ours.prefix(numpy.count)), numpy)
    XCTAssertEqual(ours.count, 128)
  }

  func testHeaderLengthIsAMultipleOf64ForEveryShape() {
    for rank in 0...12 {
      for first in [0, 1, 9, 10, 123_456_789] {
        let shape = rank == 0 ? [] : [first] + Array(repeating: 17, count: rank - 1)
        let h = NPYWriter.header(descr: "<f4", shape: shape)
        XCTAssertEqual(h.count % 64, 0, "shape \(shape)")
        XCTAssertEqual(h.last, 0x0A, "shape \(shape)")
      }
    }
  }

  func testAHeaderTooLongForVersion1UsesVersion2() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let shape = Array(repeating: 1, count: 25_000)  // "1, " x 25000 > 65535 bytes
    let header = NPYWriter.header(descr: "<f8", shape: shape)
    XCTAssertEqual(Array(header[6..<8]), [2, 0])
    XCTAssertEqual(header.count % 64, 0)
    let path = dir.file("v2.npy")
    let writer = try NPYWriter(path: path, type: .float64, shape: shape)
    try writer.append(contentsOf: [2.5])
    try writer.finish()
    let array = try NPYArray(path: path)
    XCTAssertEqual(array.header.version.major, 2)
    XCTAssertEqual(array.shape.count, 25_000)
    XCTAssertEqual(array.data.load(as: Double.self), 2.5)
  }

  func testIncompleteOrAbandonedWritesLeaveNothing() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let short = try NPYWriter(path: dir.file("short.npy"), type: .int32, shape: [4])
    try short.append(contentsOf: [Int32(1), 2])
    XCTAssertThrowsError(try short.finish())
    do {
      let abandoned = try NPYWriter(path: dir.file("abandoned.npy"), type: .int32, shape: [1])
      try abandoned.append(contentsOf: [Int32(1)])
    }
    XCTAssertEqual(try dir.contents(), [])
  }

  func testAnExistingOutputIsReplacedWholeButAnInputIsRefused() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let input = dir.file("in.npy")
    try Data("keep me".utf8).write(to: URL(fileURLWithPath: input))
    XCTAssertThrowsError(try NPYWriter(path: input, type: .float64, shape: [0], protecting: [input])) { error in
      XCTAssertTrue("\(error)".contains("refusing to overwrite"), "\(error)")
    }
    XCTAssertEqual(try String(contentsOfFile: input, encoding: .utf8), "keep me")
    let writer = try NPYWriter(path: input, type: .float64, shape: [0])
    try writer.finish()
    XCTAssertEqual(try NPYArray(path: input).shape, [0])
  }

  func testAMissingDirectoryIsAFileError() {
    XCTAssertThrowsError(try NPYWriter(path: "/nonexistent-mapk-dir/x.npy", type: .float64, shape: [1])) { error in
      XCTAssertEqual((error as? FileError)?.path, "/nonexistent-mapk-dir/x.npy")
    }
  }

  func testNumpyLoadsWhatItWrites() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.file("np.npy")
    let writer = try NPYWriter(path: path, type: .float64, shape: [2, 3])
    try writer.append(contentsOf: [0.5, -1, .nan, 3, 4, 1e300])
    try writer.finish()
    let script = """
      import sys, io
      try:
          import numpy as np
      except ImportError:
          sys.exit(3)
      a = np.load(sys.argv[1])
      assert a.dtype == np.float64 and a.shape == (2, 3), (a.dtype, a.shape)
      b = io.BytesIO(); np.save(b, a)
      ours = open(sys.argv[1], 'rb').read()
      assert ours == b.getvalue(), "numpy writes other bytes"
      print(a.tolist())
      """
    guard let (status, output) = try runPython(script, arguments: [path]) else {
      throw XCTSkip("python3 with numpy is not available")
    }
    XCTAssertEqual(status, 0, output)
    XCTAssertTrue(output.contains("[[0.5, -1.0, nan], [3.0, 4.0, 1e+300]]"), output)
  }
}

/// The writer's bytes read back by the reader, written in random chunks.
@Suite struct NPYWriterRoundTripTests {
  @Test(arguments: 1...12 as ClosedRange<UInt64>)
  func roundTripThroughTheReaderInRandomChunks(seed: UInt64) throws {
    let dir = try TemporaryDirectory("NPYWriterRoundTrip-\(seed)")
    defer { dir.remove() }
    var rng = SplitMix64(seed: seed)
    // Every dtype a .npy can hold (bfloat16 comes from .safetensors only: the writer refuses it).
    let types = NPYType.allCases.filter { $0 != .bfloat16 }
    let type = types[Int(seed) % types.count]
    let rank = Int.random(in: 0...3, using: &rng)
    let shape = (0..<rank).map { _ in Int.random(in: 0...6, using: &rng) }
    let count = shape.reduce(1, *)
    let bytes = (0..<(count * type.byteWidth)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    let path = dir.file("a\(seed).npy")
    let writer = try NPYWriter(path: path, type: type, shape: shape)
    #expect(!FileManager.default.fileExists(atPath: path), "seed \(seed): visible before finish")
    var at = 0
    while at < bytes.count {
      let n = Int.random(in: 1...(bytes.count - at), using: &rng)
      try bytes[at..<(at + n)].withUnsafeBytes { try writer.append($0) }
      at += n
    }
    try writer.finish()
    let array = try NPYArray(path: path)
    #expect(array.type == type, "seed \(seed)")
    #expect(array.shape == shape, "seed \(seed)")
    #expect(array.header.version.major == 1, "seed \(seed)")
    #expect(array.header.dataOffset % 64 == 0, "seed \(seed)")
    let data = Array(UnsafeRawBufferPointer(start: array.data, count: bytes.count))
    #expect(data == bytes, "seed \(seed)")
    #expect(!(try dir.contents().contains { $0.hasSuffix(".tmp") }))
  }
}
