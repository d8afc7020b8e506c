// mapk supports Linux with glibc only: the signal handling below reads
// glibc's `sigaction` and `siginfo_t` layouts, and the tools it is built for
// (mmap'd dumps on Linux clusters) need nothing else. Supporting Darwin or
// Musl means giving those two functions their layouts and testing there.
#if os(Linux) && canImport(Glibc)
import Glibc
#else
#error("mapk supports Linux (glibc) only")
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
    try PathBytes.withCString(path) { p in valueOrErrno { open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK) } }
      .get(path: path, "cannot open")
  }

  /// Opens `path` read-only and blocking, for reading it as a stream (a pipe,
  /// a FIFO: opening a FIFO waits for its writer). The corresponding C function is `open`.
  static func openForStreaming(_ path: String) throws(FileError) -> Int32 {
    try PathBytes.withCString(path) { p in valueOrErrno { open(p, O_RDONLY | O_CLOEXEC) } }
      .get(path: path, "cannot open")
  }

  /// Reads at most `buffer.count` bytes; 0 at the end of the stream. The corresponding C function is `read`.
  static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws(FileError) -> Int {
    guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
    return try valueOrErrno { Glibc.read(fd, base, buffer.count) }.get(path: path, "cannot read")
  }

  /// Creates or truncates `path` for writing. The corresponding C function is `open`.
  static func createForWriting(_ path: String) throws(FileError) -> Int32 {
    try PathBytes.withCString(path) { p in valueOrErrno { open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) } }
      .get(path: path, "cannot create")
  }

  /// Creates `path` for writing, failing if it exists (for a temporary name
  /// nobody else uses). The corresponding C function is `open` with `O_EXCL`.
  static func createNew(_ path: String) throws(FileError) -> Int32 {
    try PathBytes.withCString(path) { p in valueOrErrno { open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) } }
      .get(path: path, "cannot create")
  }

  /// File status of an open descriptor. The corresponding C function is `fstat`.
  static func status(_ fd: Int32, path: String) throws(FileError) -> FileStatus {
    var s = stat()
    _ = try valueOrErrno { fstat(fd, &s) }.get(path: path, "cannot stat")
    return FileStatus(s)
  }

  /// File status by path (follows links). The corresponding C function is `stat`.
  static func status(path: String) throws(FileError) -> FileStatus {
    var s = stat()
    _ = try PathBytes.withCString(path) { p in valueOrErrno { stat(p, &s) } }.get(path: path, "cannot stat")
    return FileStatus(s)
  }

  /// True if `path` itself is a symbolic link (not followed). The corresponding C function is `lstat`.
  static func isSymbolicLink(_ path: String) -> Bool {
    var s = stat()
    let r = PathBytes.withCString(path) { p in valueOrErrno { lstat(p, &s) } }
    guard case .success = r else { return false }
    return s.st_mode & S_IFMT == S_IFLNK
  }

  /// Maps `length` bytes of `fd` read-only and shared. The corresponding C function is `mmap`.
  static func mapReadOnly(_ fd: Int32, length: Int, path: String) throws(FileError) -> UnsafeRawPointer {
    // mmap does not fail with EINTR; errno is read once, right after the call.
    guard let p = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else {
      throw Errno(code: errno).fileError(path: path, "cannot map")
    }
    return UnsafeRawPointer(p)
  }

  /// Gives the kernel a hint about a mapping; failures are ignored (a hint).
  /// The corresponding C function is `madvise`.
  static func advise(_ base: UnsafeRawPointer, length: Int, sequential: Bool) {
    _ = madvise(UnsafeMutableRawPointer(mutating: base), length, sequential ? MADV_SEQUENTIAL : MADV_WILLNEED)
  }

  /// Starts reading a mapped range into the page cache in the background
  /// (`MADV_WILLNEED`: asynchronous readahead); failures are ignored (a hint).
  /// `base` must be page-aligned. The corresponding C function is `madvise`.
  static func readAhead(_ base: UnsafeRawPointer, length: Int) {
    _ = madvise(UnsafeMutableRawPointer(mutating: base), length, MADV_WILLNEED)
  }

  /// Maps a range's pages into the page tables in one call, reading what is
  /// not in the page cache (`MADV_POPULATE_READ`, Linux 5.14): the faults a
  /// scan would take page by page, batched. Failures are ignored: on an older
  /// kernel (`EINVAL`) or a truncated file (`EFAULT`) the scan faults as
  /// before. `base` must be page-aligned. The corresponding C function is `madvise`.
  static func populateForReading(_ base: UnsafeRawPointer, length: Int) {
    // MADV_POPULATE_READ is 22 in Linux's uapi headers; older glibc headers lack the name.
    _ = madvise(UnsafeMutableRawPointer(mutating: base), length, 22)
  }

  /// Whether the page at `page` (page-aligned, mapped) is in the page cache;
  /// false when it cannot be told. The corresponding C function is `mincore`.
  static func isResident(page: UnsafeRawPointer, pageSize: Int) -> Bool {
    var flag: UInt8 = 0
    return mincore(UnsafeMutableRawPointer(mutating: page), pageSize, &flag) == 0 && flag & 1 == 1
  }

  /// The size of a page in bytes. The corresponding C function is `sysconf`.
  static var pageSize: Int { max(1, sysconf(Int32(_SC_PAGESIZE))) }

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
      done += try valueOrErrno { write(fd, buffer.baseAddress! + done, buffer.count - done) }
        .get(path: path, "cannot write")
    }
  }

  /// Writes all of `buffer` at byte `offset` without moving the file position,
  /// retrying short writes and `EINTR`. The corresponding C function is `pwrite`.
  static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int, path: String) throws(FileError) {
    var done = 0
    while done < buffer.count {
      done += try valueOrErrno { pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done)) }
        .get(path: path, "cannot write")
    }
  }

  /// Renames `from` to `to` atomically. The corresponding C function is `rename`.
  static func rename(_ from: String, _ to: String) throws(FileError) {
    _ = try PathBytes.withCString(from) { f in
      PathBytes.withCString(to) { t in valueOrErrno(retryOnInterrupt: false) { Glibc.rename(f, t) } }
    }.get(path: to, "cannot rename")
  }

  /// Removes a file, ignoring errors. The corresponding C function is `unlink`.
  static func remove(_ path: String) { _ = PathBytes.withCString(path) { unlink($0) } }

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

  /// Calls `body` (a C call returning -1 and setting `errno` on failure)
  /// and returns its value, or the `errno` it failed with, read once right
  /// after the failing call. With `retryOnInterrupt`, a call interrupted by
  /// a signal (`EINTR`) is made again. This is the one retry loop: every
  /// wrapper above goes through it (swift-system's `valueOrErrno`).
  @inline(__always)
  static func valueOrErrno<Value: FixedWidthInteger>(retryOnInterrupt: Bool = true, _ body: () -> Value)
    -> Result<Value, Errno>
  {
    while true {
      let value = body()
      if value != -1 { return .success(value) }
      let code = errno
      if retryOnInterrupt && code == EINTR { continue }
      return .failure(Errno(code: code))
    }
  }
}

