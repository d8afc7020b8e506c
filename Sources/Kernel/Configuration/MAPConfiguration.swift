/// What to compute: the ks and the policies. Validated on creation.
public struct MAPConfiguration: Sendable, Equatable, Hashable, Codable {
  /// The requested k values, distinct and ascending.
  public let ks: [Int]
  /// What rows without labels contribute.
  public let emptyRows: EmptyRowPolicy
  /// How NaN scores rank.
  public let nanScores: NaNScorePolicy

  /// Creates a configuration.
  ///
  /// - Parameters:
  ///   - ks: One or more k values, each at least 1; duplicates are dropped and
  ///     the list is sorted.
  ///   - emptyRows: The policy for rows without labels (default: TensorFlow's NaN).
  ///   - nanScores: The policy for NaN scores (default: an error).
  /// - Throws: ``MAPKError/noK`` or ``MAPKError/kBelowOne(_:)``.
  public init(ks: [Int], emptyRows: EmptyRowPolicy = .nan, nanScores: NaNScorePolicy = .error) throws {
    guard !ks.isEmpty else { throw MAPKError.noK }
    if let bad = ks.first(where: { $0 < 1 }) { throw MAPKError.kBelowOne(bad) }
    self.ks = Array(Set(ks)).sorted()
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
}
