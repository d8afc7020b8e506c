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
  /// Warnings about the inputs rather than the state (labels >= C), after the state's.
  var extraWarnings: [String] = []
  /// True when metrics were asked for by name (`--metric`, `--like`) or are
  /// more than AP@k (a merge): every JSON result then names its metric and
  /// value (`"metric"`, `"value"`); otherwise a result is as before other
  /// metrics existed.
  var namedResults: Bool {
    get { namesResults ?? (state.configuration.metrics != [.averagePrecision]) }
    set { namesResults = newValue }
  }
  var namesResults: Bool? = nil
  /// The library convention asked for (`--like`), named in the output.
  var convention: MetricConvention? = nil
  /// Rows of dense labels with padding while `recall` was asked for.
  var paddedRecallRows = 0
  /// Bootstrap intervals of the results (`--ci`), in ``MAPState/results`` order, and their level.
  var intervals: (level: Double, bounds: [(lower: Double, upper: Double)])? = nil

  /// ` (95% CI 0.5012-0.5050)` after result `i`'s value, or nothing without `--ci`.
  func intervalText(_ i: Int) -> String {
    guard let intervals else { return "" }
    let b = intervals.bounds[i]
    return " (\(percent(intervals.level)) CI \(fixed(b.lower, 4))-\(fixed(b.upper, 4)))"
  }

  var gigabytesPerSecond: Double { seconds > 0 ? Double(bytes) / seconds / 1e9 : 0 }

  /// The throughput for people: `1.2 GB/s`, `340 MB/s`, `12 kB/s`
  /// (``throughput(bytes:seconds:)``), with its leading ", ", or nothing.
  var throughputFigure: String { Report.throughput(bytes: bytes, seconds: seconds).map { ", " + $0 } ?? "" }

  /// Bytes per second in the unit that shows at least two digits (a small
  /// run is not "0.0 GB/s"); nil when the time is too short to measure
  /// (under a millisecond) or there are no bytes.
  static func throughput(bytes: Int, seconds: Double) -> String? {
    guard seconds >= 0.001, bytes > 0 else { return nil }
    let rate = Double(bytes) / seconds
    for (scale, unit) in [(1e9, "GB/s"), (1e6, "MB/s"), (1e3, "kB/s")] where rate >= scale {
      return (rate / scale < 10 ? format(rate / scale, 1) : String(Int((rate / scale).rounded()))) + " " + unit
    }
    return "\(Int(rate.rounded())) B/s"
  }

  /// One line per (metric, k), `MAP@10 = ...`. With one line the run's
  /// figures follow on the same line; with several, the values are aligned
  /// and the figures come once, after them.
  var humanLines: [String] {
    let figures = "(\(state.rows) rows, " + (shards.map { "\($0) shard\($0 == 1 ? "" : "s"), " } ?? "")
      + "\(threads) thread\(threads == 1 ? "" : "s"), "
      + "\(format(seconds, 2)) s\(throughputFigure))"
    let results = state.results
    var lines: [String]
    func name(_ r: MAPResult) -> String { "\(r.metric.displayName)@\(r.k)" }
    // With a convention, each line also names the library's own metric.
    func library(_ r: MAPResult) -> String {
      convention.flatMap { $0.libraryName(r.metric, k: r.k) }.map { "  (\($0))" } ?? ""
    }
    if results.count == 1 && convention == nil {
      lines = ["\(name(results[0])) = \(results[0].value)\(intervalText(0))  \(figures)"]
    } else {
      let width = results.map { name($0).count }.max() ?? 0
      lines = convention.map { ["like \($0.name): \($0.summary)"] } ?? []
      lines += results.enumerated().map { i, r in
        name(r) + String(repeating: " ", count: width - name(r).count) + " = \(r.value)" + intervalText(i)
          + library(r)
      }
      lines.append(figures)
    }
    if let perRow {
      if perRow.path.hasSuffix(".tsv") {
        lines.append("wrote per-row \(rowNames) (\(perRow.shape.reduce(1, *) / max(1, columns.count)) rows, "
                     + "\(columns.count) column\(columns.count == 1 ? "" : "s")) to \(FileError.oneLine(perRow.path))")
      } else {
        lines.append("wrote per-row \(rowNames) (float64, shape \(perRow.shape)) to \(FileError.oneLine(perRow.path))")
      }
    }
    if let plot { lines.append("wrote the plot to \(FileError.oneLine(plot))") }
    return lines
  }

  /// The names of a row's values (`AP`), for the lines about rows.
  var rowNames: String { state.configuration.metrics.map(\.rowName).joined(separator: ", ") }

  /// The per-row columns, one per (metric, k) in ``MAPState/totals`` order (`"map@10"`).
  var columns: [String] { state.configuration.pairs.map { "\($0.metric.name)@\($0.k)" } }

  var warnings: [String] {
    var out: [String] = []
    // Pooled metrics (precision, recall) take rows without labels as they are, under nan and zero.
    let means = state.configuration.metrics.filter { $0.aggregation == .weightedMean }
    let meanNames = means.map(\.rowName).joined(separator: ", ")
    let pooled = means.count < state.configuration.metrics.count
    let pooledNote = pooled && !means.isEmpty ? "; P and R count them with 0 hits, as TensorFlow does" : ""
    if state.emptyRows > 0 {
      switch state.configuration.emptyRows {
      case .nan where !means.isEmpty:
        out.append("\(state.emptyRows) of \(state.rows) rows have no labels: their \(meanNames) is 0/0, so the result is "
                   + "NaN as in TensorFlow (use --empty-rows skip or zero)\(pooledNote)")
      case .nan: out.append("\(state.emptyRows) of \(state.rows) rows have no labels: counted with 0 hits, as TensorFlow does")
      case .skip: out.append("\(state.emptyRows) rows without labels were skipped")
      case .zero where !means.isEmpty: out.append("\(state.emptyRows) rows without labels counted as \(meanNames) 0\(pooledNote)")
      case .zero: out.append("\(state.emptyRows) rows without labels counted with 0 hits")
      }
    }
    if paddedRecallRows > 0 {
      out.append("recall: \(paddedRecallRows) rows of the dense labels hold -1 padding, which TensorFlow's recall_at_k "
                 + "counts as one label never retrieved, so R@k stays below 1 even when every label is retrieved "
                 + "(as TensorFlow gives it); labels as text or CSR, or recall_macro, count only the labels")
    }
    if state.nanScores > 0 {
      out.append("\(state.nanScores) NaN scores ranked as \(state.configuration.nanScores.rawValue)")
    }
    return out + extraWarnings
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
    if let convention { o.set("convention", convention.name) }
    o.set("results", objects: state.results.enumerated().map { i, r in
      var x = JSONObject()
      guard namedResults else {
        // As before other metrics existed: the value's key is the metric's name (`"map"`).
        x.set("k", r.k)
        x.set(r.metric.name, r.value)
        x.set("total", r.total)
        x.set("max", r.max)
        if let b = intervals?.bounds[i] {
          x.set("ci", raw: "[" + JSONObject.number(b.lower) + ", " + JSONObject.number(b.upper) + "]")
        }
        return x
      }
      x.set("metric", r.metric.name)
      x.set("k", r.k)
      x.set("value", r.value)
      if let name = convention?.libraryName(r.metric, k: r.k) { x.set("library_name", name) }
      switch r.metric.aggregation {
      case .weightedMean:
        // AP@k keeps its key of before, so its readers find it.
        if r.metric == .averagePrecision { x.set("map", r.value) }
        x.set("total", r.total)
        x.set("max", r.max)
      case .pooled:
        x.set("numerator", r.total)
        x.set("denominator", r.max)
      }
      if let b = intervals?.bounds[i] {
        x.set("ci", raw: "[" + JSONObject.number(b.lower) + ", " + JSONObject.number(b.upper) + "]")
      }
      return x
    })
    if let perRow {
      o.set("per_row", perRow.path)
      if namedResults { o.set("per_row_columns", raw: "[" + columns.map(JSONObject.quote).joined(separator: ", ") + "]") }
    }
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