/// An `errno` value, captured once after the call that set it.
struct Errno: Error {
  let code: Int32

  /// The error about `path`: "cannot open: No such file or directory", with the code kept.
  func fileError(path: String, _ what: String) -> FileError {
    FileError(path: path, problem: System.describe(code, what), kind: FileError.Kind(errno: code), errno: code)
  }
}

extension Result where Failure == Errno {
  /// The value, or the ``FileError`` about `path` the call failed with.
  @inline(__always)
  func get(path: String, _ what: String) throws(FileError) -> Success {
    switch self {
    case .success(let value): return value
    case .failure(let e): throw e.fileError(path: path, what)
    }
  }
}

extension FileError.Kind {
  /// The kind of a failed system call's `errno`.
  init(errno code: Int32) {
    switch code {
    case ENOENT, ENOTDIR: self = .notFound
    case EACCES, EPERM, EROFS: self = .permissionDenied
    case EISDIR: self = .notRegularFile
    case EFBIG, EOVERFLOW, ENOMEM, ENOSPC, EDQUOT: self = .tooLarge
    default: self = .io
    }
  }
}

extension FileStatus {
  /// The fields mapk uses of a `stat` result (the only place that reads them).
  init(_ s: stat) {
    let format = s.st_mode & S_IFMT
    self.init(
      kind: format == S_IFREG ? .regular : format == S_IFDIR ? .directory : .other,
      identity: FileIdentity(device: UInt64(s.st_dev), inode: UInt64(s.st_ino)),
      size: Int(s.st_size))
  }
}
