import Dispatch
import Foundation
import MAPKShards
import MAPKTooling

/// Draws a ``ProgressLine`` on standard error every 200 ms from a timer,
/// reading a counter that workers advance; ``stop()`` clears the line.
final class ProgressReporter: @unchecked Sendable {
  // Sendable: `timer`, `drawn` and `line` (its rate's samples) are only touched on `queue`.
  private var line: ProgressLine
  private let counter: EvaluationProgress
  private let queue = DispatchQueue(label: "mapk.progress")
  private let clock = Stopwatch()
  private var timer: DispatchSourceTimer?
  private var drawn = false

  /// A reporter of `counter` against `line`'s total; nothing is drawn before ``begin()``.
  init(line: ProgressLine, counter: EvaluationProgress) {
    self.line = line
    self.counter = counter
  }

  /// A started reporter when ``ProgressLine/shouldShow(stderrIsTerminal:disabled:json:)``
  /// says so, else nil.
  static func started(total: Int, bytes: Int, unit: String, counter: EvaluationProgress,
                      disabled: Bool, json: Bool) -> ProgressReporter? {
    guard ProgressLine.shouldShow(stderrIsTerminal: Terminal.standardErrorIsTerminal, disabled: disabled, json: json)
    else { return nil }
    let line = ProgressLine(
      total: total, bytesPerUnit: total > 0 ? Double(bytes) / Double(total) : 0, unit: unit,
      delay: ProgressLine.delay(environment: ProcessInfo.processInfo.environment))
    let reporter = ProgressReporter(line: line, counter: counter)
    reporter.begin()
    return reporter
  }

  /// Starts the timer (and draws at once when the delay is 0).
  func begin() {
    queue.sync {
      if line.delay <= 0 { tick() }
      let timer = DispatchSource.makeTimerSource(queue: queue)
      timer.schedule(deadline: .now() + .milliseconds(200), repeating: .milliseconds(200))
      timer.setEventHandler { [weak self] in self?.tick() }
      self.timer = timer
      timer.resume()
    }
  }

  /// Draws the line now (on `queue`).
  private func tick() {
    guard let text = line.text(done: counter.rowsDone, elapsed: clock.seconds) else { return }
    drawn = true
    FileHandle.standardError.write(Data(text.utf8))
  }

  /// Stops the timer and clears the line if one was drawn. Nothing is drawn
  /// after it returns: it runs on the timer's queue, after any pending tick,
  /// and cancels the timer there.
  func stop() {
    queue.sync {
      timer?.cancel()
      timer = nil
      if drawn { FileHandle.standardError.write(Data(ProgressLine.clear.utf8)) }
    }
  }
}
