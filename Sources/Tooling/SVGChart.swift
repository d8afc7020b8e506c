import MAPKShards

/// A small chart drawn as self-contained SVG: lines and bars over numeric
/// x and y axes, with a title, axis labels, tick values and a legend.
///
/// No scripts, no external fonts or styles: the output renders the same in
/// any browser or SVG tool. Several charts stack into one page with
/// ``document(_:title:width:)``.
///
/// ```swift
/// var chart = SVGChart(title: "MAP@k", xLabel: "k", yLabel: "MAP@k")
/// chart.series = [.line(name: "model", points: [(1, 0.41), (5, 0.52), (10, 0.55)])]
/// chart.integerX = true
/// let svg = chart.svg()
/// ```
package struct SVGChart: Sendable {
  /// One bar: the x interval it covers and its height.
  package struct Bar: Sendable, Equatable {
    /// The left edge.
    package var lower: Double
    /// The right edge.
    package var upper: Double
    /// The height.
    package var value: Double

    /// Creates a bar over `lower..<upper` of height `value`.
    package init(lower: Double, upper: Double, value: Double) {
      self.lower = lower
      self.upper = upper
      self.value = value
    }
  }

  /// What a chart draws.
  package enum Series: Sendable {
    /// Points joined by a line, each marked and titled with its values;
    /// non-finite points are left out (and break the line).
    case line(name: String, points: [(x: Double, y: Double)])
    /// Bars from y = 0.
    case bars(name: String, bars: [Bar])

    var name: String {
      switch self {
      case .line(let n, _), .bars(let n, _): return n
      }
    }
  }

  /// The title above the plot area.
  package var title: String
  /// A smaller line under the title (a note on the data), if any.
  package var subtitle: String?
  /// The x axis label.
  package var xLabel: String
  /// The y axis label.
  package var yLabel: String
  /// The data, drawn in order (bars first look best).
  package var series: [Series] = []
  /// The x range; default: the data's, widened to tick values.
  package var xRange: ClosedRange<Double>?
  /// The y range; default: from 0 (or the data's minimum) to the data's maximum, widened to tick values.
  package var yRange: ClosedRange<Double>?
  /// Put x ticks on integers only (for k).
  package var integerX = false
  /// The chart's size in pixels.
  package var width = 720
  /// The chart's height in pixels.
  package var height = 380

  /// Creates an empty chart.
  package init(title: String, subtitle: String? = nil, xLabel: String, yLabel: String) {
    self.title = title
    self.subtitle = subtitle
    self.xLabel = xLabel
    self.yLabel = yLabel
  }

  /// This chart alone, as an SVG document.
  package func svg() -> String {
    SVGChart.document([self], title: nil, width: width)
  }

  /// Several charts stacked top to bottom in one SVG document, under an
  /// optional page title.
  package static func document(_ charts: [SVGChart], title: String?, width: Int = 720) -> String {
    let top = title == nil ? 0 : 44
    let total = top + charts.reduce(0) { $0 + $1.height }
    var out = """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(total)" \
      viewBox="0 0 \(width) \(total)" font-family="Helvetica, Arial, sans-serif">
      <rect width="\(width)" height="\(total)" fill="#ffffff"/>

      """
    if let title {
      out += "<text x=\"\(width / 2)\" y=\"28\" text-anchor=\"middle\" font-size=\"20\" font-weight=\"bold\" "
        + "fill=\"#222\">\(escape(title))</text>\n"
    }
    var y = top
    for chart in charts {
      out += "<g transform=\"translate(0,\(y))\">\n" + chart.body() + "</g>\n"
      y += chart.height
    }
    return out + "</svg>\n"
  }

  /// Colors of successive series (color-blind friendly).
  static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]

  /// The chart's elements in its own coordinates (0,0 top left).
  func body() -> String {
    let left = 78.0, right = 24.0, top = subtitle == nil ? 44.0 : 62.0, bottom = 58.0
    let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
    let (xs, ys) = dataExtent()
    let xAxis = Axis(range: xRange ?? xs, integer: integerX, padSingle: true)
    let yAxis = Axis(range: yRange ?? ys, integer: false, padSingle: false)
    func px(_ x: Double) -> Double { left + (x - xAxis.lower) / (xAxis.upper - xAxis.lower) * plotWidth }
    func py(_ y: Double) -> Double { top + plotHeight - (y - yAxis.lower) / (yAxis.upper - yAxis.lower) * plotHeight }

    var s = ""
    s += text(Double(width) / 2, 26, title, size: 16, anchor: "middle", extra: " font-weight=\"bold\"")
    if let subtitle { s += text(Double(width) / 2, 46, subtitle, size: 12, anchor: "middle", color: "#555") }
    // Grid and ticks.
    for t in yAxis.ticks {
      let y = py(t)
      s += line(left, y, left + plotWidth, y, color: "#e5e5e5")
      s += line(left - 5, y, left, y, color: "#333")
      s += text(left - 8, y + 4, yAxis.label(t), size: 12, anchor: "end")
    }
    for t in xAxis.ticks {
      let x = px(t)
      s += line(x, top, x, top + plotHeight, color: "#f0f0f0")
      s += line(x, top + plotHeight, x, top + plotHeight + 5, color: "#333")
      s += text(x, top + plotHeight + 20, xAxis.label(t), size: 12, anchor: "middle")
    }
    // Data, clipped to the plot area.
    for (i, series) in series.enumerated() {
      let color = SVGChart.palette[i % SVGChart.palette.count]
      switch series {
      case .bars(let name, let bars):
        for b in bars where b.value.isFinite && b.value > 0 {
          let x0 = px(max(b.lower, xAxis.lower)), x1 = px(min(b.upper, xAxis.upper))
          let y0 = py(min(b.value, yAxis.upper))
          guard x1 > x0 else { continue }
          s += "<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(max(0, x1 - x0 - 1)))\" height=\"\(f(py(0) - y0))\" "
            + "fill=\"\(color)\" fill-opacity=\"0.85\"><title>\(SVGChart.escape(name)) [\(Axis.plain(b.lower)), "
            + "\(Axis.plain(b.upper))): \(Axis.plain(b.value))</title></rect>\n"
        }
      case .line(let name, let points):
        var path = ""
        var pen = false
        for p in points {
          guard p.x.isFinite && p.y.isFinite else {
            pen = false
            continue
          }
          path += "\(pen ? "L" : "M")\(f(px(p.x))),\(f(py(p.y))) "
          pen = true
        }
        if !path.isEmpty {
          s += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
        }
        if points.count <= 100 {
          for p in points where p.x.isFinite && p.y.isFinite {
            s += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3.5\" fill=\"\(color)\">"
              + "<title>\(SVGChart.escape(name)) \(Axis.plain(p.x)): \(Axis.plain(p.y))</title></circle>\n"
          }
        }
      }
    }
    // Axes and their labels.
    s += line(left, top + plotHeight, left + plotWidth, top + plotHeight, color: "#333")
    s += line(left, top, left, top + plotHeight, color: "#333")
    s += text(left + plotWidth / 2, Double(height) - 14, xLabel, size: 14, anchor: "middle")
    s += "<text transform=\"translate(20,\(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" "
      + "font-size=\"14\" fill=\"#222\">\(SVGChart.escape(yLabel))</text>\n"
    // Legend, when there is more than one named series.
    let named = series.enumerated().filter { !$0.element.name.isEmpty }
    if named.count > 1 {
      for (row, (i, series)) in named.enumerated() {
        let y = top + 14 + Double(row) * 18
        let color = SVGChart.palette[i % SVGChart.palette.count]
        s += "<rect x=\"\(f(left + plotWidth - 150))\" y=\"\(f(y - 9))\" width=\"12\" height=\"12\" fill=\"\(color)\"/>\n"
        s += text(left + plotWidth - 132, y + 2, series.name, size: 12, anchor: "start")
      }
    }
    return s
  }

  /// The smallest ranges holding every finite data value (y from 0 when all are positive).
  func dataExtent() -> (ClosedRange<Double>, ClosedRange<Double>) {
    var xLow = Double.infinity, xHigh = -Double.infinity, yLow = 0.0, yHigh = -Double.infinity
    func see(_ x: Double, _ y: Double) {
      guard x.isFinite && y.isFinite else { return }
      xLow = min(xLow, x)
      xHigh = max(xHigh, x)
      yLow = min(yLow, y)
      yHigh = max(yHigh, y)
    }
    for series in series {
      switch series {
      case .line(_, let points): for p in points { see(p.x, p.y) }
      case .bars(_, let bars):
        for b in bars {
          see(b.lower, b.value)
          see(b.upper, b.value)
        }
      }
    }
    if !xLow.isFinite { (xLow, xHigh) = (0, 1) }
    if !yHigh.isFinite { yHigh = 1 }
    return (xLow...xHigh, yLow...yHigh)
  }

  func text(_ x: Double, _ y: Double, _ content: String, size: Int, anchor: String, color: String = "#222",
            extra: String = "") -> String {
    "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\" fill=\"\(color)\"\(extra)>"
      + SVGChart.escape(content) + "</text>\n"
  }

  func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, color: String) -> String {
    "<line x1=\"\(f(x0))\" y1=\"\(f(y0))\" x2=\"\(f(x1))\" y2=\"\(f(y1))\" stroke=\"\(color)\" stroke-width=\"1\"/>\n"
  }

  /// A coordinate with two decimals (enough for pixels, short to read).
  func f(_ v: Double) -> String {
    let r = (v * 100).rounded() / 100
    return r == r.rounded() ? String(Int(r)) : String(r)
  }

  /// Text made safe inside an SVG element or attribute, for XML 1.0: the
  /// markup characters as entities, and what XML 1.0 does not allow at all
  /// (control characters, even as `&#1;`; U+FFFE, U+FFFF; a byte of a file
  /// name that is not UTF-8) written visibly as `\u{1B}`, `\xE9`, as in
  /// error lines (``FileError/oneLine(_:limit:)``).
  static func escape(_ s: String) -> String {
    var out = ""
    for scalar in FileError.oneLine(s, limit: Int.max).unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "\u{FFFE}", "\u{FFFF}": out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}

