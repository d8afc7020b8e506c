#if os(Linux) && canImport(Glibc)
// @preconcurrency: `stdout` is a C global var, read here once per run.
@preconcurrency import Glibc
#endif

/// The process-wide calls: the raw command line, the standard streams and
/// the signals that end a run. Like the rest of ``System``, the only place
/// they are made.
extension System {
  /// The command line as the process received it, each argument's bytes
  /// carried by ``PathBytes`` (so a file name that is not UTF-8 reaches
  /// `open` unchanged; `CommandLine.arguments` would have repaired it).
  package static var commandLineArguments: [String] {
    (0..<Int(CommandLine.argc)).map { i in
      guard let p = CommandLine.unsafeArgv[i] else { return "" }
      return PathBytes.string(UnsafeBufferPointer(start: p, count: strlen(p)).lazy.map { UInt8(bitPattern: $0) })
    }
  }

  /// Makes descriptors 0, 1 and 2 open, so that no file mapk opens can get
  /// one of them (a closed stdout would otherwise become an output file,
  /// and the report would be written into it). A closed stdin or stderr is
  /// replaced by `/dev/null`; a closed stdout by `/dev/full`, so that what
  /// would have been lost fails to be written and ``flushStandardOutput(closed:)``
  /// reports it. The corresponding C functions are `fcntl` and `open`.
  /// - Returns: True if stdout was closed.
  package static func openStandardDescriptors() -> Bool {
    var stdoutClosed = false
    for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
      if fd == 1 { stdoutClosed = true }
      // open returns the lowest free descriptor: this one, as the lower ones are open.
      _ = open(fd == 1 ? "/dev/full" : "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
    }
    return stdoutClosed
  }

  /// Flushes the C library's stdout buffer (where `print` writes) and checks
  /// that nothing written to it was lost. The corresponding C functions are
  /// `fflush` and `ferror`.
  /// - Parameter closed: Stdout was closed when the process started.
  /// - Throws: ``FileError`` about "standard output" if a write failed.
  package static func flushStandardOutput(closed: Bool) throws(FileError) {
    let stream = stdout
    let flushed = fflush(stream) == 0
    let code = errno
    guard !flushed || ferror(stream) != 0 else { return }
    if closed {
      throw FileError(path: "standard output", problem: "is closed: the output was lost", kind: .io)
    }
    throw FileError(path: "standard output", problem: flushed ? "cannot write" : describe(code, "cannot write"),
                    kind: FileError.Kind(errno: code), errno: flushed ? nil : code)
  }

  /// A handler for an asynchronous signal.
  typealias SignalHandler = @convention(c) (Int32) -> Void

  /// Installs `handler` for SIGINT, SIGTERM, SIGHUP and SIGPIPE, except for
  /// one the process was started with ignored (`nohup`, a background job):
  /// that stays ignored. The corresponding C function is `sigaction`.
  static func handleTermination(_ handler: SignalHandler) {
    for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] {
      var old = sigaction()
      _ = sigaction(signal, nil, &old)
      // SIG_IGN is the handler value 1.
      if let h = old.__sigaction_handler.sa_handler, unsafeBitCast(h, to: Int.self) == 1 { continue }
      var action = sigaction()
      action.__sigaction_handler.sa_handler = handler
      action.sa_flags = 0
      sigemptyset(&action.sa_mask)
      _ = sigaction(signal, &action, nil)
    }
  }

  /// The signals of a crash: a fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
  /// SIGTRAP; a Swift trap is SIGILL or SIGTRAP) or an abort (SIGABRT).
  static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT]

  /// The action each of ``crashSignals`` had before ``handleCrashes(_:)``,
  /// in that order: allocated once, before any handler can read it, and
  /// never freed (a handler restores from it without allocating).
  nonisolated(unsafe) static let previousCrashActions: UnsafeMutablePointer<sigaction> = {
    let p = UnsafeMutablePointer<sigaction>.allocate(capacity: crashSignals.count)
    p.initialize(repeating: sigaction(), count: crashSignals.count)
    return p
  }()

  /// Installs `handler` for ``crashSignals``, keeping each one's previous
  /// action (Swift's backtracer's, or the default) for
  /// ``resumeCrash(_:_:)``. `SA_ONSTACK`: on a thread with an alternate
  /// signal stack, a stack overflow still reaches the handler. The
  /// corresponding C function is `sigaction`.
  static func handleCrashes(_ handler: FaultHandler) {
    let previous = previousCrashActions
    for (i, signal) in crashSignals.enumerated() {
      var action = sigaction()
      action.__sigaction_handler.sa_sigaction = handler
      action.sa_flags = SA_SIGINFO | SA_ONSTACK
      sigemptyset(&action.sa_mask)
      _ = sigaction(signal, &action, previous + i)
    }
  }

  /// From a crash handler: restores the action `signal` had before
  /// ``handleCrashes(_:)`` and lets it happen. A fault the kernel raised
  /// (`si_code > 0`) repeats when the handler returns, now under that
  /// action; a signal a process sent (`kill`, `raise`, `abort`) is raised
  /// again, pending until the handler returns. `sigaction` and `raise` are
  /// async-signal-safe.
  static func resumeCrash(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?) {
    for (i, s) in crashSignals.enumerated() where s == signal { _ = sigaction(signal, previousCrashActions + i, nil) }
    if let info, info.pointee.si_code > 0 { return }
    _ = raise(signal)
  }

  /// From a signal handler: restores the default action of `signal` and
  /// raises it again, so the process ends as the signal's default does (the
  /// shell sees "killed by SIGINT", status 130). `signal`, `raise` are
  /// async-signal-safe.
  static func endBySignal(_ signal: Int32) {
    _ = Glibc.signal(signal, SIG_DFL)
    _ = raise(signal)
  }

  /// Removes a file from a signal handler (`unlink` is async-signal-safe).
  static func removeFromSignalHandler(_ path: UnsafePointer<CChar>) { _ = unlink(path) }
}
