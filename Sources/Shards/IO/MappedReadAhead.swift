/// Reads a mapped file ahead of the workers scanning it, so that a dump
/// that is not in the page cache (larger than memory, or cold) arrives at the
/// disk's rate instead of one page fault at a time.
///
/// Measured on this project's 2-core VM with a 30 GB dump on a cold page
/// cache (`docs/performance.md`, "Larger than memory"): scanning the mapping
/// with only `MADV_SEQUENTIAL` ran at 0.72-0.85 of `cat FILE > /dev/null`;
/// each worker asking for the chunk eight chunks ahead of its own
/// (`MADV_WILLNEED`, asynchronous) and mapping its own chunk's pages in one
/// call (`MADV_POPULATE_READ`) ran at `cat`'s rate. On a hot file both cost
/// 15-20% of the scan, so they are made only when the last page of the
/// chunk ahead is not resident (one `mincore` of one page per chunk).
///
/// Only hints: nothing here changes what is read or any result, and every
/// failure is ignored.
package struct MappedReadAhead: @unchecked Sendable {
  // Sendable: addresses into a read-only mapping the evaluation keeps alive.
  private let first: UnsafeRawPointer
  private let byteCount: Int
  private let rowBytes: Int
  private let pageSize: Int
  /// How many chunks ahead of its own a worker asks for.
  private let chunksAhead: Int

  /// The read-ahead for `rows` rows of `rowBytes` bytes from `base`, when
  /// `owner` is a mapped file (not a stream, not memory of the caller's:
  /// an array in memory has nothing to read); nil otherwise.
  ///
  /// - Parameters:
  ///   - base: Row 0's first byte.
  ///   - rows: The rows.
  ///   - rowBytes: The bytes of one row.
  ///   - owner: The object keeping the memory alive (a view's `owner`).
  ///   - workers: The workers scanning at once (each holds a chunk: the
  ///     chunk asked for must be past all of theirs).
  package init?(base: UnsafeRawPointer, rows: Int, rowBytes: Int, owner: AnyObject?, workers: Int) {
    guard let file = owner as? MappedFile, !file.isStream, rows > 0, rowBytes > 0,
          case let (bytes, overflow) = rows.multipliedReportingOverflow(by: rowBytes), !overflow
    else { return nil }
    first = base
    byteCount = bytes
    self.rowBytes = rowBytes
    pageSize = System.pageSize
    chunksAhead = max(8, 2 * workers)
  }

  /// What ``prepare(rows:)`` asks for, as byte ranges relative to row 0's
  /// first byte, each starting on a page boundary (so it may start before
  /// row 0, inside the mapping: a `.npy` header comes first) and ending at
  /// the rows' end or earlier: the chunk ahead (nil past the last row) and
  /// this chunk's own pages.
  package func plan(rows: Range<Int>) -> (ahead: Range<Int>?, own: Range<Int>) {
    let n = rows.count
    let ownStart = pageAligned(rows.lowerBound * rowBytes)
    let own = ownStart..<min(byteCount, rows.upperBound * rowBytes)
    let aheadRow = rows.lowerBound &+ chunksAhead &* n
    guard n > 0, aheadRow < byteCount / rowBytes else { return (nil, own) }
    let lower = aheadRow * rowBytes
    let upper = min(byteCount, lower + n * rowBytes)
    return (pageAligned(lower)..<upper, own)
  }

  /// Called by a worker that just claimed `rows`: when the last page of the
  /// chunk `chunksAhead` chunks further (of the same size) is not resident,
  /// the file is being read from disk: asks for that chunk and maps this
  /// chunk's pages in one call. When it is resident, does nothing more: on
  /// a hot file the scan's own faults (64 KB of fault-around each) were
  /// measured faster than one `MADV_POPULATE_READ` per chunk (12.7 - 14.1
  /// against 9.7 - 11.7 GB/s on the 800 MB dump, 2 workers).
  package func prepare(rows: Range<Int>) {
    guard !rows.isEmpty else { return }
    let (ahead, own) = plan(rows: rows)
    guard let ahead, !System.isResident(page: first + pageAligned(ahead.upperBound - 1), pageSize: pageSize)
    else { return }
    System.readAhead(first + ahead.lowerBound, length: ahead.count)
    System.populateForReading(first + own.lowerBound, length: own.count)
  }

  /// The offset of the page holding byte `offset` of the rows, relative to
  /// `first` (which need not be page-aligned: a `.npy` header comes first).
  private func pageAligned(_ offset: Int) -> Int {
    let address = UInt(bitPattern: Int(bitPattern: first) &+ offset)
    let aligned = address & ~UInt(pageSize - 1)
    return Int(bitPattern: aligned) &- Int(bitPattern: first)
  }

  /// The system's page size (the plans' alignment).
  package var pageBytes: Int { pageSize }
}