/// A linear axis: "nice" bounds and ticks (1, 2 or 5 times a power of ten).
struct Axis {
  let lower: Double
  let upper: Double
  let step: Double
  let ticks: [Double]

  init(range: ClosedRange<Double>, integer: Bool, padSingle: Bool) {
    var lo = range.lowerBound, hi = range.upperBound
    if hi - lo <= 0 {
      // One value: center it in a small range.
      let pad = integer ? 1.0 : (lo == 0 ? 1 : abs(lo) * 0.1)
      lo -= padSingle || lo != 0 ? pad : 0
      hi += pad
    }
    var step = Axis.niceStep((hi - lo) / 6)
    if integer { step = max(1, step.rounded()) }
    // Widen to whole steps (within a tiny tolerance for values like 0.3).
    lo = (lo / step + 1e-9).rounded(.down) * step
    hi = (hi / step - 1e-9).rounded(.up) * step
    self.lower = lo
    self.upper = hi
    self.step = step
    var ticks: [Double] = []
    var i = 0.0
    while lo + i * step <= hi + step * 1e-9 {
      ticks.append(lo + i * step)
      i += 1
    }
    self.ticks = ticks
  }

  /// The smallest of 1, 2, 5 times a power of ten that is at least `raw`.
  static func niceStep(_ raw: Double) -> Double {
    guard raw > 0 && raw.isFinite else { return 1 }
    var power = 1.0
    while power * 10 <= raw { power *= 10 }
    while power > raw { power /= 10 }
    for m in [1.0, 2, 5, 10] where m * power >= raw * (1 - 1e-12) { return m * power }
    return 10 * power
  }

  /// A tick's text, with as many decimals as the step needs.
  func label(_ v: Double) -> String {
    var decimals = 0
    var s = step
    while s < 1 - 1e-9 && decimals < 10 {
      s *= 10
      decimals += 1
    }
    return Axis.fixed(v, decimals)
  }

  /// `v` with exactly `decimals` decimals.
  static func fixed(_ v: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let n = Int((abs(v) * scale).rounded())
    let sign = v < 0 && n != 0 ? "-" : ""
    if decimals == 0 { return sign + String(n) }
    let digits = String(n)
    let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
    return sign + padded.dropLast(decimals) + "." + padded.suffix(decimals)
  }

  /// A value in a tooltip: integers plain, others with up to 4 significant decimals.
  static func plain(_ v: Double) -> String {
    if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
    return fixed(v, 4)
  }
}
