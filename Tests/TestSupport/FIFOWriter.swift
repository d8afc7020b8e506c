import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A named pipe fed by a thread of its own, for tests of stream readers.
public enum FIFOWriter {
  /// Makes a FIFO at `path` and starts a thread that writes `bytes` into it
  /// in pieces of `piece` bytes, then closes it.
  ///
  /// The reader may stop early (an error mid-stream is what many tests
  /// check): the writer's `write` then fails with EPIPE and the thread ends.
  /// SIGPIPE is blocked on that thread, so the signal the failed write raises
  /// stays pending there and is dropped when the thread ends, instead of
  /// killing the whole test process (SIGPIPE is thread-directed when a write
  /// raises it; blocking it per thread leaves the process's disposition, which
  /// child processes inherit, untouched).
  ///
  /// - Returns: whether the FIFO was made.
  @discardableResult
  public static func start(path: String, bytes: [UInt8], piece: Int) -> Bool {
    guard mkfifo(path, 0o600) == 0 else { return false }
    let data = bytes
    Thread.detachNewThread {
      var set = sigset_t()
      sigemptyset(&set)
      sigaddset(&set, SIGPIPE)
      pthread_sigmask(SIG_BLOCK, &set, nil)
      let fd = open(path, O_WRONLY)
      guard fd >= 0 else { return }
      var i = 0
      while i < data.count {
        let n = data[i..<min(i + max(piece, 1), data.count)].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        i += n
      }
      close(fd)
    }
    return true
  }
}
