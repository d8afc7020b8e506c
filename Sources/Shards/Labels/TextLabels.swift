import Dispatch

/// The text label format: one line of label ids per row, parsed in parallel
/// from a mapped file into row offsets and values.
///
/// The grammar (docs/formats.md has the same in prose):
/// - A line ends at LF; a CR is allowed only right before an LF (CRLF). The
///   last line needs no LF; a file ending in LF has no extra empty line after
///   it, so `"1\n2\n"` and `"1\n2"` are both two lines, and `"1\n\n"` two
///   lines, the second one empty.
/// - Line i is row i. Lines without labels after the last row are the end of
///   the file, not rows; fewer lines than rows, or labels past the last row,
///   are an error.
/// - Separators are any mix of spaces, tabs and commas, anywhere on a line
///   (leading, trailing, repeated); a line with no token is a row without labels.
/// - A token is an optional `+` or `-` and one or more ASCII digits, base 10,
///   in the Int64 range (`-0` is 0, `+3` is 3, leading zeros are allowed).
/// - Any other byte (letters, `.`, other whitespace, NUL, a byte >= 0x80) makes
///   the token it is in a bad token. The one exception is a UTF-8 byte order
///   mark at the very start of the file, which editors add silently: it is skipped.
enum TextLabels {
  /// Parses the whole file.
  ///
  /// - Parameters:
  ///   - bytes: The file's bytes (the mapping).
  ///   - rows: The number of prediction rows; the file must have as many
  ///     lines. Nil takes every line as a row (for `mapk inspect`).
  ///   - threads: The number of workers.
  ///   - path: The file's name, for errors.
  /// - Returns: `rows + 1` offsets and the values, owned by the caller.
  /// - Throws: ``FileError``: the lowest bad line (its number and token), or
  ///   the line count next to the row count.
  /// - Complexity: O(bytes) work, spread over `threads` workers.
  static func parse(_ bytes: UnsafeRawBufferPointer, rows expectedRows: Int?, threads: Int, path: String) throws
    -> (offsets: UnsafeMutableBufferPointer<Int64>, values: UnsafeMutableBufferPointer<Int64>)
  {
    let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 8)!
    let size = bytes.count
    let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    let bodyStart = size >= 3 && bytes.prefix(3).elementsEqual(bom) ? 3 : 0
    // With the rows known, only their lines are parsed: what follows the
    // last row's LF must be lines without labels, which a scan at memory
    // speed checks without storing anything (a file of many lines past the
    // rows costs nothing but the scan, and its first labelled line is named).
    var end = size
    var pastRows: (line: Int, start: Int)? = nil
    if let rows = expectedRows, let cut = Self.position(afterLine: rows, base, from: bodyStart, to: size) {
      end = cut
      if let q = Self.firstNonBlank(base, from: cut, to: size) {
        let lineStart = Self.lastLF(base, before: q, notBefore: cut).map { $0 + 1 } ?? cut
        pastRows = (rows + 1 + Self.countLF(base, from: cut, to: lineStart), lineStart)
      }
    }
    let starts = chunkStarts(base, from: bodyStart, to: end, threads: threads)

    // Phase 0: the tokens of every chunk counted (a scan at memory speed),
    // so the values are parsed straight into one buffer of the exact size:
    // 8 bytes a label and no scratch per chunk (a chunk that parses has one
    // value per token, a maximal run of bytes that are not separators).
    let chunkCount = starts.count - 1
    let results = UnsafeMutablePointer<Chunk>.allocate(capacity: chunkCount)
    results.initialize(repeating: Chunk(), count: chunkCount)
    defer {
      results.deinitialize(count: chunkCount)
      results.deallocate()
    }
    let shared = Shared(base: base, starts: starts, results: results, size: end)
    let tokenCounts = UnsafeMutablePointer<Int>.allocate(capacity: chunkCount)
    defer { tokenCounts.deallocate() }
    let counts = CountSlots(counts: tokenCounts)
    DispatchQueue.concurrentPerform(iterations: chunkCount) { c in
      counts.counts[c] = countTokens(shared.base, from: shared.starts[c], to: shared.starts[c + 1])
    }
    var valueBases = [0]
    for c in 0..<chunkCount { valueBases.append(valueBases[c] + tokenCounts[c]) }
    let values = UnsafeMutableBufferPointer<Int64>.allocate(capacity: max(1, valueBases[chunkCount]))
    var handedOver = false
    defer { if !handedOver { values.deallocate() } }

