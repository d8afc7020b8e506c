import Foundation

/// Throughput against threads as a self-contained SVG: one solid line per
/// (dump, k), one dashed line per dump's ceiling, titled and labelled axes
/// with tick values, a legend. No dependency: the markup is written here.
enum Chart {
  struct Series {
    var label: String
    var points: [(threads: Int, value: Double)]
    var dashed: Bool
    var color: String
  }

  static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
                        "#7f7f7f", "#bcbd22"]

  /// The series of a report: evaluations, then ceilings (same color per dump).
  static func series(of report: BenchReport) -> [Series] {
    var dumps = [String]()
    for m in report.measurements where !dumps.contains(m.dump) { dumps.append(m.dump) }
    var out = [Series]()
    var color = 0
    var keys = [(String, Int)]()
    for m in report.measurements where !keys.contains(where: { $0 == (m.dump, m.k) }) { keys.append((m.dump, m.k)) }
    for (dump, k) in keys {
      let points = report.measurements.filter { $0.dump == dump && $0.k == k }.map { ($0.threads, $0.gigabytesPerSecond) }
      out.append(Series(label: "\(dump) k=\(k)", points: points, dashed: false, color: palette[color % palette.count]))
      color += 1
    }
    for (i, dump) in dumps.enumerated() {
      let points = report.ceilings.filter { $0.dump == dump }.map { ($0.threads, $0.gigabytesPerSecond) }
      let gray = ["#000000", "#555555", "#888888", "#aaaaaa"][i % 4]
      out.append(Series(label: "ceiling \(dump)", points: points, dashed: true, color: gray))
    }
    return out
  }

  /// A round step for about 6 ticks up to `maximum`.
  static func tickStep(_ maximum: Double) -> Double {
    let raw = max(maximum, 1e-9) / 6
    let magnitude = pow(10, floor(log10(raw)))
    for m in [1.0, 2, 2.5, 5, 10] where m * magnitude >= raw { return m * magnitude }
    return 10 * magnitude
  }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;")
  }

  /// The SVG text.
  static func svg(_ series: [Series], title: String) -> String {
    let width = 900.0, height = 500.0
    let left = 70.0, right = 290.0, top = 50.0, bottom = 60.0
    let plotW = width - left - right, plotH = height - top - bottom
    let threads = Array(Set(series.flatMap { $0.points.map(\.threads) })).sorted()
    let maxValue = series.flatMap { $0.points.map(\.value) }.max() ?? 1
    let step = tickStep(maxValue * 1.05)
    let yMax = ceil(maxValue * 1.05 / step) * step
    // x: log2 of the thread count, evenly spaced for 1, 2, 4, ...
    let lo = log2(Double(threads.first ?? 1)), hi = log2(Double(threads.last ?? 2))
    func x(_ t: Int) -> Double {
      hi > lo ? left + (log2(Double(t)) - lo) / (hi - lo) * plotW : left + plotW / 2
    }
    func y(_ v: Double) -> Double { top + plotH - v / yMax * plotH }
    func f(_ v: Double) -> String { String(format: "%.1f", v) }

    var s = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
      viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(f(left + plotW / 2))" y="28" text-anchor="middle" font-size="16">\(escape(title))</text>

      """
    // Grid and y ticks.
    var v = 0.0
    while v <= yMax + step / 2 {
      s += "<line x1=\"\(f(left))\" y1=\"\(f(y(v)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y(v)))\" stroke=\"#e5e5e5\"/>\n"
      s += "<text x=\"\(f(left - 8))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(String(format: step < 1 ? "%.1f" : "%.0f", v))</text>\n"
      v += step
    }
    // x ticks.
    for t in threads {
      s += "<line x1=\"\(f(x(t)))\" y1=\"\(f(top + plotH))\" x2=\"\(f(x(t)))\" y2=\"\(f(top + plotH + 5))\" stroke=\"black\"/>\n"
      s += "<text x=\"\(f(x(t)))\" y=\"\(f(top + plotH + 20))\" text-anchor=\"middle\">\(t)</text>\n"
    }
    // Axes and their labels.
    s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotH))\" stroke=\"black\"/>\n"
    s += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\" stroke=\"black\"/>\n"
    s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 15))\" text-anchor=\"middle\">threads</text>\n"
    s += "<text transform=\"translate(18 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">"
      + "throughput, GB/s of scores</text>\n"
    // Lines, markers, legend.
    for (i, serie) in series.enumerated() {
      let points = serie.points.sorted { $0.threads < $1.threads }
      let path = points.map { "\(f(x($0.threads))),\(f(y($0.value)))" }.joined(separator: " ")
      let dash = serie.dashed ? " stroke-dasharray=\"6 4\"" : ""
      s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(serie.color)\" stroke-width=\"2\"\(dash)/>\n"
      if !serie.dashed {
        for p in points {
          s += "<circle cx=\"\(f(x(p.threads)))\" cy=\"\(f(y(p.value)))\" r=\"3.5\" fill=\"\(serie.color)\"/>\n"
        }
      }
      let ly = top + 10 + Double(i) * 20
      let lx = left + plotW + 20
      s += "<line x1=\"\(f(lx))\" y1=\"\(f(ly))\" x2=\"\(f(lx + 24))\" y2=\"\(f(ly))\" stroke=\"\(serie.color)\" stroke-width=\"2\"\(dash)/>\n"
      s += "<text x=\"\(f(lx + 30))\" y=\"\(f(ly + 4))\">\(escape(serie.label))</text>\n"
    }
    return s + "</svg>\n"
  }
}
