internal import CMAPKSIMD
import Dispatch

/// Multi-hot labels `[D1..DN, C]` (bool, or int32/int64 holding only 0 and
/// 1; the predictions' shape) compacted into row offsets and column numbers: a row's labels are its
/// true columns, a set (no column can appear twice), counted with
/// `SparseTensor` rules as a CSR indicator matrix of the same bits is.
///
/// Why compact instead of evaluating straight from the bitmap: the kernel's
/// label loop visits a row's labels, not its C flags, so a compact list is
/// what it reads at its own speed; it costs 4 bytes per true entry (int32
/// column numbers: C is below 2^31) plus 8 bytes per row, which for real
/// multi-hot data (a few labels among many columns) is a small fraction of
/// the array itself.
///
/// Read once, in parallel over row chunks claimed with ``ChunkClaimer``:
/// each chunk writes its rows' true columns into a buffer of its own (and
/// checks 0/1 for integers) with the C row scans of `mapk_simd.h`
/// (`mapk_multihot_row_u8` / `_i32` / `_i64`: 32 or 64 bytes per AVX2 or
/// AVX-512 step, a compare, a movemask and a loop over the set bits; any
/// level writes the same), a prefix sum places every chunk, and a second
/// pass copies the columns into place and shifts the offsets: it touches 4
/// bytes per label and 8 per row, not the array.
package final class MultiHotLabels: @unchecked Sendable {
  // Sendable: immutable after init.

  /// `rows + 1` non-decreasing offsets, the first 0.
  let offsets: UnsafeMutableBufferPointer<Int64>
  /// The true columns of every row, in increasing order (capacity at least 1).
  let columns: UnsafeMutableBufferPointer<Int32>
  /// The array they came from (it stays mapped for the size check after a
  /// run); nil for labels compacted from the caller's memory.
  package let array: StoredArray?
  /// The number of true entries.
  package var count: Int { Int(offsets[offsets.count - 1]) }
  /// The number of columns (the array's last dim).
  package let width: Int

  /// The view the evaluator reads; it holds this object.
  package var rows: LabelRows {
    LabelRows(rows: offsets.count - 1, offsets: .explicit(UnsafePointer(offsets.baseAddress!)),
              values: .int32(UnsafePointer(columns.baseAddress!)), semantics: .sparse, owner: self)
  }

  /// Rows per chunk: enough bytes that a claim is amortised, few enough to balance.
  static let chunkBytes = 1 << 20

  /// Compacts the multi-hot array `array`, whose shape is `[rows..., C]`.
  ///
  /// - Parameters:
  ///   - array: A bool, int32 or int64 array of rank at least 1.
  ///   - threads: Workers.
  ///   - chunkBytes: About how many array bytes a worker claims at a time
  ///     (the result does not depend on it).
  /// - Throws: ``FileError`` naming the file: a dtype that is not bool or
  ///   integer, a scalar, more than 2^31 - 1 columns, or an integer that is
  ///   neither 0 nor 1 (naming its row and column).
  package convenience init(_ array: StoredArray, threads: Int, chunkBytes: Int = MultiHotLabels.chunkBytes) throws {
    try self.init(data: array.data, type: array.type, shape: array.shape, path: array.path, array: array,
                  threads: threads, chunkBytes: chunkBytes)
  }

  /// Compacts multi-hot labels in the caller's memory (the C ABI's arrays):
  /// `data` holds `shape.product` elements of `type`, row-major, aligned,
  /// and is read during this call only (nothing of it is kept).
  ///
  /// - Throws: ``FileError`` whose path is `name`, as for an array from a file.
  package convenience init(memory data: UnsafeRawPointer, type: NPYType, shape: [Int], name: String,
                           threads: Int) throws {
    try self.init(data: data, type: type, shape: shape, path: name, array: nil, threads: threads,
                  chunkBytes: MultiHotLabels.chunkBytes)
  }

  private init(data: UnsafeRawPointer, type: NPYType, shape: [Int], path: String, array: StoredArray?,
               threads: Int, chunkBytes: Int) throws {
    guard let width = shape.last else {
      throw FileError(path: path, problem: "multi-hot labels must have rank >= 1 ([D1..DN, C]), found a scalar",
                      kind: .shapeMismatch)
    }
    guard width <= Int(Int32.max) else {
      throw FileError(path: path, problem: "\(width) multi-hot columns exceed the supported 2^31 - 1", kind: .tooLarge)
    }
    let elementWidth: Int
    switch type {
    case .bool: elementWidth = 1
    case .int32: elementWidth = 4
    case .int64: elementWidth = 8
    case .float16, .float32, .float64, .bfloat16, .uint8, .uint16, .uint32, .uint64:
      throw FileError(path: path, problem: "multi-hot labels must be bool, int32 or int64 (found \(type.name))",
                      kind: .unsupportedType)
    }
    let rows = shape.dropLast().reduce(1, *)
    self.array = array
    self.width = width

    let rowBytes = max(1, width * elementWidth)
    let rowsPerChunk = max(1, chunkBytes / rowBytes)
    let chunkCount = max(1, (rows + rowsPerChunk - 1) / rowsPerChunk)
    let scan = Scan(base: data, width: width, elementWidth: elementWidth, level: mapk_simd_level())
    let offsets = UnsafeMutableBufferPointer<Int64>.allocate(capacity: rows + 1)
    offsets[0] = 0

    // Pass 1, the one read of the array: every chunk writes its rows' columns
    // into a buffer of its own and its rows' ends, counted from the chunk's
    // start, into `offsets` (a chunk's slot and rows are written by the one
    // worker that claimed it).
    let pieces = UnsafeMutableBufferPointer<Piece>.allocate(capacity: chunkCount)
    pieces.initialize(repeating: Piece(columns: nil, count: 0))
    defer {
      for piece in pieces { piece.columns?.deallocate() }
      pieces.deallocate()
    }
    let shared = SharedPieces(pieces: pieces, offsets: offsets)
    let claimer = ChunkClaimer(chunkCount: chunkCount)
    let workers = max(1, min(threads, chunkCount))
    // A worker's scratch has room for a chunk whose every flag is true; each
    // chunk's columns are then copied into a buffer of their exact count, so
    // what stays until pass 2 is 4 bytes per label.
    let scratchCapacity = max(1, min(rows, rowsPerChunk) &* width)
    let run: @Sendable (Int) -> Void = { _ in
      let scratch = UnsafeMutablePointer<Int32>.allocate(capacity: scratchCapacity)
      defer { scratch.deallocate() }
      while let c = claimer.claim() {
        let lo = c * rowsPerChunk, hi = min(rows, lo + rowsPerChunk)
        var at = 0
        for r in lo..<hi {
          let k = scan.write(row: r, into: scratch + at)
          guard k >= 0 else {
            claimer.fail(at: r)
            break
          }
          at &+= k
          shared.offsets[r + 1] = Int64(at)
        }
        let piece = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, at))
        piece.update(from: scratch, count: at)
        shared.pieces[c] = Piece(columns: piece, count: at)
      }
    }
    if workers == 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: run) }
    if let r = claimer.lowestFailurePosition {
      // The row's first column holding neither 0 nor 1, found again (only on this error path).
      let column = scan.firstInvalid(row: r)
      offsets.deallocate()
      throw FileError(path: path, problem: "multi-hot labels must hold only 0 and 1: row \(r), column \(column) "
                      + "holds \(scan.value(row: r, column: column))", kind: .badFormat)
    }

    // Prefix sum: where each chunk's columns start.
    var starts = [Int](repeating: 0, count: chunkCount + 1)
    for c in 0..<chunkCount { starts[c + 1] = starts[c] + pieces[c].count }
    let total = starts[chunkCount]
    let chunkStarts = starts
    let columns = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(1, total))
    self.offsets = offsets
    self.columns = columns

    // Pass 2: every chunk copies its columns into place and shifts its rows'
    // ends by its start (a few bytes per label and 8 per row, not the array).
    let out = SharedOutput(offsets: offsets, columns: columns)
    let placer = ChunkClaimer(chunkCount: chunkCount)
    let place: @Sendable (Int) -> Void = { _ in
      while let c = placer.claim() {
        let lo = c * rowsPerChunk, hi = min(rows, lo + rowsPerChunk)
        let start = chunkStarts[c]
        let piece = shared.pieces[c]
        if piece.count > 0, let from = piece.columns {
          (out.columns.baseAddress! + start).update(from: from, count: piece.count)
        }
        let shift = Int64(start)
        for r in lo..<hi { out.offsets[r + 1] &+= shift }
      }
    }
    if workers == 1 { place(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: place) }
  }

  deinit {
    offsets.deallocate()
    columns.deallocate()
  }

  /// One chunk's columns, in a buffer of their exact count (nil until the chunk ran).
  private struct Piece {
    var columns: UnsafeMutablePointer<Int32>?
    var count: Int
  }

  /// The chunks' pieces and the rows' ends, shared by the workers of pass 1 (read in pass 2).
  private struct SharedPieces: @unchecked Sendable {
    // Sendable: each chunk's slot and its rows' offsets are written only by
    // the worker that claimed it; pass 2 reads them after pass 1's run.
    let pieces: UnsafeMutableBufferPointer<Piece>
    let offsets: UnsafeMutableBufferPointer<Int64>
  }

  /// The output buffers, shared by the workers of pass 2.
  private struct SharedOutput: @unchecked Sendable {
    // Sendable: each chunk writes only its own rows' offsets and its own range of
    // columns (placed by the prefix sum), read after the run.
    let offsets: UnsafeMutableBufferPointer<Int64>
    let columns: UnsafeMutableBufferPointer<Int32>
  }

  /// The row-level readers of the array (bool bytes, or 0/1 integers).
  struct Scan: @unchecked Sendable {
    // Sendable: reads only the mapped, read-only array.
    let base: UnsafeRawPointer
    let width: Int
    /// 1 (bool), 4 or 8 (integers).
    let elementWidth: Int
    /// The instruction set of the row scans (`mapk_simd_level()`: every level writes the same).
    let level: Int32

    /// The bytes of one row.
    @inline(__always) func bytes(_ r: Int) -> (UnsafeRawPointer, Int) {
      (base + r &* width &* elementWidth, width &* elementWidth)
    }

    /// Writes row `r`'s true columns, increasing, from `columns` (room for
    /// `width`); returns their count, or -1 if an integer is neither 0 nor 1.
    /// Any nonzero bool byte is true (numpy's bools are 0 or 1; a view of
    /// other bytes reads as numpy's truth).
    @inline(__always) func write(row r: Int, into columns: UnsafeMutablePointer<Int32>) -> Int {
      let p = bytes(r).0
      let n = Int64(width)
      let k: Int64
      switch elementWidth {
      case 1: k = mapk_multihot_row_u8(level, p.assumingMemoryBound(to: UInt8.self), n, columns)
      case 4: k = mapk_multihot_row_i32(level, p.assumingMemoryBound(to: Int32.self), n, columns)
      default: k = mapk_multihot_row_i64(level, p.assumingMemoryBound(to: Int64.self), n, columns)
      }
      return k < 0 ? -1 : Int(k)
    }

    /// The first column of row `r` holding neither 0 nor 1 (integers only).
    func firstInvalid(row r: Int) -> Int {
      (0..<width).first { value(row: r, column: $0) & ~1 != 0 } ?? 0
    }

    /// The integer at (`r`, `c`).
    func value(row r: Int, column c: Int) -> Int64 {
      let p = bytes(r).0
      switch elementWidth {
      case 1: return Int64(p.load(fromByteOffset: c, as: UInt8.self))
      case 4: return Int64(p.loadUnaligned(fromByteOffset: c &* 4, as: Int32.self))
      default: return p.loadUnaligned(fromByteOffset: c &* 8, as: Int64.self)
      }
    }
  }
}
