/// The progress line's rules and text, kept apart from the timer that draws
/// it so that they can be tested directly.
///
/// The line is drawn on standard error only when it is a terminal, the user
/// did not pass `--no-progress` or `--json`, and the work has lasted longer
/// than ``delay`` (short runs never flash a line). It is redrawn in place
/// (`\r`, then erase to the end of the line) and cleared at the end.
struct ProgressLine {
  /// The work's size, in units (rows).
  let total: Int
  /// Bytes read or written per unit, for the GB/s figure.
  let bytesPerUnit: Double
  /// What a unit is called ("rows").
  let unit: String
  /// Seconds before the first drawing.
  var delay: Double = 1

  /// Erases the line the cursor is on: carriage return, then "erase to end of line".
  static let clear = "\r\u{1B}[K"

  /// Whether to show progress at all.
  ///
  /// - Parameters:
  ///   - stderrIsTerminal: `isatty(2)`; a file or pipe never gets the line.
  ///   - disabled: `--no-progress`.
  ///   - json: `--json` (machine output: stay quiet).
  static func shouldShow(stderrIsTerminal: Bool, disabled: Bool, json: Bool) -> Bool {
    stderrIsTerminal && !disabled && !json
  }

  /// The delay before the first drawing: `MAPK_PROGRESS_DELAY` seconds if set
  /// (tests set 0), else 1.
  static func delay(environment: [String: String]) -> Double {
    if let text = environment["MAPK_PROGRESS_DELAY"], let v = Double(text), v >= 0 { return v }
    return 1
  }

  /// Seconds of recent progress the rate is measured over.
  static let window = 5.0

  /// Earlier drawings' (elapsed, done), from the first with some work done,
  /// the oldest dropped once newer ones span ``window``.
  var samples: [(elapsed: Double, done: Int)] = []

  /// The text to draw after `elapsed` seconds with `done` units done, or nil
  /// when nothing should be drawn yet.
  ///
  /// The rate (and so the time left) is measured over the last ``window``
  /// seconds of progress, not since the start: the start includes opening
  /// and mapping the inputs and the first pages read from disk, and a rate
  /// averaged over it stays too low for most of the run (a run of 16 s said
  /// 21 s left at 16%). Until two drawings have seen progress, the rate is
  /// the average since the start.
  mutating func text(done: Int, elapsed: Double) -> String? {
    guard elapsed >= delay, total > 0 else { return nil }
    let fraction = min(1, Double(done) / Double(total))
    let percent = Int(fraction * 100)
    var s = "mapk: \(percent)% of \(total) \(unit)"
    if elapsed > 0 && done > 0 {
      var rate = Double(done) / elapsed
      while samples.count > 1 && elapsed - samples[1].elapsed >= ProgressLine.window { samples.removeFirst() }
      if let first = samples.first, elapsed > first.elapsed, done > first.done {
        rate = Double(done - first.done) / (elapsed - first.elapsed)
      }
      samples.append((elapsed, done))
      s += ", \(format(rate * bytesPerUnit / 1e9, 1)) GB/s"
      s += ", \(ProgressLine.duration(Double(total - done) / rate)) left"
    }
    return ProgressLine.clear + s
  }

  /// "45 s", "3 min 05 s", "2 h 07 min".
  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded(.up))
    if s < 60 { return "\(s) s" }
    if s < 3600 { return "\(s / 60) min \(twoDigits(s % 60)) s" }
    return "\(s / 3600) h \(twoDigits(s / 60 % 60)) min"
  }

  private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
