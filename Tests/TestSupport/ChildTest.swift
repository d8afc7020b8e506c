import Foundation

/// One test of the running test executable run again in a child process, for
/// what must not happen in the test run itself (a fault, a signal, an exit):
/// the parent starts it by name with a directory in the environment; the
/// child reads the directory back, and without it the test is not a child
/// (it skips).
public struct ChildTest: Sendable {
  /// The test as the test runner names it: `"ShardsTests.SomeTests/testChild"`.
  public let name: String
  /// The environment variable that carries the directory to the child.
  public let variable: String

  /// The child test `name`, told its directory by `variable`.
  public init(_ name: String, variable: String) {
    self.name = name
    self.variable = variable
  }

  /// Runs the child with `directory` (and `environment`) to its end or its
  /// timeout, as ``ProcessRunner/run(_:_:environment:timeout:)`` does.
  public func run(directory: String, environment: [String: String] = [:], timeout: Double = 120) throws
    -> ProcessOutcome
  {
    try ProcessRunner.run(ProcessRunner.testExecutable, [name],
                          environment: environment.merging([variable: directory]) { $1 }, timeout: timeout)
  }

  /// In the child, the directory its parent passed; nil when the test runs
  /// as itself, not as a child.
  public var directory: String? { ProcessInfo.processInfo.environment[variable] }
}
