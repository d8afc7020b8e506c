import Foundation
@testable import MAPKShards
import TestSupport
import Testing
import XCTest

/// `CRC32` against the reference (``TestZip/crc32(_:)``, bit by bit from the definition).
@Suite struct CRC32Tests {
  @Test func theStandardCheckValue() {
    var check = CRC32()
    Array("123456789".utf8).withUnsafeBytes { check.update($0) }
    #expect(check.value == 0xCBF4_3926)  // the standard check value
    #expect(CRC32().value == 0)
    #expect(TestZip.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
  }

  @Test(arguments: 1...20 as ClosedRange<UInt64>)
  func randomBytesInRandomPieces(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let bytes = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    var crc = CRC32()
    var at = 0
    while at < bytes.count {  // in pieces: the result must not depend on them
      let n = Int.random(in: 1...(bytes.count - at), using: &rng)
      bytes[at..<(at + n)].withUnsafeBytes { crc.update($0) }
      at += n
    }
    #expect(crc.value == TestZip.crc32(bytes), "seed \(seed)")
  }
}

final class ZipWriterTests: XCTestCase {
  func u16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
  func u32(_ b: [UInt8], _ at: Int) -> Int { u16(b, at) | u16(b, at + 2) << 16 }
  func u64(_ b: [UInt8], _ at: Int) -> Int { u32(b, at) | u32(b, at + 4) << 32 }

  /// Parses the archive by the ZIP specification (APPNOTE 4.3) and returns
  /// each member's name and bytes, checking every header field it reads.
  func members(_ b: [UInt8], zip64Central: Bool) throws -> [(String, [UInt8])] {
    var end = b.count - 22
    XCTAssertEqual(u32(b, end), 0x0605_4B50)
    var count = u16(b, end + 10), size = u32(b, end + 12), start = u32(b, end + 16)
    if zip64Central {
      let locator = end - 20
      XCTAssertEqual(u32(b, locator), 0x0706_4B50)
      end = u64(b, locator + 8)
      XCTAssertEqual(u32(b, end), 0x0606_4B50)
      count = u64(b, end + 32)
      size = u64(b, end + 40)
      start = u64(b, end + 48)
    }
    var out: [(String, [UInt8])] = []
    var at = start
    for _ in 0..<count {
      XCTAssertEqual(u32(b, at), 0x0201_4B50)
      XCTAssertEqual(u16(b, at + 10), 0, "stored")
      let crc = u32(b, at + 16)
      let nameLength = u16(b, at + 28), extraLength = u16(b, at + 30)
      var offset = u32(b, at + 42)
      var length = u32(b, at + 24)
      if extraLength > 0 {
        XCTAssertEqual(u16(b, at + 46 + nameLength), 1)
        var field = at + 46 + nameLength + 4
        if length == 0xFFFF_FFFF {
          length = u64(b, field)
          field += 16
        }
        if offset == 0xFFFF_FFFF { offset = u64(b, field) }
      }
      let name = String(decoding: b[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
      // The local header: sizes in its ZIP64 extra field, as numpy writes them.
      XCTAssertEqual(u32(b, offset), 0x0403_4B50)
      XCTAssertEqual(u32(b, offset + 14), crc)
      XCTAssertEqual(u32(b, offset + 18), 0xFFFF_FFFF)
      XCTAssertEqual(u16(b, offset + 28), 20)
      let localName = u16(b, offset + 26)
      XCTAssertEqual(u64(b, offset + 30 + localName + 4), length)
      let data = Array(b[(offset + 30 + localName + 20)..<(offset + 30 + localName + 20 + length)])
      XCTAssertEqual(Int(TestZip.crc32(data)), crc, name)
      out.append((name, data))
      at += 46 + nameLength + extraLength
    }
    XCTAssertEqual(at, start + size)
    return out
  }

  func write(_ path: String, zip64Limit: Int) throws {
    let zip = try ZipWriter(path: path, protecting: [], zip64Limit: zip64Limit)
    try zip.beginMember(name: "a.bin", size: 5)
    try zip.append(contentsOf: Array("he".utf8))
    try zip.append(contentsOf: Array("llo".utf8))
    try zip.endMember()
    try zip.beginNPYMember(name: "b.npy", type: .int64, shape: [2])
    try zip.append(contentsOf: [Int64(7), -1])
    try zip.endMember()
    try zip.finish()
  }

  func testMembersReadBackByTheSpecification() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    for (limit, zip64) in [((1 << 31) - 1, false), (0, true)] {
      let path = dir.file("t\(limit).zip")
      try write(path, zip64Limit: limit)
      let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
      let m = try members(bytes, zip64Central: zip64)
      XCTAssertEqual(m.map(\.0), ["a.bin", "b.npy"])
      XCTAssertEqual(m[0].1, Array("hello".utf8))
      let npy = m[1].1
      let header = try npy.withUnsafeBytes { try NPYHeader(parsing: $0, path: "b.npy") }
      XCTAssertEqual(header.shape, [2])
      XCTAssertEqual(u64(npy, header.dataOffset), 7)
      // Python's zipfile agrees, ZIP64 records included.
      let script = """
        import sys, zipfile
        z = zipfile.ZipFile(sys.argv[1])
        assert z.testzip() is None
        assert z.namelist() == ['a.bin', 'b.npy'], z.namelist()
        assert z.read('a.bin') == b'hello'
        print('ok')
        """
      if let (status, output) = try runPython(script, arguments: [path]) { XCTAssertEqual(status, 0, output) }
    }
  }

  func testADeclaredSizeNotMetIsAnErrorAndLeavesNothing() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let zip = try ZipWriter(path: dir.file("x.zip"))
    try zip.beginMember(name: "a", size: 3)
    try zip.append(contentsOf: [UInt8(1)])
    XCTAssertThrowsError(try zip.endMember())
    XCTAssertEqual(try dir.contents(), [])
  }
}
