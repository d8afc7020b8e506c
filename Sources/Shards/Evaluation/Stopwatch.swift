import Dispatch

/// Elapsed wall time since it was started, on the monotonic clock (which no
/// clock adjustment moves): the one way the library, the CLI and the bench time things.
package struct Stopwatch: Sendable {
  /// When it started.
  package let start: DispatchTime

  /// Starts now.
  package init() { start = DispatchTime.now() }

  /// Seconds since ``start``.
  package var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }

  /// Runs `body` and returns its result with the seconds it took.
  package static func measure<T>(_ body: () throws -> T) rethrows -> (result: T, seconds: Double) {
    let watch = Stopwatch()
    let result = try body()
    return (result, watch.seconds)
  }
}
