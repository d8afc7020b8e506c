import Foundation
import TestSupport
import Testing

@testable import MAPKShards

/// The read-ahead's plans: page-aligned ranges inside the mapping that cover
/// each claimed chunk exactly to its end, the chunk ahead only when there is
/// one, and nothing at all for memory that is not a mapped file.
@Suite struct MappedReadAheadTests {
  @Test(arguments: [1, 2, 3, 4] as [UInt64])
  func plansArePageAlignedInsideTheMappingAndCoverTheChunk(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // A header of odd length before the rows, as a .npy has: row 0 is not page-aligned.
    let header = 1 + Int(rng.next() % 300)
    let rowBytes = 4 * (1 + Int(rng.next() % 3000))
    let rows = 1 + Int(rng.next() % 400)
    let path = dir.file("rows.bin")
    try Data(count: header + rows * rowBytes).write(to: URL(fileURLWithPath: path))
    let file = try MappedFile(path: path)
    let base = try #require(file.base) + header
    let workers = 1 + Int(rng.next() % 8)
    let readAhead = try #require(
      MappedReadAhead(base: base, rows: rows, rowBytes: rowBytes, owner: file, workers: workers), "seed \(seed)")
    let page = readAhead.pageBytes
    let perChunk = 1 + Int(rng.next() % UInt64(rows))
    let chunksAhead = max(8, 2 * workers)
    for lower in stride(from: 0, to: rows, by: perChunk) {
      let chunk = lower..<min(rows, lower + perChunk)
      let (ahead, own) = readAhead.plan(rows: chunk)
      for range in [own] + (ahead.map { [$0] } ?? []) {
        #expect(Int(bitPattern: base + range.lowerBound) % page == 0, "not page-aligned (seed \(seed))")
        #expect(header + range.lowerBound >= 0, "starts before the mapping (seed \(seed))")
        #expect(range.upperBound <= rows * rowBytes, "ends past the rows (seed \(seed))")
      }
      #expect(own.lowerBound <= chunk.lowerBound * rowBytes && chunk.lowerBound * rowBytes - own.lowerBound < page)
      #expect(own.upperBound == chunk.upperBound * rowBytes, "seed \(seed)")
      let aheadRow = chunk.lowerBound + chunksAhead * chunk.count
      if aheadRow < rows {
        let a = try #require(ahead, "no chunk ahead though row \(aheadRow) exists (seed \(seed))")
        #expect(a.lowerBound <= aheadRow * rowBytes && aheadRow * rowBytes - a.lowerBound < page)
        #expect(a.upperBound == min(rows, aheadRow + chunk.count) * rowBytes, "seed \(seed)")
      } else {
        #expect(ahead == nil, "a chunk ahead past the last row (seed \(seed))")
      }
      readAhead.prepare(rows: chunk)  // hints only: must not fault or change the bytes
    }
    #expect(file.bytes.allSatisfy { $0 == 0 })
  }

  @Test func memoryThatIsNotAMappedFileGetsNoReadAhead() throws {
    let bytes = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 64)
    defer { bytes.deallocate() }
    final class Holder {}
    #expect(MappedReadAhead(base: bytes, rows: 8, rowBytes: 512, owner: nil, workers: 2) == nil)
    #expect(MappedReadAhead(base: bytes, rows: 8, rowBytes: 512, owner: Holder(), workers: 2) == nil)
  }
}
