import CMAPK
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
