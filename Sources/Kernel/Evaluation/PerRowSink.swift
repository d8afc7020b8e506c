/// Where per-row values go: a row-major `[rows, metrics · ks]` float64
/// buffer (columns in ``MAPState/totals`` order: for AP alone, one per k)
/// whose first row is row `firstRow` of the input.
///
/// A pooled metric's row value is its ratio hits/n; its parts, the
/// numerator and the denominator the metric's sums add (TensorFlow's hits
/// and label count, or hits and k), go to ``numerators`` and
/// ``denominators`` when those are given (same layout as ``base``; only the
/// pooled metrics' columns are written, 0 and 0 for a row the metric leaves
/// out), which is what a bootstrap or a test of the pooled ratio needs.
public struct PerRowSink: @unchecked Sendable {
  // Sendable: workers write disjoint rows of the buffer.
  /// The start of the buffer.
  public let base: UnsafeMutablePointer<Double>
  /// The input row stored at `base`.
  public let firstRow: Int
  /// Where a pooled metric's per-row numerators go (layout of ``base``), if wanted.
  public let numerators: UnsafeMutablePointer<Double>?
  /// Where a pooled metric's per-row denominators go (layout of ``base``), if wanted.
  public let denominators: UnsafeMutablePointer<Double>?

  /// Creates a sink.
  public init(base: UnsafeMutablePointer<Double>, firstRow: Int = 0) {
    self.base = base
    self.firstRow = firstRow
    numerators = nil
    denominators = nil
  }

  /// Creates a sink that also receives the pooled metrics' row numerators
  /// and denominators.
  public init(base: UnsafeMutablePointer<Double>, firstRow: Int = 0, numerators: UnsafeMutablePointer<Double>,
              denominators: UnsafeMutablePointer<Double>) {
    self.base = base
    self.firstRow = firstRow
    self.numerators = numerators
    self.denominators = denominators
  }
}
