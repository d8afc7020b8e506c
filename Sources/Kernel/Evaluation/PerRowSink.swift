/// Where per-row values go: a row-major `[rows, metrics · ks]` float64
/// buffer (columns in ``MAPState/totals`` order: for AP alone, one per k)
/// whose first row is row `firstRow` of the input.
public struct PerRowSink: @unchecked Sendable {
  // Sendable: workers write disjoint rows of the buffer.
  /// The start of the buffer.
  public let base: UnsafeMutablePointer<Double>
  /// The input row stored at `base`.
  public let firstRow: Int

  /// Creates a sink.
  public init(base: UnsafeMutablePointer<Double>, firstRow: Int = 0) {
    self.base = base
    self.firstRow = firstRow
  }
}
