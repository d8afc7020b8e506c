#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place that calls the operating system. Each wrapper retries on
/// `EINTR` and turns `errno` into a ``FileError`` carrying the file's path.
package enum System {
  /// Opens `path` read-only. The corresponding C function is `open`.
  ///
  /// `O_NONBLOCK` makes opening a FIFO return at once instead of waiting for
  /// a writer (the caller then refuses it as not a regular file); it changes
  /// nothing for regular files.
  static func openReadOnly(_ path: String) throws(FileError) -> Int32 {
    while true {
      let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
      if fd >= 0 { return fd }
      if errno != EINTR { throw FileError(path: path, problem: describe(errno, "cannot open")) }
    }
  }

  /// Creates or truncates `path` for writing. The corresponding C function is `open`.
  static func createForWriting(_ path: String) throws(FileError) -> Int32 {
    while true {
      let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
      if fd >= 0 { return fd }
      if errno != EINTR { throw FileError(path: path, problem: describe(errno, "cannot create")) }
    }
  }

  /// Creates `path` for writing, failing if it exists (for a temporary name
  /// nobody else uses). The corresponding C function is `open` with `O_EXCL`.
  static func createNew(_ path: String) throws(FileError) -> Int32 {
    while true {
      let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      if fd >= 0 { return fd }
      if errno != EINTR { throw FileError(path: path, problem: describe(errno, "cannot create")) }
    }
  }

  /// File status of an open descriptor. The corresponding C function is `fstat`.
  static func status(_ fd: Int32, path: String) throws(FileError) -> stat {
    var s = stat()
    while fstat(fd, &s) != 0 {
      if errno != EINTR { throw FileError(path: path, problem: describe(errno, "cannot stat")) }
    }
    return s
  }

  /// File status by path (follows links). The corresponding C function is `stat`.
  static func status(path: String) throws(FileError) -> stat {
    var s = stat()
    while stat(path, &s) != 0 {
      if errno != EINTR { throw FileError(path: path, problem: describe(errno, "cannot stat")) }
    }
    return s
  }

  /// Maps `length` bytes of `fd` read-only and shared. The corresponding C function is `mmap`.
  static func mapReadOnly(_ fd: Int32, length: Int, path: String) throws(FileError) -> UnsafeRawPointer {
    guard let p = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else {
      throw FileError(path: path, problem: describe(errno, "cannot map"))
    }
    return UnsafeRawPointer(p)
  }

  /// Gives the kernel a hint about a mapping; failures are ignored (a hint).
  /// The corresponding C function is `madvise`.
  static func advise(_ base: UnsafeRawPointer, length: Int, sequential: Bool) {
    _ = madvise(UnsafeMutableRawPointer(mutating: base), length, sequential ? MADV_SEQUENTIAL : MADV_WILLNEED)
  }

  /// Unmaps a mapping. The corresponding C function is `munmap`.
  static func unmap(_ base: UnsafeRawPointer, length: Int) {
    _ = munmap(UnsafeMutableRawPointer(mutating: base), length)
  }

  /// Closes a descriptor (never retried: Linux closes it even on `EINTR`).
  static func close(_ fd: Int32) {
    _ = Glibc.close(fd)
  }

  /// Writes all of `buffer`, retrying short writes and `EINTR`. The corresponding C function is `write`.
  static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws(FileError) {
    var done = 0
    while done < buffer.count {
      let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
      if n < 0 {
        if errno == EINTR { continue }
        throw FileError(path: path, problem: describe(errno, "cannot write"))
      }
      done += n
    }
  }

  /// Writes all of `buffer` at byte `offset` without moving the file position,
  /// retrying short writes and `EINTR`. The corresponding C function is `pwrite`.
  static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int, path: String) throws(FileError) {
    var done = 0
    while done < buffer.count {
      let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
      if n < 0 {
        if errno == EINTR { continue }
        throw FileError(path: path, problem: describe(errno, "cannot write"))
      }
      done += n
    }
  }

  /// Renames `from` to `to` atomically. The corresponding C function is `rename`.
  static func rename(_ from: String, _ to: String) throws(FileError) {
    if Glibc.rename(from, to) != 0 { throw FileError(path: to, problem: describe(errno, "cannot rename")) }
  }

  /// Removes a file, ignoring errors. The corresponding C function is `unlink`.
  static func remove(_ path: String) { _ = unlink(path) }

  /// A handler for a synchronous fault signal: the signal, its `siginfo_t`, the context.
  typealias FaultHandler = @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?, UnsafeMutableRawPointer?) -> Void

  /// Installs `handler` for SIGBUS, with the faulting address in its
  /// `siginfo_t`. The corresponding C function is `sigaction`.
  static func handleBusErrors(_ handler: FaultHandler) {
    var action = sigaction()
    action.__sigaction_handler.sa_sigaction = handler
    action.sa_flags = SA_SIGINFO
    sigemptyset(&action.sa_mask)
    _ = sigaction(SIGBUS, &action, nil)
  }

  /// The address a fault signal is about. Async-signal-safe: reads the struct.
  static func faultAddress(_ info: UnsafeMutablePointer<siginfo_t>?) -> UInt {
    guard let info else { return 0 }
    return UInt(bitPattern: info.pointee._sifields._sigfault.si_addr)
  }

  /// Blocks the calling thread until the process ends (async-signal-safe:
  /// `pause` only returns for a handled signal, and then it pauses again).
  /// The corresponding C function is `pause`.
  static func waitForever() -> Never {
    while true { _ = pause() }
  }

  /// Writes bytes to stderr and ends the process at once with `status`, from
  /// a signal handler: `write` and `_exit` are async-signal-safe; nothing
  /// else runs (no atexit handlers, no buffered output).
  static func failFromSignalHandler(_ message: UnsafePointer<UInt8>, count: Int, status: Int32) -> Never {
    var done = 0
    while done < count {
      let n = write(2, message + done, count - done)
      if n <= 0 { break }
      done += n
    }
    _exit(status)
  }

  /// True if `fd` is a terminal. The corresponding C function is `isatty`.
  package static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

  /// This process's id. The corresponding C function is `getpid`.
  static var processID: Int32 { getpid() }

  /// The number of processors online.
  static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

  /// "cannot open: No such file or directory".
  static func describe(_ code: Int32, _ what: String) -> String {
    "\(what): \(String(cString: strerror(code)))"
  }
}
