/// What to compute: the metrics, the ks and the policies. Validated on
/// creation and on decoding.
public struct MAPConfiguration: Sendable, Equatable, Hashable, Codable {
  /// The requested k values, distinct and ascending.
  public let ks: [Int]
  /// The requested metrics, distinct, in ``Metric/allCases`` order.
  public let metrics: [Metric]
  /// What rows without labels contribute.
  public let emptyRows: EmptyRowPolicy
  /// How NaN scores rank.
  public let nanScores: NaNScorePolicy

  /// Creates a configuration.
  ///
  /// - Parameters:
  ///   - ks: One or more k values, each at least 1; duplicates are dropped and
  ///     the list is sorted.
  ///   - metrics: One or more metrics (default: TensorFlow's AP@k);
  ///     duplicates are dropped and the list takes ``Metric/allCases`` order,
  ///     so the same set is the same configuration.
  ///   - emptyRows: The policy for rows without labels (default: TensorFlow's NaN).
  ///   - nanScores: The policy for NaN scores (default: an error).
  /// - Throws: ``MAPKError/noK``, ``MAPKError/kBelowOne(_:)`` or ``MAPKError/noMetric``.
  public init(ks: [Int], metrics: [Metric] = [.averagePrecision], emptyRows: EmptyRowPolicy = .nan,
              nanScores: NaNScorePolicy = .error) throws {
    guard !ks.isEmpty else { throw MAPKError.noK }
    if let bad = ks.first(where: { $0 < 1 }) { throw MAPKError.kBelowOne(bad) }
    guard !metrics.isEmpty else { throw MAPKError.noMetric }
    self.ks = Array(Set(ks)).sorted()
    self.metrics = Metric.allCases.filter(metrics.contains)
    self.emptyRows = emptyRows
    self.nanScores = nanScores
  }

  /// The largest requested k: the depth of the one ranking per row.
  public var maxK: Int { ks[ks.count - 1] }

  /// Checks every k against the number of classes.
  /// - Throws: ``MAPKError/kAboveClasses(k:classes:)``.
  public func validate(classes: Int) throws {
    if maxK > classes { throw MAPKError.kAboveClasses(k: maxK, classes: classes) }
  }

  /// The position of the sums of (`metric`, `k`) in ``MAPState/totals`` and
  /// of their column in per-row output: metric-major, `metrics[i]`, `ks[j]`
  /// at `i · ks.count + j`; nil unless both were requested.
  public func index(metric: Metric, k: Int) -> Int? {
    guard let i = metrics.firstIndex(of: metric), let j = ks.firstIndex(of: k) else { return nil }
    return i * ks.count + j
  }

  /// Every (metric, k) pair in ``index(metric:k:)`` order.
  public var pairs: [(metric: Metric, k: Int)] {
    metrics.flatMap { m in ks.map { (metric: m, k: $0) } }
  }
}

extension MAPConfiguration {
  private enum CodingKeys: String, CodingKey {
    case ks, metrics, emptyRows, nanScores
  }

  /// Decodes a configuration through ``init(ks:metrics:emptyRows:nanScores:)``,
  /// so empty, non-positive or unsorted ks, an empty list of metrics or an
  /// unknown metric name throw instead of giving a value that traps later.
  /// Metrics missing from the data (written before metrics existed) mean AP.
  ///
  /// - Throws: `DecodingError.dataCorrupted` for a value the initializer refuses.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let ks = try c.decode([Int].self, forKey: .ks)
    let metrics = try c.decodeIfPresent([Metric].self, forKey: .metrics) ?? [.averagePrecision]
    let emptyRows = try c.decode(EmptyRowPolicy.self, forKey: .emptyRows)
    let nanScores = try c.decode(NaNScorePolicy.self, forKey: .nanScores)
    // Stored ks must already be canonical: a reordered list is a sign of a
    // file written by something else, and would silently change meaning.
    guard zip(ks, ks.dropFirst()).allSatisfy({ $0 < $1 }) else {
      throw DecodingError.dataCorruptedError(forKey: .ks, in: c, debugDescription: "ks \(ks) are not ascending and distinct")
    }
    do {
      try self.init(ks: ks, metrics: metrics, emptyRows: emptyRows, nanScores: nanScores)
    } catch {
      throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "\(error)"))
    }
  }

  /// Encodes the four fields.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(ks, forKey: .ks)
    try c.encode(metrics, forKey: .metrics)
    try c.encode(emptyRows, forKey: .emptyRows)
    try c.encode(nanScores, forKey: .nanScores)
  }
}