    // Phase 1: every chunk parsed into its range of `values` by whichever worker claims it.
    let destination = Destination(values: values.baseAddress!, valueBases: valueBases)
    let claimer = ChunkClaimer(chunkCount: chunkCount)
    DispatchQueue.concurrentPerform(iterations: max(1, min(Evaluator.clampThreads(threads), chunkCount))) { _ in
      // Chunks are claimed in increasing order and nobody claims after a
      // failure, so every chunk before the lowest failing one is complete:
      // its line count is known and the reported line number is global.
      while let c = claimer.claim() {
        let chunk = parseChunk(shared.base, from: shared.starts[c], to: shared.starts[c + 1], fileEnd: shared.size,
                               into: destination.values + destination.valueBases[c],
                               capacity: destination.valueBases[c + 1] - destination.valueBases[c])
        if chunk.failure != nil { claimer.fail(at: c) }
        shared.results[c] = chunk
      }
    }

    var lineBases = [0]
    for c in 0..<chunkCount {
      if let failure = results[c].failure {
        throw FileError(path: path, problem: "line \(lineBases[c] + failure.line + 1): \(failure.problem)")
      }
      lineBases.append(lineBases[c] + results[c].lineEnds.count)
      // A chunk that parsed has exactly one value per token (see phase 0).
      precondition(results[c].valueCount == tokenCounts[c], "a parsed chunk's values are not its tokens")
    }
    let lines = lineBases[chunkCount], valueCount = valueBases[chunkCount]
    let rows = expectedRows ?? lines
    if let (line, lineStart) = pastRows {
      // The rows parsed cleanly; the first line after them that is not blank
      // is parsed alone: its bad token, or its labels, are the error.
      var lineEnd = lineStart
      while lineEnd < size && base[lineEnd] != Self.lf { lineEnd += 1 }
      let alone = parseChunk(base, from: lineStart, to: min(lineEnd + 1, size), fileEnd: size, into: nil, capacity: 0)
      if let failure = alone.failure { throw FileError(path: path, problem: "line \(line): \(failure.problem)") }
      let total = bodyStart < size ? Self.countLF(base, from: bodyStart, to: size) + (base[size - 1] == Self.lf ? 0 : 1) : 0
      throw FileError(path: path, problem: "has \(total) line\(total == 1 ? "" : "s") but the predictions have \(rows) "
                      + "row\(rows == 1 ? "" : "s") (one line per row; an empty line is a row without labels); "
                      + "line \(line), after the last row, has labels", kind: .shapeMismatch)
    }
    /// The number of values on lines 0 ..< line.
    func valuesBefore(line: Int) -> Int {
      guard line > 0 else { return 0 }
      var c = 0
      while lineBases[c + 1] < line { c += 1 }
      return valueBases[c] + results[c].lineEnds[line - 1 - lineBases[c]]
    }
    // Lines without labels after the last row are the end of the file, not
    // rows (what editors and `print` loops leave); any other count is an error.
    if lines != rows && (lines < rows || valuesBefore(line: rows) != valueCount) {
      var problem = "has \(lines) line\(lines == 1 ? "" : "s") but the predictions have \(rows) row\(rows == 1 ? "" : "s")"
        + " (one line per row; an empty line is a row without labels)"
      if lines > rows {
        // The first line past the rows with labels: valuesBefore is monotone.
        let before = valuesBefore(line: rows)
        var lo = rows, hi = lines  // valuesBefore(lo) == before < valuesBefore(hi)
        while hi - lo > 1 {
          let mid = (lo + hi) / 2
          if valuesBefore(line: mid) == before { lo = mid } else { hi = mid }
        }
        problem += "; line \(hi), after the last row, has labels"
      }
      throw FileError(path: path, problem: problem, kind: .shapeMismatch)
    }

