/// The streaming state of the metric: TensorFlow's `total` and `max`, held
/// exactly, for every requested k, plus counts.
///
/// Two states over disjoint rows merge into the state of their union, and
/// because the sums are exact (``ExactSum``) the merged value has the same
/// bits whatever the split, the order or the tree of merges.
public struct MAPState: Sendable, Equatable {
  /// The ks and policies this state was computed with.
  public let configuration: MAPConfiguration
  /// `Σ w · AP@k` per requested k, in the order of `configuration.ks`.
  public internal(set) var totals: [ExactSum]
  /// `Σ w` over the rows that count (TensorFlow's `max`), shared by every k.
  public internal(set) var weightSum: ExactSum
  /// Rows evaluated (skipped empty rows included).
  public internal(set) var rows: Int = 0
  /// Rows without any relevant label.
  public internal(set) var emptyRows: Int = 0
  /// NaN scores seen (0 unless the NaN policy ranks them).
  public internal(set) var nanScores: Int = 0

  /// An empty state: no rows yet, value 0.
  public init(configuration: MAPConfiguration) {
    self.configuration = configuration
    totals = Array(repeating: ExactSum(), count: configuration.ks.count)
    weightSum = ExactSum()
  }

  /// Creates a state from its parts (for decoding a saved state).
  public init(configuration: MAPConfiguration, totals: [ExactSum], weightSum: ExactSum,
              rows: Int, emptyRows: Int, nanScores: Int) throws {
    guard totals.count == configuration.ks.count else {
      throw MAPKError.incompatibleStates("\(totals.count) totals for \(configuration.ks.count) ks")
    }
    self.configuration = configuration
    self.totals = totals
    self.weightSum = weightSum
    self.rows = rows
    self.emptyRows = emptyRows
    self.nanScores = nanScores
  }

  /// Adds the rows of `other` (rows disjoint from this state's).
  ///
  /// - Throws: ``MAPKError/incompatibleStates(_:)`` if the ks or policies differ.
  /// - Complexity: O(ks · limbs).
  public mutating func merge(_ other: MAPState) throws {
    guard configuration == other.configuration else {
      throw MAPKError.incompatibleStates(
        "ks/policies \(configuration.ks)/\(configuration.emptyRows)/\(configuration.nanScores) vs "
          + "\(other.configuration.ks)/\(other.configuration.emptyRows)/\(other.configuration.nanScores)")
    }
    for i in totals.indices { totals[i].merge(other.totals[i]) }
    weightSum.merge(other.weightSum)
    rows += other.rows
    emptyRows += other.emptyRows
    nanScores += other.nanScores
  }

  /// MAP@k for the k at `index` in `configuration.ks`: the correctly rounded
  /// `total / max`, or 0 when `max` is 0 (TensorFlow's `div_no_nan`).
  public func value(atIndex index: Int) -> Double {
    ExactSum.quotient(totals[index], weightSum)
  }

  /// MAP@k for every requested k, in the order of `configuration.ks`.
  public var values: [Double] { totals.indices.map(value(atIndex:)) }

  /// One line of the result per k.
  public var results: [MAPResult] {
    configuration.ks.indices.map { i in
      MAPResult(k: configuration.ks[i], map: value(atIndex: i),
                total: totals[i].doubleValue, max: weightSum.doubleValue)
    }
  }
}

/// The metric for one k: its value and the rounded `total` and `max` behind it.
public struct MAPResult: Sendable, Equatable {
  /// The k.
  public let k: Int
  /// MAP@k: `total / max` correctly rounded from the exact sums (NaN as TensorFlow gives it).
  public let map: Double
  /// `Σ w · AP@k`, rounded once.
  public let total: Double
  /// `Σ w`, rounded once.
  public let max: Double
}
