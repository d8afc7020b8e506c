/// What to do when a mapped input shrinks under a running evaluation.
///
/// A file truncated by another process while mapped has no bytes behind the
/// pages past its new end, and the first read of one raises SIGBUS, which by
/// default kills the process with no word about why. The size check after a
/// run (``EvaluationInputs/checkUnchanged()``) catches a change that faulted
/// nothing; this catches the fault itself: with it installed, SIGBUS on an
/// address inside a mapped input prints `mapk: error: <path>: ...` and exits
/// with status 1.
///
/// It is opt-in (a library should not take over a process's signals): the
/// `mapk` CLI installs it, other programs may call
/// ``EvaluationInputs/reportTruncationAsError()``.
extension EvaluationInputs {
  /// Makes a SIGBUS while reading these inputs print one `mapk: error:` line
  /// naming the file and exit with status 1, instead of a crash.
  ///
  /// Replaces any previous SIGBUS handler and any files registered before
  /// (the last call's files are the ones named). A SIGBUS elsewhere prints a
  /// line naming all these files and also exits with status 1.
  public func reportTruncationAsError() {
    TruncationReport.install(files: files)
  }
}
