import Synchronization

/// Rows done so far, readable from any thread while an evaluation runs
/// (for a progress display).
public final class EvaluationProgress: Sendable {
  package let done = Atomic<Int>(0)

  /// Creates a counter at 0.
  public init() {}

  /// The rows evaluated so far.
  public var rowsDone: Int { done.load(ordering: .relaxed) }
}
