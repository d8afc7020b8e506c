import MAPKShards
import MAPKTooling

/// The `--plot` picture: each metric (MAP@k) against k, one curve per
/// metric, and the histogram of the first metric's per-row value (AP) at the
/// largest k, as one SVG page.
enum EvalPlot {
  /// The SVG document for a finished evaluation.
  ///
  /// - Parameters:
  ///   - state: The result.
  ///   - histogram: The first metric's per-row value at the largest k.
  ///   - name: What was evaluated (the predictions file), for the page title.
  static func svg(state: MAPState, histogram: APHistogram, name: String) -> String {
    let ks = state.configuration.ks
    let maxK = ks[ks.count - 1]
    let metrics = state.configuration.metrics
    let results = state.results
    // The first metric's figures in the subtitle; its values are the first ks.count results.
    let first = metrics[0].displayName
    let names = metrics.map { "\($0.displayName)@k" }.joined(separator: ", ")
    let nanNote: String?
    if results.contains(where: { $0.value.isNaN }) {
      let nan = metrics.filter { m in results.contains { $0.metric == m && $0.value.isNaN } }
      nanNote = "\(nan.map(\.displayName).joined(separator: ", ")) is NaN: \(state.emptyRows) rows have no labels "
        + "(TensorFlow's rule); use --empty-rows skip or zero"
    } else if ks.count == 1 {
      nanNote = "\(first)@\(maxK) = \(format(results[0].value, 4)) (one k; pass a list or range, e.g. -k 1-20)"
    } else {
      nanNote = "\(state.rows) rows, k from \(ks[0]) to \(maxK); \(first)@\(maxK) = \(format(results[ks.count - 1].value, 4))"
    }
    var curve = SVGChart(title: "\(names) against k", subtitle: nanNote, xLabel: "k", yLabel: names)
    curve.series = metrics.map { m in
      .line(name: "\(m.displayName)@k", points: results.filter { $0.metric == m }.map { (Double($0.k), $0.value) })
    }
    curve.integerX = true
    curve.xRange = Double(ks[0])...Double(maxK)  // from the ks, even when every value is NaN
    if results.allSatisfy({ $0.value.isNaN }) { curve.yRange = 0...1 }

    let n = histogram.counts.count
    var note = "\(histogram.total) rows"
    let row = metrics[0].rowName
    if histogram.missing > 0 { note += "; \(histogram.missing) rows without labels (\(row) NaN) not shown" }
    var bars = SVGChart(title: "Per-row \(row)@\(maxK)", subtitle: note, xLabel: "\(row)@\(maxK) of a row",
                        yLabel: "rows")
    bars.series = [.bars(name: "rows", bars: histogram.counts.enumerated().map { i, c in
      SVGChart.Bar(lower: Double(i) / Double(n), upper: Double(i + 1) / Double(n), value: Double(c))
    })]
    bars.xRange = 0...1
    return SVGChart.document([curve, bars], title: "mapk eval: \(name)")
  }
}