    // Phase 2: the row offsets, each chunk's lines into their own range.
    let offsets = UnsafeMutableBufferPointer<Int64>.allocate(capacity: rows + 1)
    offsets[0] = 0
    let output = Output(results: results, offsets: offsets.baseAddress!, rows: rows, lineBases: lineBases,
                        valueBases: valueBases)
    DispatchQueue.concurrentPerform(iterations: chunkCount) { c in
      let chunk = output.results[c]
      let valueBase = output.valueBases[c]
      var row = output.lineBases[c] + 1
      for end in chunk.lineEnds where row <= output.rows {
        output.offsets[row] = Int64(valueBase + end)
        row += 1
      }
    }
    handedOver = true
    return (offsets, values)
  }

  /// One chunk's lines: for each line, the number of this chunk's values up
  /// to its end; the values; the first failure (0-based line within the chunk).
  struct Chunk {
    var lineEnds: [Int] = []
    /// The values written (one per token up to a failure).
    var valueCount = 0
    var failure: (line: Int, problem: String)? = nil
  }

  /// Phase 0's results: chunk c writes `counts[c]` alone.
  struct CountSlots: @unchecked Sendable {
    let counts: UnsafeMutablePointer<Int>
  }

  /// Where phase 1 writes: chunk c only `values[valueBases[c] ..< valueBases[c+1]]`, disjoint ranges.
  struct Destination: @unchecked Sendable {
    let values: UnsafeMutablePointer<Int64>
    let valueBases: [Int]
  }

  /// What the workers of phase 1 share.
  struct Shared: @unchecked Sendable {
    // Sendable: the mapping is read-only; each result slot is written by the
    // one worker that claimed its chunk, and read after concurrentPerform returns.
    let base: UnsafePointer<UInt8>
    let starts: [Int]
    let results: UnsafeMutablePointer<Chunk>
    let size: Int
  }

  /// What the workers of phase 2 share.
  struct Output: @unchecked Sendable {
    // Sendable: chunk c writes only offsets[lineBases[c]+1 ... min(lineBases[c+1], rows)], disjoint ranges.
    let results: UnsafeMutablePointer<Chunk>
    let offsets: UnsafeMutablePointer<Int64>
    /// Lines past this many are trailing lines without labels: no offsets.
    let rows: Int
    let lineBases: [Int]
    let valueBases: [Int]
  }

  /// The position right after the `n`-th LF at or after `from` (`from` for
  /// n = 0), or nil if `from ..< to` holds fewer.
  ///
  /// - Complexity: O(to - from), 8 bytes at a time.
  static func position(afterLine n: Int, _ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
    guard n > 0 else { return from }
    var seen = 0, p = from
    while p + 8 <= to {
      let c = lfCount(UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self))
      if seen + c >= n { break }
      seen += c
      p += 8
    }
    while p < to {
      if base[p] == lf {
        seen += 1
        if seen == n { return p + 1 }
      }
      p += 1
    }
    return nil
  }

  /// The LFs in `from ..< to`.
  static func countLF(_ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
    var count = 0, p = from
    while p + 8 <= to {
      count += lfCount(UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self))
      p += 8
    }
    while p < to {
      if base[p] == lf { count += 1 }
      p += 1
    }
    return count
  }

  /// The LF bytes of a word: exact (no carry crosses bytes: each byte's low
  /// 7 bits plus 0x7F stay below 0x100, and its high bit is or-ed in).
  @inline(__always)
  static func lfCount(_ w: UInt64) -> Int {
    let t = w ^ 0x0A0A_0A0A_0A0A_0A0A
    let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    return (~(((t & low7) &+ low7) | t | low7)).nonzeroBitCount
  }

  /// The first byte in `from ..< to` that can be neither a separator nor a
  /// line end (a CR counts as one only before an LF), or nil if all are.
  static func firstNonBlank(_ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
    var p = from
    while p < to {
      let b = base[p]
      if b == space || b == comma || b == tab || b == lf {
        p += 1
      } else if b == cr && p + 1 < to && base[p + 1] == lf {
        p += 2
      } else {
        return p
      }
    }
    return nil
  }

  /// The last LF before `position`, at or after `lower`.
  static func lastLF(_ base: UnsafePointer<UInt8>, before position: Int, notBefore lower: Int) -> Int? {
    var p = position - 1
    while p >= lower {
      if base[p] == lf { return p }
      p -= 1
    }
    return nil
  }

  /// Chunk boundaries: `from`, then line starts near every `size / pieces`
  /// bytes, then `to`. Every chunk holds whole lines, so chunks parse independently.
  static func chunkStarts(_ base: UnsafePointer<UInt8>, from: Int, to: Int, threads: Int) -> [Int] {
    let length = to - from
    // A few chunks per worker so that uneven lines balance; 64 KiB at least
    // (so small files stay one chunk) and 4 MiB at most (bounded scratch).
    // (Workers are clamped as the evaluator's, so `threads * 8` cannot overflow.)
    let target = min(4 << 20, max(64 << 10, length / (Evaluator.clampThreads(threads) * 8)))
    var starts = [from]
    var nominal = from + target
    while nominal < to {
      // The line start at or after `nominal`: right after the first LF at or after nominal - 1.
      var p = max(nominal - 1, starts[starts.count - 1])
      while p < to && base[p] != lf { p += 1 }
      let boundary = min(p + 1, to)
      if boundary >= to { break }
      if boundary > starts[starts.count - 1] { starts.append(boundary) }
      nominal = max(nominal + target, boundary + 1)
    }
    starts.append(to)
    return starts
  }

  static let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r"), space = UInt8(ascii: " "),
    tab = UInt8(ascii: "\t"), comma = UInt8(ascii: ","), minus = UInt8(ascii: "-"), plus = UInt8(ascii: "+")

  /// True for the bytes that end a token.
  @inline(__always)
  static func endsToken(_ b: UInt8) -> Bool {
    b == space || b == comma || b == tab || b == lf || b == cr
  }

  /// The tokens in `from ..< to`: maximal runs of bytes that are not
  /// separators (space, comma, tab, CR, LF).
  /// - Complexity: O(to - from), one comparison chain per byte.
  static func countTokens(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
    var count = 0
    var inToken = false
    for p in start..<end {
      let separator = endsToken(base[p])
      if !separator && !inToken { count += 1 }
      inToken = !separator
    }
    return count
  }

  /// Parses the whole lines in `from ..< to` into `values` (nil: check
  /// only), at most `capacity` of them; the last chunk (`to == fileEnd`) may
  /// end in a line without LF.
  static func parseChunk(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int, fileEnd: Int,
                         into values: UnsafeMutablePointer<Int64>?, capacity: Int) -> Chunk {
    var chunk = Chunk()
    var p = start
    while p < end {
      let b = base[p]
      if b &- 0x30 < 10 || b == minus || b == plus {
        let tokenStart = p
        let negative = b == minus
        if b == minus || b == plus { p += 1 }
        let digitsStart = p
        var magnitude: UInt64 = 0
        var tooLarge = false
        while p < end {
          let d = base[p] &- 0x30
          if d >= 10 { break }
          // Below this bound, magnitude * 10 + 9 still fits in a UInt64
          // (<= 2^63 + 1), so the range check after the loop is exact.
          if magnitude > 922_337_203_685_477_580 {
            tooLarge = true
          } else {
            magnitude = magnitude &* 10 &+ UInt64(d)
          }
          p += 1
        }
        if p == digitsStart || (p < end && !endsToken(base[p])) {
          chunk.failure = (chunk.lineEnds.count,
                           "bad label '\(token(base, at: tokenStart, end: end))' (not a base-10 integer)")
          return chunk
        }
        let limit: UInt64 = negative ? 1 << 63 : UInt64(Int64.max)
        if tooLarge || magnitude > limit {
          chunk.failure = (chunk.lineEnds.count,
                           "label '\(token(base, at: tokenStart, end: end))' is outside the Int64 range")
          return chunk
        }
        // Two's complement: 0 &- 2^63 is Int64.min's bit pattern, and -0 is 0.
        // A value is a token, so the count of phase 0 bounds the writes.
        if let values, chunk.valueCount < capacity {
          values[chunk.valueCount] = negative ? Int64(bitPattern: 0 &- magnitude) : Int64(magnitude)
        }
        chunk.valueCount += 1
      } else if b == space || b == comma || b == tab {
        p += 1
      } else if b == lf {
        chunk.lineEnds.append(chunk.valueCount)
        p += 1
      } else if b == cr {
        guard p + 1 < end && base[p + 1] == lf else {
          chunk.failure = (chunk.lineEnds.count,
                           "a carriage return not followed by a line feed (line ends must be LF or CRLF)")
          return chunk
        }
        chunk.lineEnds.append(chunk.valueCount)
        p += 2
      } else {
        chunk.failure = (chunk.lineEnds.count,
                         "bad label '\(token(base, at: p, end: end))' (not a base-10 integer)")
        return chunk
      }
    }
    // The last line of the file needs no LF. Chunks before the last end right
    // after an LF, so this only ever adds the file's unterminated last line.
    if end == fileEnd && end > start && base[end - 1] != lf {
      chunk.lineEnds.append(chunk.valueCount)
    }
    return chunk
  }

  /// The token starting at `start` for an error message: up to the next
  /// separator or line end, at most 32 bytes, bytes outside printable ASCII
  /// shown as `\xNN` so the message stays one readable line.
  static func token(_ base: UnsafePointer<UInt8>, at start: Int, end: Int) -> String {
    var p = start
    while p < end && (p == start || !endsToken(base[p])) { p += 1 }
    var text = ""
    for i in start..<min(p, start + 32) {
      let b = base[i]
      if b >= 0x20 && b < 0x7F {
        text.unicodeScalars.append(Unicode.Scalar(b))
      } else {
        let hex = String(b, radix: 16, uppercase: true)
        text += "\\x" + (hex.count == 1 ? "0" : "") + hex
      }
    }
    return p - start > 32 ? text + "..." : text
  }
}
