import Foundation
import MAPKShards

/// What `mapk eval` and `mapk merge` print: the human lines, the warnings
/// and the JSON object. One code path for both, so a merge of shards prints
/// the same numbers, with the same formatting, as a single run.
struct Report {
  let state: MAPState
  let classes: Int
  let threads: Int
  let seconds: Double
  let bytes: Int
  /// The number of merged state files (`mapk merge`), or nil for one run.
  var shards: Int? = nil
  /// The per-row output, if written: its path and shape.
  var perRow: (path: String, shape: [Int])? = nil
  /// The plot, if written.
  var plot: String? = nil
  /// Bootstrap intervals of the results (`--ci`), in ``MAPState/results`` order, and their level.
  var intervals: (level: Double, bounds: [(lower: Double, upper: Double)])? = nil

  /// ` (95% CI 0.5012-0.5050)` after result `i`'s value, or nothing without `--ci`.
  func intervalText(_ i: Int) -> String {
    guard let intervals else { return "" }
    let b = intervals.bounds[i]
    return " (\(percent(intervals.level)) CI \(fixed(b.lower, 4))-\(fixed(b.upper, 4)))"
  }

  var gigabytesPerSecond: Double { seconds > 0 ? Double(bytes) / seconds / 1e9 : 0 }

  /// One line per (metric, k), `MAP@10 = ...`. With one line the run's
  /// figures follow on the same line; with several, the values are aligned
  /// and the figures come once, after them.
  var humanLines: [String] {
    let figures = "(\(state.rows) rows, " + (shards.map { "\($0) shard\($0 == 1 ? "" : "s"), " } ?? "")
      + "\(threads) thread\(threads == 1 ? "" : "s"), "
      + "\(format(seconds, 2)) s, \(format(gigabytesPerSecond, 1)) GB/s)"
    let results = state.results
    var lines: [String]
    func name(_ r: MAPResult) -> String { "\(r.metric.displayName)@\(r.k)" }
    if results.count == 1 {
      lines = ["\(name(results[0])) = \(results[0].value)\(intervalText(0))  \(figures)"]
    } else {
      let width = results.map { name($0).count }.max() ?? 0
      lines = results.enumerated().map { i, r in
        name(r) + String(repeating: " ", count: width - name(r).count) + " = \(r.value)" + intervalText(i)
      }
      lines.append(figures)
    }
    if let perRow { lines.append("wrote per-row \(rowNames) (float64, shape \(perRow.shape)) to \(perRow.path)") }
    if let plot { lines.append("wrote the plot to \(plot)") }
    return lines
  }

  /// The names of a row's values (`AP`), for the lines about rows.
  var rowNames: String { state.configuration.metrics.map(\.rowName).joined(separator: ", ") }

  var warnings: [String] {
    var out: [String] = []
    if state.emptyRows > 0 {
      switch state.configuration.emptyRows {
      case .nan:
        out.append("\(state.emptyRows) of \(state.rows) rows have no labels: their \(rowNames) is 0/0, so the result is NaN "
                   + "as in TensorFlow (use --empty-rows skip or zero)")
      case .skip: out.append("\(state.emptyRows) rows without labels were skipped")
      case .zero: out.append("\(state.emptyRows) rows without labels counted as \(rowNames) 0")
      }
    }
    if state.nanScores > 0 {
      out.append("\(state.nanScores) NaN scores ranked as \(state.configuration.nanScores.rawValue)")
    }
    return out
  }

  var json: JSONObject {
    var o = JSONObject()
    o.set("rows", state.rows)
    o.set("classes", classes)
    o.set("threads", threads)
    if let shards { o.set("shards", shards) }
    o.set("empty_rows", state.emptyRows)
    o.set("nan_scores", state.nanScores)
    o.set("empty_rows_policy", state.configuration.emptyRows.rawValue)
    o.set("nan_policy", state.configuration.nanScores.rawValue)
    o.set("results", objects: state.results.enumerated().map { i, r in
      var x = JSONObject()
      x.set("k", r.k)
      // The value's key is the metric's name (`"map"`), so each object says
      // which metric it holds without a key more than before metrics existed.
      x.set(r.metric.name, r.value)
      x.set("total", r.total)
      x.set("max", r.max)
      if let b = intervals?.bounds[i] {
        x.set("ci", raw: "[" + JSONObject.number(b.lower) + ", " + JSONObject.number(b.upper) + "]")
      }
      return x
    })
    if let perRow { o.set("per_row", perRow.path) }
    if let plot { o.set("plot", plot) }
    o.set("seconds", seconds)
    o.set("bytes", bytes)
    return o
  }
}

extension Report {
  /// Prints the report: one JSON object on stdout, or the human lines on
  /// stdout and the warnings on stderr.
  func emit(json: Bool) {
    if json {
      print(self.json.text)
    } else {
      for line in humanLines { print(line) }
      for warning in warnings { FileHandle.standardError.write(Data("mapk: warning: \(warning)\n".utf8)) }
    }
  }
}

/// `value` with `digits` decimals.
func format(_ value: Double, _ digits: Int) -> String {
  guard value.isFinite else { return "\(value)" }
  var scale = 1.0
  for _ in 0..<digits { scale *= 10 }
  let rounded = (value * scale).rounded() / scale
  var s = "\(rounded)"
  if let dot = s.firstIndex(of: "."), !s.contains("e") {
    let decimals = s.distance(from: dot, to: s.endIndex) - 1
    if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
  }
  return s
}
