import MAPKShards

/// One evaluation pass over the rows, with the extras `mapk eval` offers:
/// every row's value per (metric, k) streamed to a `.npy` (`--per-row`) and
/// a histogram of the rows' first-metric value (AP) at the largest k (for `--plot`).
///
/// Without extras it is one call to ``Evaluator/evaluate``. With them, rows
/// go through in blocks whose per-row values fit a fixed buffer
/// (``blockBytes``), so a dump of any size needs bounded memory: each block is
/// evaluated in parallel, appended to the output and folded into the
/// histogram. The exact sums make the merged state identical to one call.
struct EvalPass {
  /// The parallel evaluator.
  var evaluator: Evaluator
  /// Where to write per-row values, if anywhere.
  var perRowPath: String?
  /// Whether to build the histogram.
  var histogram: Bool
  /// Bytes of per-row values held at once.
  var blockBytes = 32 << 20
  /// Advanced as rows finish.
  var progress: EvaluationProgress?
  /// The bootstrap to fold every row into (`--ci`), if any: empty, its design.
  var bootstrap: PoissonBootstrap? = nil

  /// What the pass produced.
  struct Outcome {
    /// The exact state of the rows.
    let state: MAPState
    /// The histogram of the first metric's per-row values at the largest k, if asked.
    let histogram: APHistogram?
    /// The per-row output's shape, if written.
    let perRowShape: [Int]?
    /// The bootstrap of the rows, if asked.
    var bootstrap: PoissonBootstrap? = nil
  }

  /// The shape of the per-row output: the rows' dims, then the number of
  /// columns, one per (metric, k) in ``MAPState/totals`` order, if more than one.
  static func perRowShape(rowShape: [Int], columns: Int) -> [Int] {
    columns == 1 ? rowShape : rowShape + [columns]
  }

  /// Evaluates the rows of `inputs` in `rows` (default: all of them).
  ///
  /// - Parameters:
  ///   - rows: A contiguous range of rows (a shard); its per-row output has
  ///     shape `[rows.count]` (+ columns), the whole file's `[D1..DN]` (+ columns).
  ///   - protecting: Input files the outputs must not replace.
  /// - Throws: ``MAPKError`` from the kernel (the first bad row), ``FileError`` from the output.
  func run(_ inputs: EvaluationInputs, configuration: MAPConfiguration, rows: Range<Int>? = nil,
           protecting: [String]) throws -> Outcome {
    let all = 0..<inputs.rows
    let range = rows ?? all
    guard perRowPath != nil || histogram || bootstrap != nil else {
      let state = try evaluator.evaluate(inputs, configuration: configuration, rows: range, progress: progress)
      return Outcome(state: state, histogram: nil, perRowShape: nil)
    }
    let ks = configuration.ks.count
    // One column per (metric, k), metric-major (`PerRowSink`).
    let columns = configuration.metrics.count * ks
    let shape = EvalPass.perRowShape(rowShape: range == all ? inputs.rowShape : [range.count], columns: columns)
    let tsv = perRowPath?.hasSuffix(".tsv") == true
    let writer = try perRowPath.flatMap { path in
      tsv ? nil : try NPYWriter(path: path, type: .float64, shape: shape, protecting: protecting)
    }
    let table = try perRowPath.flatMap { path in
      tsv ? try PerRowTable(path: path, columns: configuration.pairs.map { "\($0.metric.name)@\($0.k)" },
                            protecting: protecting) : nil
    }
    var bins = histogram ? APHistogram(bins: 20) : nil
    let blockRows = max(1, blockBytes / (8 * columns))
    let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: min(blockRows, max(1, range.count)) * columns)
    defer { buffer.deallocate() }
    // A pooled metric's bootstrap takes its rows' (hits, n), which the sink gives beside the ratio.
    let pooled = bootstrap?.pooled.contains(true) == true
    let parts = pooled ? UnsafeMutableBufferPointer<Double>.allocate(capacity: 2 * buffer.count) : nil
    defer { parts?.deallocate() }
    var state = MAPState(configuration: configuration)
    var replicates = bootstrap
    var lower = range.lowerBound
    while lower < range.upperBound {
      let rows = lower..<min(lower + blockRows, range.upperBound)
      // Blocks run in row order and each stops at its lowest bad row, so
      // the first error raised is the lowest bad row of the whole file.
      try state.merge(evaluator.evaluate(
        inputs, configuration: configuration,
        rows: rows, perRow: parts.map {
          PerRowSink(base: buffer.baseAddress!, firstRow: rows.lowerBound, numerators: $0.baseAddress!,
                     denominators: $0.baseAddress! + buffer.count)
        } ?? PerRowSink(base: buffer.baseAddress!, firstRow: rows.lowerBound), progress: progress))
      let values = UnsafeBufferPointer(rebasing: buffer[0..<(rows.count * columns)])
      try writer?.append(values)
      try table?.append(values, firstRow: rows.lowerBound)
      if let parts {
        replicates?.add(evaluated: values, numerators: UnsafeBufferPointer(rebasing: parts[0..<values.count]),
                        denominators: UnsafeBufferPointer(rebasing: parts[buffer.count..<(buffer.count + values.count)]),
                        weights: inputs.weights, firstRow: rows.lowerBound, threads: evaluator.threads)
      } else {
        replicates?.add(evaluated: values, weights: inputs.weights, firstRow: rows.lowerBound, threads: evaluator.threads)
      }
      if bins != nil {
        // The first metric's largest k is its last column: the configuration
        // keeps ks ascending and the columns metric-major.
        for r in 0..<rows.count { bins!.add(values[r * columns + ks - 1]) }
      }
      lower = rows.upperBound
    }
    // The output appears only for inputs that stayed the same throughout.
    try inputs.checkUnchanged()
    try writer?.finish()
    try table?.finish()
    return Outcome(state: state, histogram: bins, perRowShape: perRowPath == nil ? nil : shape,
                   bootstrap: replicates)
  }
}

