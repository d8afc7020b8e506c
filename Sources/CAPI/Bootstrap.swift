import CMAPK
import Dispatch
import MAPKShards

/// The most replicates one interval takes (its sums need
/// `(pairs + 1) · replicates` exact accumulators).
private let maxReplicates = 1 << 20

/// `mapk_bootstrap_intervals`: the Poisson bootstrap percentile interval of
/// `mapk eval --ci`, from the per-row values an evaluation wrote. The
/// replicates' counts are keyed by the row index and the seed, and summed
/// exactly, so the bounds have the CLI's bits for the same rows, whatever
/// the thread count or the blocks the CLI fed them in.
@_cdecl("mapk_bootstrap_intervals")
public func cBootstrapIntervals(
  _ perRow: UnsafePointer<Double>?, _ rows: Int64, _ pairs: Int64, _ rowShape: UnsafePointer<Int64>?,
  _ rowRank: Int32, _ weights: UnsafePointer<mapk_array>?, _ level: Double, _ replicates: Int64, _ seed: UInt64,
  _ threads: Int64, _ lower: UnsafeMutablePointer<Double>?, _ upper: UnsafeMutablePointer<Double>?,
  _ error: UnsafeMutablePointer<mapk_error>?
) -> Int32 {
  guarded(error) {
    guard let lower, let upper else { throw Failure.argument("NULL pointer for the bounds") }
    guard rows >= 0, (1...Int64(Options.maxKs)).contains(pairs) else {
      throw Failure.argument("rows \(rows) or pairs \(pairs) out of range")
    }
    guard level > 0, level < 1 else { throw Failure.value("the confidence level must be between 0 and 1 (got \(level))") }
    guard (1...Int64(maxReplicates)).contains(replicates) else {
      throw Failure.value("bootstrap replicates must be within 1...\(maxReplicates) (got \(replicates))")
    }
    guard threads >= 0, threads <= Int64(Int32.max) else {
      throw Failure.value("threads must be >= 1, or 0 for all the CPUs this process may use (got \(threads))")
    }
    guard (0...Int32(ArrayView.maxRank)).contains(rowRank), rowRank == 0 || rowShape != nil else {
      throw Failure.argument("row rank \(rowRank) out of range, or NULL row shape")
    }
    var shape: [Int] = []
    var count = 1
    for d in 0..<Int(rowRank) {
      guard rowShape![d] >= 0 else { throw Failure.value("row shape dim \(d) is negative") }
      shape.append(Int(rowShape![d]))
      let (product, overflow) = count.multipliedReportingOverflow(by: Int(rowShape![d]))
      guard !overflow else { throw Failure.value("row shape \(shape) overflows") }
      count = product
    }
    guard Int64(count) == rows else { throw Failure.value("row shape \(shape) holds \(count) rows, not \(rows)") }
    let (values, overflow) = Int(rows).multipliedReportingOverflow(by: Int(pairs))
    guard !overflow, values <= Int.max / 16 else { throw Failure.value("\(rows) rows × \(pairs) pairs overflow") }
    guard values == 0 || perRow != nil else { throw Failure.argument("NULL per-row values for \(values) values") }
    let (w, _) = try rowWeights(weights, rowShape: shape)
    var bootstrap = PoissonBootstrap(replicates: Int(replicates), seed: seed, statistics: Int(pairs))
    if values > 0 {
      bootstrap.add(evaluated: UnsafeBufferPointer(start: perRow, count: values), weights: w, firstRow: 0,
                    threads: threads == 0 ? Evaluator.activeProcessorCount : Int(threads))
    }
    for s in 0..<Int(pairs) {
      let b = bootstrap.percentileInterval(level: level, statistic: s)
      lower[s] = b.lower
      upper[s] = b.upper
    }
  }
}

/// A requested bootstrap (`--ci level --bootstrap replicates --seed seed`), checked.
struct IntervalRequest {
  let level: Double
  let replicates: Int
  let seed: UInt64

  init(level: Double, replicates: Int64, seed: UInt64, configuration: MAPConfiguration) throws {
    guard level > 0, level < 1 else {
      throw Failure.value("the confidence level must be between 0 and 1 (got \(level))")
    }
    guard (1...Int64(maxReplicates)).contains(replicates) else {
      throw Failure.value("bootstrap replicates must be within 1...\(maxReplicates) (got \(replicates))")
    }
    self.level = level
    self.replicates = Int(replicates)
    self.seed = seed
  }

  /// The empty bootstrap of `configuration`'s (metric, k) pairs, as `mapk eval
  /// --ci`'s: a pooled metric's (TensorFlow's `precision`, `recall`: Σ w·hits /
  /// Σ w·n) with its own denominator Σ c·w·n, so its replicates are the pooled
  /// ratio's, not a mean of row ratios.
  func bootstrap(_ configuration: MAPConfiguration) -> PoissonBootstrap {
    PoissonBootstrap(replicates: replicates, seed: seed, pooled: configuration.pairs.map { $0.metric.aggregation == .pooled })
  }
}

/// The intervals of `state`'s results at `level`: NaN where the metric is
/// NaN (a mean, with rows without labels under the `nan` policy; a pooled
/// ratio takes such rows as they come), as the CLI prints them.
func intervals(of bootstrap: PoissonBootstrap, level: Double, state: MAPState) -> [(lower: Double, upper: Double)] {
  let undefined = state.configuration.emptyRows == .nan && state.emptyRows > 0
  return (0..<bootstrap.statistics).map { s in
    undefined && !bootstrap.pooled[s] ? (Double.nan, Double.nan) : bootstrap.percentileInterval(level: level, statistic: s)
  }
}

extension PoissonBootstrap {
  /// Adds a batch's per-row values (`rows · statistics`, row-major, as a
  /// `PerRowSink` wrote them from row 0) whose weights are the batch's own
  /// rows' (`weights.weight(ofRow: r)`), the counts keyed by the global row
  /// `countsFrom + r`, with the pooled statistics' row numerators and
  /// denominators (`parts`, same layout; nil without pooled statistics). What
  /// `add(evaluated:numerators:denominators:weights:firstRow:threads:)` adds
  /// for the same rows of a whole input (the CLI's): a mean takes a row whose
  /// first mean value is not NaN (else weight 0, values 0, still counted in
  /// `rows`), a pooled statistic every row with its parts; the exact sums make
  /// any split over `threads` give the same bits.
  mutating func add(batch values: UnsafeBufferPointer<Double>,
                    parts: (numerators: UnsafeBufferPointer<Double>, denominators: UnsafeBufferPointer<Double>)?,
                    weights: RowWeights, countsFrom: Int, threads: Int) {
    add(evaluated: values, numerators: parts?.numerators, denominators: parts?.denominators, weights: weights,
        weightsFrom: 0, firstRow: countsFrom, threads: threads)
  }
}
