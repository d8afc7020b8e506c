// libFuzzer target: a `.npy` (scores or ranked ids) read as a stream (stdin, a pipe, an inflated
// `.npz` member) on arbitrary bytes, delivered in pieces whose sizes come
// from the input: the header read in pieces, then the rows evaluated through
// the streaming pipeline (threads, chunk buffers, truncation, trailing bytes).
// Any refusal must be a one-line FileError; an accepted stream must have
// been read to its end.

/// The fuzz input as a byte source: the first byte sets the piece size.
final class FuzzBytes: ByteSource {
  let path = "fuzz-stream"
  let bytes: [UInt8]
  let piece: Int
  var position = 1

  init(_ bytes: [UInt8]) {
    self.bytes = bytes
    piece = 1 + Int(bytes.first ?? 0) % 97
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let n = min(buffer.count, piece, bytes.count - position)
    guard n > 0 else { return 0 }
    for i in 0..<n { buffer[i] = bytes[position + i] }
    position += n
    return n
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func scoreStreamFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let source = FuzzBytes(Array(UnsafeBufferPointer(start: data, count: size)))
  guard case .success(let stream) = expectingFileErrors({ try ScoreStream(source: source) }) else { return 0 }
  precondition(stream.rowBytes <= ScoreStream.maximumRowBytes && stream.classes > 0, "row size")
  // Rows with one label each (class 0), few enough to hold.
  guard stream.rows <= 4096 else { return 0 }
  let labels = Labels.dense(rows: Array(repeating: [0], count: stream.rows))
  let configuration = try! MAPConfiguration(ks: [1], nanScores: .largest)
  let evaluator = Evaluator(threads: 3, chunkBytes: 1 + Int(source.piece) * 7)
  // Ranked ids may be refused row by row (a repeated or negative id): a MAPKError naming the row, not a crash.
  let outcome = labels.withRows { rows in
    expectingFileErrors { () throws -> MAPState? in
      do {
        return try evaluator.evaluate(stream: stream, labels: rows, configuration: configuration)
      } catch let error as MAPKError where stream.holdsRankedIDs {
        precondition(!error.description.contains(where: \.isNewline), "a multi-line error: \(error)")
        return nil
      }
    }
  }
  if case .success(let state?) = outcome {
    precondition(state.rows == stream.rows && source.position == source.bytes.count, "accepted but not read whole")
  }
  return 0
}