/// `--per-row OUT.tsv`: what trec_eval `-q` users expect. A header (`row`,
/// then one name per (metric, k)), then one line per row in row-major order
/// of `[D1..DN]`: the row's index and its values, each in Swift's shortest
/// round-trip form (it reads back to the same double; NaN as `nan`).
final class PerRowTable {
  private let file: AtomicOutputFile
  private let columns: Int

  /// Creates the file (atomically: it appears on ``finish()``) and writes the header.
  init(path: String, columns names: [String], protecting: [String]) throws {
    file = try AtomicOutputFile(path: path, protecting: protecting)
    columns = names.count
    try file.write(Array((["row"] + names).joined(separator: "\t").utf8) + [0x0A])
  }

  /// Appends the rows of a block: `values` row-major, `columns` per row, the first being row `firstRow`.
  func append(_ values: UnsafeBufferPointer<Double>, firstRow: Int) throws {
    var text = ""
    let rows = values.count / max(1, columns)
    for r in 0..<rows {
      text += String(firstRow + r)
      for j in 0..<columns { text += "\t\(values[r * columns + j])" }
      text += "\n"
    }
    try file.write(Array(text.utf8))
  }

  /// Publishes the file.
  func finish() throws { try file.commit() }
}

/// Counts of per-row AP values in equal bins over [0, 1]; NaN (rows without
/// labels under the nan and skip policies) counted apart.
struct APHistogram: Equatable {
  /// Rows per bin; bin i covers [i/n, (i+1)/n), the last one includes 1.
  private(set) var counts: [Int]
  /// Rows whose AP is NaN.
  private(set) var missing = 0

  /// An empty histogram of `bins` bins.
  init(bins: Int) { counts = Array(repeating: 0, count: bins) }

  /// Adds one row's AP.
  mutating func add(_ ap: Double) {
    guard ap.isFinite else {
      missing += 1
      return
    }
    let n = counts.count
    counts[min(n - 1, max(0, Int(ap * Double(n))))] += 1
  }

  /// The rows counted in bins.
  var total: Int { counts.reduce(0, +) }
}
