import MAPKShards
import MAPKTooling

/// The `--plot` picture: MAP@k against k, and the histogram of per-row AP at
/// the largest k, as one SVG page.
enum EvalPlot {
  /// The SVG document for a finished evaluation.
  ///
  /// - Parameters:
  ///   - state: The result.
  ///   - histogram: Per-row AP at the largest k.
  ///   - name: What was evaluated (the predictions file), for the page title.
  static func svg(state: MAPState, histogram: APHistogram, name: String) -> String {
    let ks = state.configuration.ks
    let maxK = ks[ks.count - 1]
    let results = state.results
    let nanNote: String?
    if results.contains(where: { $0.map.isNaN }) {
      nanNote = "MAP is NaN: \(state.emptyRows) rows have no labels (TensorFlow's rule); "
        + "use --empty-rows skip or zero"
    } else if ks.count == 1 {
      nanNote = "MAP@\(maxK) = \(format(results[0].map, 4)) (one k; pass a list or range, e.g. -k 1-20)"
    } else {
      nanNote = "\(state.rows) rows, k from \(ks[0]) to \(maxK); MAP@\(maxK) = \(format(results[ks.count - 1].map, 4))"
    }
    var curve = SVGChart(title: "MAP@k against k", subtitle: nanNote, xLabel: "k", yLabel: "MAP@k")
    curve.series = [.line(name: "MAP@k", points: results.map { (Double($0.k), $0.map) })]
    curve.integerX = true
    curve.xRange = Double(ks[0])...Double(maxK)  // from the ks, even when every value is NaN
    if results.allSatisfy({ $0.map.isNaN }) { curve.yRange = 0...1 }

    let n = histogram.counts.count
    var note = "\(histogram.total) rows"
    if histogram.missing > 0 { note += "; \(histogram.missing) rows without labels (AP NaN) not shown" }
    var bars = SVGChart(title: "Per-row AP@\(maxK)", subtitle: note, xLabel: "AP@\(maxK) of a row",
                        yLabel: "rows")
    bars.series = [.bars(name: "rows", bars: histogram.counts.enumerated().map { i, c in
      SVGChart.Bar(lower: Double(i) / Double(n), upper: Double(i + 1) / Double(n), value: Double(c))
    })]
    bars.xRange = 0...1
    return SVGChart.document([curve, bars], title: "mapk eval: \(name)")
  }
}
