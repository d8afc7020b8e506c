import Dispatch
import Foundation

/// The buffers between a stream's reader and the workers evaluating it: a
/// fixed set of chunk buffers cycling free → filled → evaluated → free, so
/// memory is `buffers · bufferBytes` whatever the stream's size.
///
/// Filled chunks are taken in the order they were put (FIFO), so chunks
/// reach the workers in increasing row order, the order `ChunkClaimer`
/// needs for the lowest error to win.
final class StreamPipeline: @unchecked Sendable {
  // Sendable: the queues are guarded by `lock`; a buffer belongs to one side at a time.

  /// A filled buffer and the rows it holds.
  struct Chunk {
    let buffer: UnsafeMutableRawPointer
    let rows: Range<Int>
  }

  private let lock = NSLock()
  private var free: [UnsafeMutableRawPointer]
  private var filled: [Chunk?] = []
  private var filledHead = 0
  private let freeCount: DispatchSemaphore
  private let filledCount = DispatchSemaphore(value: 0)
  private let all: [UnsafeMutableRawPointer]

  /// `buffers` buffers of `bufferBytes` bytes each, 64-byte aligned.
  init(buffers: Int, bufferBytes: Int) {
    all = (0..<buffers).map { _ in UnsafeMutableRawPointer.allocate(byteCount: max(1, bufferBytes), alignment: 64) }
    free = all
    freeCount = DispatchSemaphore(value: buffers)
  }

  deinit { for b in all { b.deallocate() } }

  /// A free buffer, waiting until a worker returns one.
  func takeFree() -> UnsafeMutableRawPointer {
    freeCount.wait()
    lock.lock()
    defer { lock.unlock() }
    return free.removeLast()
  }

  /// Gives back a buffer whose rows are evaluated (or dropped).
  func giveBack(_ buffer: UnsafeMutableRawPointer) {
    lock.lock()
    free.append(buffer)
    lock.unlock()
    freeCount.signal()
  }

  /// Hands a filled chunk to the workers; nil tells one worker there is no more.
  func put(_ chunk: Chunk?) {
    lock.lock()
    filled.append(chunk)
    lock.unlock()
    filledCount.signal()
  }

  /// The next filled chunk, waiting for one; nil: no more.
  func take() -> Chunk? {
    filledCount.wait()
    lock.lock()
    defer { lock.unlock() }
    let chunk = filled[filledHead]
    filledHead += 1
    if filledHead == filled.count {
      filled.removeAll(keepingCapacity: true)
      filledHead = 0
    }
    return chunk
  }
}
