import MAPKShards
import MAPKTooling

/// `--threads N|auto`: the worker threads of a run.
enum ThreadsOption {
  /// The option, in `mapk eval`'s table.
  static let option = Option("--threads", value: "N|auto",
                             help: "worker threads, or auto (default): the CPUs this process may",
                             "use (its affinity mask, less a cgroup CPU quota)")

  /// The thread count `parsed` asks for: N (1 ... `Evaluator.maximumThreads`) as given; `auto` or no
  /// flag, `Evaluator.activeProcessorCount`, so that a job limited by
  /// `taskset`, Slurm or a container's CPU quota runs as many workers as it
  /// has CPUs, not as many as the host has.
  static func value(_ parsed: Arguments, flag: String = "--threads") throws -> Int {
    if parsed[flag] == "auto" { return Evaluator.activeProcessorCount }
    guard let n = try parsed.int(flag) else { return Evaluator.activeProcessorCount }
    guard n <= Evaluator.maximumThreads else {
      throw UsageError(description: "\(flag) must be at most \(Evaluator.maximumThreads) (got \(n))")
    }
    return n
  }
}
