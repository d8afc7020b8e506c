/// An error raised by the kernel: a bad argument or a bad value in the data.
///
/// The kernel knows nothing about files; the Shards layer adds the file name
/// when it reports one of these. Descriptions name no command-line option:
/// the `mapk` CLI appends its hints when it prints them.
public enum MAPKError: Error, Equatable, Sendable, CustomStringConvertible {
  /// `k` is below 1.
  case kBelowOne(Int)
  /// `k` exceeds the number of classes (TensorFlow's TopK needs `classes >= k`).
  case kAboveClasses(k: Int, classes: Int)
  /// No `k` was requested.
  case noK
  /// No metric was requested.
  case noMetric
  /// A score is NaN and the policy is ``NaNScorePolicy/error``.
  case nanScore(row: Int, classIndex: Int)
  /// A weight is negative or not finite.
  case invalidWeight(index: Int, value: Double)
  /// Two inputs disagree in shape.
  case shapeMismatch(String)
  /// Two accumulator states cannot be merged (different ks or policies).
  case incompatibleStates(String)
  /// A label row layout is inconsistent (offsets decreasing or out of range).
  case invalidLabels(String)
  /// A row of ranked ids repeats an id (and repeated ids are refused).
  case duplicateID(row: Int, id: Int64)
  /// A ranked id is negative and not the pad.
  case invalidID(row: Int, id: Int64, pad: Int64)

  public var description: String {
    switch self {
    case .kBelowOne(let k): return "k must be at least 1 (got \(k))"
    case .kAboveClasses(let k, let c): return "k = \(k) exceeds the number of classes (\(c))"
    case .noK: return "no k requested"
    case .noMetric: return "no metric requested"
    case .nanScore(let r, let c):
      // The ways out (the CLI's --nan option) are the caller's to name.
      return "NaN score at row \(r), class \(c)"
    case .invalidWeight(let i, let v): return "weight \(i) is \(v): weights must be finite and >= 0"
    case .shapeMismatch(let s): return s
    case .incompatibleStates(let s): return "cannot merge: \(s)"
    case .invalidLabels(let s): return s
    case .duplicateID(let r, let id): return "row \(r) ranks id \(id) more than once"
    case .invalidID(let r, let id, let pad): return "row \(r) has id \(id): negative and not the pad (\(pad))"
    }
  }
}
