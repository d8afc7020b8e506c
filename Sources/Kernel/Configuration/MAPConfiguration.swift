/// What to compute: the metrics, the ks and the policies. Validated on
/// creation and on decoding.
public struct MAPConfiguration: Sendable, Equatable, Hashable, Codable {
  /// The requested k values, distinct and ascending.
  public let ks: [Int]
  /// The requested metrics, distinct, in `Metric.allCases` order.
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
  ///     duplicates are dropped and the list takes `Metric.allCases` order,
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
  /// The keys of the encoded form, which is also the configuration's part of
  /// a mapk state file (`StateFile+Coding.swift` decodes it with this type).
  private enum CodingKeys: String, CodingKey {
    case ks, metrics
    case emptyRows = "empty_rows_policy"
    case nanScores = "nan_policy"
  }

  /// Decodes a configuration through ``init(ks:metrics:emptyRows:nanScores:)``,
  /// so that empty, non-positive or unsorted ks, an empty list of metrics, an
  /// unknown metric or policy name throw instead of giving a value that traps
  /// later. Missing metrics (data written before metrics existed, such as a
  /// version-1 state file) mean AP alone.
  ///
  /// - Throws: `DecodingError.keyNotFound` or `.typeMismatch` for a missing
  ///   or mistyped field; `DecodingError.dataCorrupted` at the field, its
  ///   description the problem in one line, for a value the initializer
  ///   refuses or a list not in canonical order (ascending ks; metrics
  ///   distinct, in `Metric.allCases` order), which a writer of this type
  ///   never produces.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    func invalid(_ key: CodingKeys, _ problem: String) -> DecodingError {
      .dataCorrupted(.init(codingPath: c.codingPath + [key], debugDescription: problem))
    }
    let ks = try c.decode([Int].self, forKey: .ks)
    guard !ks.isEmpty, ks[0] >= 1, zip(ks, ks.dropFirst()).allSatisfy({ $0 < $1 }) else {
      throw invalid(.ks, "ks \(ks) must be ascending, distinct and at least 1")
    }
    var metrics: [Metric] = [.averagePrecision]
    if let names = try c.decodeIfPresent([String].self, forKey: .metrics) {
      let known = Metric.allCases.map(\.name).joined(separator: "|")
      metrics = []
      for name in names {
        guard let metric = Metric(name: name) else {
          throw invalid(.metrics, "metric '\(name)' is not one of \(known)")
        }
        metrics.append(metric)
      }
      guard !metrics.isEmpty, metrics == Metric.allCases.filter(metrics.contains) else {
        throw invalid(.metrics, "metrics \(names) must be one or more of \(known), distinct, in that order")
      }
    }
    let emptyName = try c.decode(String.self, forKey: .emptyRows)
    guard let emptyRows = EmptyRowPolicy(rawValue: emptyName) else {
      throw invalid(.emptyRows, "empty_rows_policy '\(emptyName)' is not one of "
                      + EmptyRowPolicy.allCases.map(\.rawValue).joined(separator: "|"))
    }
    let nanName = try c.decode(String.self, forKey: .nanScores)
    guard let nanScores = NaNScorePolicy(rawValue: nanName) else {
      throw invalid(.nanScores, "nan_policy '\(nanName)' is not one of "
                      + NaNScorePolicy.allCases.map(\.rawValue).joined(separator: "|"))
    }
    // Cannot throw: every rule of the initializer was checked above.
    try self.init(ks: ks, metrics: metrics, emptyRows: emptyRows, nanScores: nanScores)
  }

  /// Encodes the four fields (``metrics`` by name).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(ks, forKey: .ks)
    try c.encode(metrics.map(\.name), forKey: .metrics)
    try c.encode(emptyRows.rawValue, forKey: .emptyRows)
    try c.encode(nanScores.rawValue, forKey: .nanScores)
  }
}
