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
/// Read in two parallel passes over row chunks claimed with ``ChunkClaimer``:
/// the first counts each chunk's true entries (and checks 0/1 for integers),
/// a prefix sum places every chunk, the second writes offsets and columns.
/// Both passes test 8 bytes per step (a SWAR nonzero-byte test and a
/// popcount), so the array is read at memory speed; rows of all-false words
/// cost one load and one compare per 8 bytes.
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
    let scan = Scan(base: data, width: width, elementWidth: elementWidth)

    // Pass 1: every chunk's count (a chunk's slot is written by the one worker that claimed it).
    let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunkCount)
    defer { counts.deallocate() }
    counts.initialize(repeating: 0)
    let shared = SharedCounts(counts: counts)
    let claimer = ChunkClaimer(chunkCount: chunkCount)
    let workers = max(1, min(threads, chunkCount))
    let run: @Sendable (Int) -> Void = { _ in
      while let c = claimer.claim() {
        let lo = c * rowsPerChunk, hi = min(rows, lo + rowsPerChunk)
        var n = 0
        for r in lo..<hi {
          guard let k = scan.count(row: r) else {
            claimer.fail(at: r)
            break
          }
          n &+= k
        }
        shared.counts[c] = n
      }
    }
    if workers == 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: run) }
    if let r = claimer.lowestFailurePosition {
      let column = scan.firstInvalid(row: r)
      throw FileError(path: path, problem: "multi-hot labels must hold only 0 and 1: row \(r), column \(column) "
                      + "holds \(scan.value(row: r, column: column))", kind: .badFormat)
    }

    // Prefix sum: where each chunk's columns start.
    var starts = [Int](repeating: 0, count: chunkCount + 1)
    for c in 0..<chunkCount { starts[c + 1] = starts[c] + counts[c] }
    let total = starts[chunkCount]
    let chunkStarts = starts
    offsets = .allocate(capacity: rows + 1)
    columns = .allocate(capacity: max(1, total))
    offsets[0] = 0

    // Pass 2: every chunk writes its rows' offsets and columns into its own range.
    let out = SharedOutput(offsets: offsets, columns: columns)
    let writer = ChunkClaimer(chunkCount: chunkCount)
    let write: @Sendable (Int) -> Void = { _ in
      while let c = writer.claim() {
        let lo = c * rowsPerChunk, hi = min(rows, lo + rowsPerChunk)
        var at = chunkStarts[c]
        for r in lo..<hi {
          at = scan.write(row: r, into: out.columns.baseAddress!, at: at)
          out.offsets[r + 1] = Int64(at)
        }
      }
    }
    if workers == 1 { write(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: write) }
  }

  deinit {
    offsets.deallocate()
    columns.deallocate()
  }

  /// The per-chunk counts, shared by the workers of pass 1.
  private struct SharedCounts: @unchecked Sendable {
    // Sendable: each chunk's slot is written only by the worker that claimed it, read after the run.
    let counts: UnsafeMutableBufferPointer<Int>
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

    /// The bytes of one row.
    @inline(__always) func bytes(_ r: Int) -> (UnsafeRawPointer, Int) {
      (base + r &* width &* elementWidth, width &* elementWidth)
    }

    /// The number of true entries of row `r`, or nil if an integer is neither 0 nor 1.
    @inline(__always) func count(row r: Int) -> Int? {
      let (p, n) = bytes(r)
      switch elementWidth {
      case 1:
        // Any nonzero byte is true (numpy's bools are 0 or 1; a view of other bytes reads as numpy's truth).
        var i = 0, k = 0
        while i &+ 32 <= n {
          k &+= (nonzeroBytes(p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            | nonzeroBytes(p.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self)) >> 1
            | nonzeroBytes(p.loadUnaligned(fromByteOffset: i &+ 16, as: UInt64.self)) >> 2
            | nonzeroBytes(p.loadUnaligned(fromByteOffset: i &+ 24, as: UInt64.self)) >> 3).nonzeroBitCount
          i &+= 32
        }
        while i &+ 8 <= n {
          k &+= nonzeroBytes(p.loadUnaligned(fromByteOffset: i, as: UInt64.self)).nonzeroBitCount
          i &+= 8
        }
        while i < n {
          if p.load(fromByteOffset: i, as: UInt8.self) != 0 { k &+= 1 }
          i &+= 1
        }
        return k
      case 4:
        // Two int32 per word: 0/1 each iff no bit but their lowest is set.
        var i = 0, k = 0
        var bad: UInt64 = 0
        while i &+ 8 <= n {
          let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
          bad |= w & ~0x0000_0001_0000_0001
          k &+= (w & 0x0000_0001_0000_0001).nonzeroBitCount
          i &+= 8
        }
        if i < n {
          let w = UInt64(p.loadUnaligned(fromByteOffset: i, as: UInt32.self))
          bad |= w & ~1
          k &+= Int(w & 1)
        }
        return bad == 0 ? k : nil
      default:
        var i = 0, k = 0
        var bad: UInt64 = 0
        while i < n {
          let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
          bad |= w & ~1
          k &+= Int(w & 1)
          i &+= 8
        }
        return bad == 0 ? k : nil
      }
    }

    /// Writes row `r`'s true columns, increasing, from `columns[at]`; returns the end.
    @inline(__always) func write(row r: Int, into columns: UnsafeMutablePointer<Int32>, at: Int) -> Int {
      let (p, n) = bytes(r)
      var at = at
      switch elementWidth {
      case 1:
        var i = 0
        while i &+ 8 <= n {
          var flags = nonzeroBytes(p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
          while flags != 0 {
            columns[at] = Int32(truncatingIfNeeded: i &+ flags.trailingZeroBitCount >> 3)
            at &+= 1
            flags &= flags &- 1
          }
          i &+= 8
        }
        while i < n {
          if p.load(fromByteOffset: i, as: UInt8.self) != 0 {
            columns[at] = Int32(truncatingIfNeeded: i)
            at &+= 1
          }
          i &+= 1
        }
      default:
        // Checked 0/1 by the first pass: the lowest bit is the flag.
        var c = 0
        while c < width {
          if p.load(fromByteOffset: c &* elementWidth, as: UInt8.self) != 0 {
            columns[at] = Int32(truncatingIfNeeded: c)
            at &+= 1
          }
          c &+= 1
        }
      }
      return at
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

/// 0x80 in every byte of `w` that is nonzero, 0 elsewhere (no carry crosses
/// bytes: the low 7 bits of each byte plus 0x7F stay within the byte).
@inline(__always)
func nonzeroBytes(_ w: UInt64) -> UInt64 {
  (((w & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | w) & 0x8080_8080_8080_8080
}
