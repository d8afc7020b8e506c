import Foundation
import TestSupport
import XCTest

@testable import MAPKShards

/// scipy sparse `.npz` labels: archives scipy wrote (Fixtures/sparse, made by
/// make_fixtures.py), archives assembled here byte by byte (stored, ZIP64,
/// deflated from a raw stream zlib made in Python), and every kind of damage.
///
/// The matrix everywhere is 5 x 7 with rows {1 3}, {}, {0 2 6}, {5}, {1 6}.
final class NPZTests: XCTestCase {
  static let expected: [[Int64]] = [[1, 3], [], [0, 2, 6], [5], [1, 6]]
  static let indptr: [Int32] = [0, 2, 2, 5, 6, 8]
  static let indices: [Int32] = [1, 3, 0, 2, 6, 5, 1, 6]

  static var fixtures: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures/sparse") }

  static func fixture(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: fixtures.appendingPathComponent(name)))
  }

  /// The rows read from archive `bytes`, each sorted (order within a row is
  /// not part of the format's meaning).
  func read(_ bytes: [UInt8], rows: Int = 5) throws -> [[Int64]] {
    let (offsets, values) = try bytes.withUnsafeBytes { try CSRLabels.read($0, rows: rows, path: "l.npz") }
    defer {
      offsets.deallocate()
      values.deallocate()
    }
    XCTAssertEqual(offsets.count, rows + 1)
    return (0..<rows).map { r in Array(values[Int(offsets[r])..<Int(offsets[r + 1])]).sorted() }
  }

  /// The problem of the error reading `bytes` throws.
  func problem(_ bytes: [UInt8], rows: Int = 5, file: StaticString = #filePath, line: UInt = #line) -> String {
    do {
      let got = try read(bytes, rows: rows)
      XCTFail("read \(got), expected an error", file: file, line: line)
    } catch let e as FileError {
      XCTAssertEqual(e.path, "l.npz", file: file, line: line)
      XCTAssertFalse(e.problem.contains("\n"), file: file, line: line)
      return e.problem
    } catch {
      XCTFail("unexpected error \(error)", file: file, line: line)
    }
    return ""
  }

  /// The members of a scipy CSR archive, each replaceable.
  static func members(
    indptr: [UInt8]? = nil, indices: [UInt8]? = nil, data: [UInt8]? = nil, shape: [Int64] = [5, 7],
    format: [UInt8]? = nil
  ) -> [TestZip.Member] {
    let n = Self.indices.count
    return [
      .init("indices.npy", indices ?? NPYBytes.file(descr: "<i4", shape: [n], payload: NPYBytes.bytes(of: Self.indices))),
      .init("indptr.npy", indptr ?? NPYBytes.file(descr: "<i4", shape: [6], payload: NPYBytes.bytes(of: Self.indptr))),
      .init("format.npy", format ?? NPYBytes.file(descr: "|S3", shape: [], payload: Array("csr".utf8))),
      .init("shape.npy", NPYBytes.file(descr: "<i8", shape: [2], payload: NPYBytes.bytes(of: shape))),
      .init("data.npy", data ?? NPYBytes.file(descr: "<f4", shape: [n], payload: NPYBytes.bytes(of: [Float](repeating: 1, count: n)))),
    ]
  }

  static func archive(_ members: [TestZip.Member] = members(), zip64: Bool = false, comment: [UInt8] = []) -> [UInt8] {
    TestZip(members: members, zip64: zip64, comment: comment).bytes()
  }

  // MARK: - Archives that read

  func testArchivesScipyWrote() throws {
    for name in [
      "csr_stored", "csr_deflated", "csr_streamed", "csr_int64", "csr_bool", "csr_explicit_zeros", "csc", "coo",
    ] {
      let path = Self.fixtures.appendingPathComponent(name + ".npz").path
      let labels = try ParsedLabels(path: path, format: .csr, rows: 5, threads: 2)
      let view = labels.rows
      XCTAssertEqual(view.semantics, .sparse, name)
      let rows = (0..<5).map { r in view.range(ofRow: r).map { view.value(at: $0) }.sorted() }
      XCTAssertEqual(rows, Self.expected, name)
    }
  }

  func testStoredAndZIP64ArchivesAssembledByHand() throws {
    XCTAssertEqual(try read(Self.archive()), Self.expected)
    XCTAssertEqual(try read(Self.archive(zip64: true)), Self.expected)
    XCTAssertEqual(try read(Self.archive(comment: Array("a comment PK\u{05}\u{06}".utf8))), Self.expected)
  }

  func testAnArchiveOfZeroRows() throws {
    let members = Self.members(
      indptr: NPYBytes.file(descr: "<i8", shape: [1], payload: NPYBytes.bytes(of: [Int64(0)])),
      indices: NPYBytes.file(descr: "<i8", shape: [0], payload: []),
      data: NPYBytes.file(descr: "<f8", shape: [0], payload: []), shape: [0, 7])
    XCTAssertEqual(try read(Self.archive(members), rows: 0), [])
  }

  func testDeflatedMemberFromARawStream() throws {
    let npy = try Self.fixture("indptr.npy"), deflated = try Self.fixture("indptr.npy.deflate")
    var members = Self.members(indptr: npy)
    members[1].method = 8
    members[1].stored = deflated
    XCTAssertEqual(try read(Self.archive(members)), Self.expected)
    XCTAssertEqual(try read(Self.archive(members, zip64: true)), Self.expected)
  }

  func testFormatAsAUnicodeString() throws {
    let utf32 = Array("csr".unicodeScalars).flatMap { NPYBytes.bytes(of: [UInt32($0.value)]) }
    let members = Self.members(format: NPYBytes.file(descr: "<U3", shape: [], payload: utf32))
    XCTAssertEqual(try read(Self.archive(members)), Self.expected)
  }

  // MARK: - Matrices that do not

  func testOtherFormatsAreRefused() throws {
    XCTAssertEqual(problem(try Self.fixture("bsr.npz")),
                   "sparse format 'bsr' is not supported (csr, csc and coo are; convert with m.tocsr())")
    XCTAssertEqual(problem(try Self.fixture("not_sparse.npz")),
                   "member format.npy is missing (not a scipy sparse matrix: save labels with scipy.sparse.save_npz)")
    let dia = Self.members(format: NPYBytes.file(descr: "|S3", shape: [], payload: Array("dia".utf8)))
    XCTAssertEqual(problem(Self.archive(dia)),
                   "sparse format 'dia' is not supported (csr, csc and coo are; convert with m.tocsr())")
    let number = Self.members(format: NPYBytes.file(descr: "<i8", shape: [], payload: [0, 0, 0, 0, 0, 0, 0, 0]))
    XCTAssertEqual(problem(Self.archive(number)),
                   "member format.npy: expected a short string (dtype |S or <U, shape ()), found dtype '<i8' and shape []")
  }

  func testRowsMustMatchThePredictions() {
    XCTAssertEqual(problem(Self.archive(), rows: 4), "the matrix has 5 rows but the predictions have 4 rows")
    XCTAssertEqual(problem(Self.archive(Self.members(shape: [5, 1 << 62]))),
                   "member shape.npy: must hold the 2 dims of a matrix (found [5, \(1 << 62)])")
    XCTAssertEqual(problem(Self.archive(Self.members(shape: [5, -1]))),
                   "member shape.npy: must hold the 2 dims of a matrix (found [5, -1])")
  }

  /// A COO archive of (row, column) entries, as `row`/`col` members or one `coords`.
  static func coo(_ entries: [(Int64, Int64)], coords: Bool = false) -> [UInt8] {
    let n = entries.count
    let r = entries.map(\.0), c = entries.map(\.1)
    var members = [
      TestZip.Member("format.npy", NPYBytes.file(descr: "|S3", shape: [], payload: Array("coo".utf8))),
      TestZip.Member("shape.npy", NPYBytes.file(descr: "<i8", shape: [2], payload: NPYBytes.bytes(of: [Int64(5), 7]))),
      TestZip.Member("data.npy", NPYBytes.file(descr: "|b1", shape: [n], payload: [UInt8](repeating: 1, count: n))),
    ]
    if coords {
      members.append(.init("coords.npy", NPYBytes.file(descr: "<i8", shape: [2, n], payload: NPYBytes.bytes(of: r + c))))
    } else {
      members.append(.init("row.npy", NPYBytes.file(descr: "<i8", shape: [n], payload: NPYBytes.bytes(of: r))))
      members.append(.init("col.npy", NPYBytes.file(descr: "<i4", shape: [n], payload: NPYBytes.bytes(of: c.map { Int32($0) }))))
    }
    return archive(members)
  }

  func testCOOInAnyOrderWithDuplicates() throws {
    // The matrix's entries shuffled, one of them twice.
    let entries: [(Int64, Int64)] = [(4, 6), (0, 3), (2, 2), (2, 0), (3, 5), (0, 1), (4, 1), (2, 6), (2, 2)]
    var expected = Self.expected
    expected[2] = [0, 2, 2, 6]
    XCTAssertEqual(try read(Self.coo(entries)), expected)
    XCTAssertEqual(try read(Self.coo(entries, coords: true)), expected)
    XCTAssertEqual(problem(Self.coo([(0, 1), (5, 1)])), "member row.npy: row 5 at entry 1 is outside the matrix's 5 rows")
    XCTAssertEqual(problem(Self.coo([(0, 7)], coords: true)), "member coords.npy: column 7 at entry 0 is outside the matrix's 7 columns")
    XCTAssertEqual(problem(Self.coo([(0, -1)])), "member col.npy: column -1 at entry 0 is outside the matrix's 7 columns")
  }

  func testCSCRowIndicesOutsideTheRows() {
    // Column-major: column 0 holds rows [2, 9].
    let members = [
      TestZip.Member("format.npy", NPYBytes.file(descr: "|S3", shape: [], payload: Array("csc".utf8))),
      TestZip.Member("shape.npy", NPYBytes.file(descr: "<i8", shape: [2], payload: NPYBytes.bytes(of: [Int64(5), 2]))),
      TestZip.Member("indptr.npy", NPYBytes.file(descr: "<i4", shape: [3], payload: NPYBytes.bytes(of: [Int32(0), 2, 2]))),
      TestZip.Member("indices.npy", NPYBytes.file(descr: "<i4", shape: [2], payload: NPYBytes.bytes(of: [Int32(2), 9]))),
      TestZip.Member("data.npy", NPYBytes.file(descr: "<f8", shape: [2], payload: NPYBytes.bytes(of: [1.0, 1.0]))),
    ]
    XCTAssertEqual(problem(Self.archive(members)), "member indices.npy: row 9 at entry 1 is outside the matrix's 5 rows")
  }

  func testIndicesOutsideTheColumns() {
    for (bad, value) in [(Int32(7), "7"), (-1, "-1")] {
      var indices = Self.indices
      indices[4] = bad
      let members = Self.members(indices: NPYBytes.file(descr: "<i4", shape: [8], payload: NPYBytes.bytes(of: indices)))
      XCTAssertEqual(problem(Self.archive(members)),
                     "member indices.npy: column \(value) at entry 4 (row 2) is outside the matrix's 7 columns")
    }
  }

  func testLargeMatricesReadIndicesAndDataInParallel() throws {
    // Enough entries (>= 2^16) for the two members to be read on two threads:
    // the same rows, explicit zeros dropped, and the same errors as when serial.
    let rows = 50_000
    var indptr: [Int32] = [0], indices: [Int32] = [], data: [Float] = []
    for r in 0..<rows {
      for j in 0..<(r % 4) {
        indices.append(Int32((r * 7 + j * 3) % 11))
        data.append(j == 2 && r % 8 == 3 ? 0 : 1)  // some explicit zeros
      }
      indptr.append(Int32(indices.count))
    }
    XCTAssertGreaterThanOrEqual(indices.count, 1 << 16)
    func members(_ indices: [Int32], _ data: [Float]) -> [TestZip.Member] {
      Self.members(
        indptr: NPYBytes.file(descr: "<i4", shape: [rows + 1], payload: NPYBytes.bytes(of: indptr)),
        indices: NPYBytes.file(descr: "<i4", shape: [indices.count], payload: NPYBytes.bytes(of: indices)),
        data: NPYBytes.file(descr: "<f4", shape: [data.count], payload: NPYBytes.bytes(of: data)),
        shape: [Int64(rows), 11])
    }
    let got = try read(Self.archive(members(indices, data)), rows: rows)
    for r in 0..<rows {
      let span = Int(indptr[r])..<Int(indptr[r + 1])
      let expected = span.filter { data[$0] != 0 }.map { Int64(indices[$0]) }.sorted()
      XCTAssertEqual(got[r], expected, "row \(r)")
    }
    var bad = indices
    bad[bad.count - 1] = 11
    XCTAssertEqual(problem(Self.archive(members(bad, data)), rows: rows),
                   "member indices.npy: column 11 at entry \(bad.count - 1) (row \(rows - 1)) is outside the matrix's 11 columns")
    XCTAssertTrue(problem(Self.archive(members(indices, Array(data.dropLast()))), rows: rows).contains("data.npy"))
  }

  func testIndptrMustStartAtZeroAndNeverDecrease() {
    func with(_ p: [Int32]) -> [UInt8] {
      Self.archive(Self.members(indptr: NPYBytes.file(descr: "<i4", shape: [p.count], payload: NPYBytes.bytes(of: p))))
    }
    XCTAssertEqual(problem(with([0, 2, 1, 5, 6, 8])), "member indptr.npy: decreases at entry 2 (2 then 1)")
    XCTAssertEqual(problem(with([1, 2, 2, 5, 6, 8])), "member indptr.npy: must start at 0 (found 1)")
    XCTAssertEqual(problem(with([0, 2, 2, 5, 8])),
                   "member indptr.npy: has shape [5], expected [6] for this matrix's shape")
  }

  func testArrayLengthsMustAgree() {
    let short = Self.members(indices: NPYBytes.file(descr: "<i4", shape: [7], payload: NPYBytes.bytes(of: Array(Self.indices.prefix(7)))))
    // The members' headers disagree: refused before any is inflated.
    XCTAssertEqual(problem(Self.archive(short)), "member data.npy: has shape [8] but indices.npy has shape [7]")
    let data = Self.members(data: NPYBytes.file(descr: "<f8", shape: [9], payload: NPYBytes.bytes(of: [Double](repeating: 1, count: 9))))
    XCTAssertEqual(problem(Self.archive(data)), "member data.npy: has shape [9] but indices.npy has shape [8]")
  }

  func testDTypes() {
    let floats = Self.members(indices: NPYBytes.file(descr: "<f4", shape: [8], payload: NPYBytes.bytes(of: [Float](repeating: 1, count: 8))))
    XCTAssertEqual(problem(Self.archive(floats)), "member indices.npy: must be int32 or int64 (found <f4)")
    let objects = Self.members(data: NPYBytes.file(descr: "|O", shape: [8], payload: []))
    XCTAssertEqual(problem(Self.archive(objects)),
                   "member data.npy: unsupported dtype '|O'")
    let bigEndian = Self.members(data: NPYBytes.file(descr: ">f4", shape: [8], payload: NPYBytes.bytes(of: [Float](repeating: 1, count: 8))))
    XCTAssertEqual(problem(Self.archive(bigEndian)),
                   "member data.npy: unsupported dtype '>f4' (big-endian; convert with .astype)")
  }

  func testExplicitZerosOfEveryDTypeAreNotLabels() throws {
    // Entry 4 (row 2, column 6) stored as zero: -0.0 is zero too.
    /// `count` copies of `one` with `zero` at entry `at`.
    func values<T>(_ one: T, zero: T, at: Int = 4, count: Int = 8) -> [UInt8] {
      var v = [T](repeating: one, count: count)
      v[at] = zero
      return NPYBytes.bytes(of: v)
    }
    // Complex: entry 4 is (0, 0); entry 1 is (1, 0) and entry 0 is (0, 1): both nonzero.
    var complex64 = [Float](repeating: 1, count: 16), complex128 = [Double](repeating: 1, count: 16)
    (complex64[8], complex64[9], complex64[3], complex64[0]) = (0, -0.0, 0, 0)
    (complex128[8], complex128[9], complex128[3], complex128[0]) = (-0.0, 0, 0, 0)
    let zeroAt4: [(String, [UInt8])] = [
      ("<f4", values(Float(2), zero: -0.0)),
      ("<f8", values(Double(2), zero: 0)),
      ("<f2", values(UInt16(0x3C00), zero: 0x8000)),  // 1.0 and -0.0
      ("|b1", values(UInt8(1), zero: 0)),
      ("|i1", values(UInt8(255), zero: 0)),
      ("<i8", values(Int64(-5), zero: 0)),
      ("<u2", values(UInt16(256), zero: 0)),
      ("<c8", NPYBytes.bytes(of: complex64)),
      ("<c16", NPYBytes.bytes(of: complex128)),
    ]
    var expected = Self.expected
    expected[2] = [0, 2]
    for (descr, payload) in zeroAt4 {
      let members = Self.members(data: NPYBytes.file(descr: descr, shape: [8], payload: payload))
      XCTAssertEqual(try read(Self.archive(members)), expected, descr)
    }
    // NaN is not zero.
    let nan = Self.members(data: NPYBytes.file(descr: "<f4", shape: [8], payload: NPYBytes.bytes(of: [Float](repeating: .nan, count: 8))))
    XCTAssertEqual(try read(Self.archive(nan)), Self.expected)
  }

  func testMembersAreCheckedBeforeAnyDataIsInflated() throws {
    // A corrupt deflate stream in indptr, and no data member: the missing
    // member is named, so nothing was inflated before the presence check.
    var corrupt = Self.members()
    corrupt[1].method = 8
    corrupt[1].stored = [0xFF, 0xFF, 0xFF, 0xFF]
    corrupt.removeLast()
    XCTAssertTrue(problem(Self.archive(corrupt)).hasPrefix("member data.npy is missing"))
    // A data member whose header declares 2^20 entries for 8 indices (a
    // bomb would be its deflated zeros): refused from the headers alone.
    let npy = try Self.fixture("indptr.npy"), deflated = try Self.fixture("indptr.npy.deflate")
    var lying = Self.members(indptr: npy, data: NPYBytes.file(descr: "<f4", shape: [1 << 20],
                                                              payload: [UInt8](repeating: 0, count: 4 << 20)))
    lying[1].method = 8
    lying[1].stored = deflated
    XCTAssertEqual(problem(Self.archive(lying)), "member data.npy: has shape [1048576] but indices.npy has shape [8]")
  }

  func testMissingMembers() {
    for (i, name) in ["indices", "indptr", "shape", "data"].enumerated() {
      var members = Self.members()
      members.remove(at: [0, 1, 3, 4][i])
      XCTAssertEqual(problem(Self.archive(members)),
                     "member \(name).npy is missing (scipy.sparse.save_npz writes indptr, indices, data, shape and format "
                     + "for a 'csr' matrix)")
    }
  }

  // MARK: - Damaged archives

  func testNotAZipOrTruncated() {
    let notZip = NPYBytes.file(descr: "<i4", shape: [1], payload: [0, 0, 0, 0])
    XCTAssertEqual(problem(notZip), "not a ZIP archive, or truncated (no end of central directory record)")
    XCTAssertEqual(problem([]), "not a ZIP archive (0 bytes, too short)")
    let whole = Self.archive()
    for cut in [1, 10, 22, whole.count / 2, whole.count - 30] {
      XCTAssertEqual(problem(Array(whole.prefix(whole.count - cut))),
                     "not a ZIP archive, or truncated (no end of central directory record)", "cut \(cut)")
    }
    XCTAssertEqual(problem(whole + [0]), "not a ZIP archive, or truncated (no end of central directory record)")
  }

  func testBytesMissingFromTheMiddle() {
    let whole = Self.archive()
    let damaged = Array(whole[0..<100] + whole[110...])
    XCTAssertTrue(problem(damaged).hasPrefix("corrupt ZIP archive: the central directory"))
  }

  func testCRCMismatch() {
    var members = Self.members()
    members[0].crc = 0x1234_5678
    XCTAssertTrue(problem(Self.archive(members)).hasPrefix("member indices.npy: CRC-32 mismatch ("))
    // A flipped data byte, CRC left as recorded.
    var bytes = Self.archive()
    bytes[30 + "indices.npy".utf8.count + 130] ^= 1
    XCTAssertTrue(problem(bytes).hasPrefix("member indices.npy: CRC-32 mismatch ("), problem(bytes))
  }

  func testDeclaredSizesThatDisagree() throws {
    var stored = Self.members()
    stored[0].size = stored[0].content.count + 1
    // Refused from the header alone, before any member is read.
    XCTAssertEqual(problem(Self.archive(stored)),
                   "member indices.npy: declares 161 uncompressed bytes, but its header's shape [8] needs 160")

    let npy = try Self.fixture("indptr.npy"), deflated = try Self.fixture("indptr.npy.deflate")
    func member(size: Int? = nil, raw: [UInt8]? = nil) -> [UInt8] {
      var members = Self.members(indptr: npy)
      members[1].method = 8
      members[1].stored = raw ?? deflated
      members[1].size = size
      return Self.archive(members)
    }
    // A declared size other than the header's is refused before inflating the data.
    XCTAssertEqual(problem(member(size: npy.count - 1)),
                   "member indptr.npy: declares \(npy.count - 1) uncompressed bytes, but its header's shape [6] "
                   + "needs \(npy.count)")
    XCTAssertEqual(problem(member(size: npy.count + 1)),
                   "member indptr.npy: declares \(npy.count + 1) uncompressed bytes, but its header's shape [6] "
                   + "needs \(npy.count)")
    XCTAssertEqual(problem(member(raw: Array(deflated.dropLast(4)))),
                   "member indptr.npy: deflate data is truncated (the stream ends before its last block)")
    XCTAssertEqual(problem(member(raw: deflated + [0, 0])),
                   "member indptr.npy: the deflate stream ends after \(deflated.count) of its declared \(deflated.count + 2) compressed bytes")
    var flipped = deflated
    flipped[0] |= 0x06  // block type 3: invalid
    XCTAssertTrue(problem(member(raw: flipped)).hasPrefix("member indptr.npy: corrupt deflate data ("))
  }

  func testDeflateBombsAreRefusedBeforeInflating() throws {
    // indptr of a 5-row matrix needs 6 * 8 bytes of data (plus a header).
    let npy = try Self.fixture("indptr.npy"), deflated = try Self.fixture("indptr.npy.deflate")
    var members = Self.members(indptr: npy)
    members[1].method = 8
    members[1].stored = deflated
    members[1].size = 1 << 40
    // Only the header is inflated: the declared size is not what it needs.
    XCTAssertEqual(problem(Self.archive(members, zip64: true)),
                   "member indptr.npy: declares \(1 << 40) uncompressed bytes, but its header's shape [6] needs "
                   + "\(npy.count)")
  }

  func testHeaderAndDirectoryMustAgree() {
    var renamed = Self.members()
    renamed[2].localName = "formax.npy"
    XCTAssertEqual(problem(Self.archive(renamed)),
                   "member format.npy: local header and central directory disagree (name or method)")
    var twice = Self.members()
    twice.append(twice[0])
    XCTAssertEqual(problem(Self.archive(twice)), "member indices.npy appears twice in the archive")
  }

  func testUnsupportedFeatures() {
    var encrypted = Self.members()
    encrypted[0].flags = 1
    XCTAssertEqual(problem(Self.archive(encrypted)), "member indices.npy: encrypted members are not supported")
    var bzip2 = Self.members()
    bzip2[0].method = 12
    XCTAssertEqual(problem(Self.archive(bzip2)),
                   "member indices.npy: compression method 12 is not supported (only stored and deflated)")
    var split = Self.archive()
    split[split.count - 22 + 4] = 1  // "number of this disk"
    XCTAssertEqual(problem(split), "split (multi-disk) ZIP archives are not supported")
  }

  func testBrokenZIP64Records() {
    var bytes = Self.archive(zip64: true)
    // The locator (20 bytes before the 22-byte end record) points 8 bytes further.
    let locator = bytes.count - 22 - 20
    bytes[locator + 8] &+= 8
    XCTAssertTrue(problem(bytes).hasPrefix("corrupt ZIP64 end of central directory"), problem(bytes))
  }

  // MARK: - TensorFlow's rules through the whole reader

  func testColumnsAtOrAboveTheClassesCollapseToOneLabel() throws {
    // C = 3 classes ranked 0, 1, 2 in both rows; M = 5 columns.
    // Row 0 {0, 4}: 4 -> -1, n = |{0, -1}| = 2; a hit at rank 1 only: AP@3 = 1/2.
    // Row 1 {0, 3, 4}: 3 and 4 -> one -1, n = 2 again (3 without the collapse): AP@3 = 1/2.
    let dir = try TemporaryDirectory().url
    defer { try? FileManager.default.removeItem(at: dir) }
    let pred = dir.appendingPathComponent("p.npy").path
    try NPYBytes.write([Float](arrayLiteral: 0.9, 0.5, 0.1, 0.9, 0.5, 0.1), descr: "<f4", shape: [2, 3], to: pred)
    let p: [Int32] = [0, 2, 5], c: [Int32] = [0, 4, 0, 3, 4]
    let members = [
      TestZip.Member("indices.npy", NPYBytes.file(descr: "<i4", shape: [5], payload: NPYBytes.bytes(of: c))),
      TestZip.Member("indptr.npy", NPYBytes.file(descr: "<i4", shape: [3], payload: NPYBytes.bytes(of: p))),
      TestZip.Member("format.npy", NPYBytes.file(descr: "|S3", shape: [], payload: Array("csr".utf8))),
      TestZip.Member("shape.npy", NPYBytes.file(descr: "<i8", shape: [2], payload: NPYBytes.bytes(of: [Int64(2), 5]))),
      TestZip.Member("data.npy", NPYBytes.file(descr: "<f4", shape: [5], payload: NPYBytes.bytes(of: [Float](repeating: 1, count: 5)))),
    ]
    let labels = dir.appendingPathComponent("l.npz").path
    try Data(Self.archive(members)).write(to: URL(fileURLWithPath: labels))
    let inputs = try EvaluationInputs(predictions: pred, labels: labels)
    XCTAssertEqual(inputs.labelFormat, .csr)
    let state = try Evaluator(threads: 2).evaluate(
      scores: inputs.scores, labels: inputs.labels, configuration: MAPConfiguration(ks: [1, 3]))
    XCTAssertEqual(state.values, [1, 0.5])
  }
}
