/// The saved result of evaluating a range of rows: the exact state of a
/// shard, what it was computed over, and where it sits among all the rows.
///
/// A dump too big for one host is evaluated as N independent jobs, each over
/// its own row range (``Shard``); each job saves a `StateFile`; a last step
/// merges them (``merge(_:requireAllRows:)``). Because the sums in
/// ``MAPState`` are exact and travel losslessly (``ExactSum/hexadecimal``),
/// the merged result has the same bits as a single run over all rows, for
/// any N and any order.
///
/// On disk it is a versioned JSON object (``encoded()``,
/// ``init(decoding:path:)``); ``Inputs`` fingerprints the files so that
/// states of different dumps are never merged by mistake.
public struct StateFile: Sendable, Equatable {
  /// The version of the JSON layout this build writes (see `StateFile+Coding.swift`).
  public static let version = 2
  /// The versions this build reads: 1 (AP@k alone, before metrics) and 2.
  public static let readableVersions = 1...2
  /// The value of the JSON `format` key, which marks a mapk state.
  public static let formatName = "mapk-state"

  /// The exact state of the evaluated rows (metrics, ks and policies included).
  public var state: MAPState
  /// The rows evaluated, `lower..<upper` of `0..<totalRows`.
  public var rows: Range<Int>
  /// The number of rows of the whole dump.
  public var totalRows: Int
  /// The shard these rows are, if they were chosen as `I/N`.
  public var shard: Shard?
  /// The number of classes (the predictions' last dim).
  public var classes: Int
  /// The fingerprint of the input files.
  public var inputs: Inputs
  /// The worker threads of the run (informational: it never changes the result).
  public var threads: Int
  /// The run's wall time in seconds (informational).
  public var seconds: Double
  /// The bootstrap replicate sums of the rows (`--ci`), if saved (`StateFile+Bootstrap.swift`).
  public var bootstrap: Bootstrap? = nil
  /// The label entries of these rows at or above ``classes`` (TensorFlow's
  /// rule ignores them; `mapk eval` and `mapk merge` warn with the count).
  /// 0 in states written before it was recorded.
  public var labelsAtOrAboveClasses: Int = 0

  /// Why a state is inconsistent (its fields contradict each other).
  public struct InvalidState: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in a few words.
    public let description: String
  }

  /// Creates a state from its parts, checking that they agree.
  ///
  /// - Throws: ``InvalidState`` if the rows, the shard, the counts, the
  ///   classes or the inputs' shape contradict each other.
  public init(state: MAPState, rows: Range<Int>, totalRows: Int, shard: Shard?, classes: Int,
              inputs: Inputs, threads: Int, seconds: Double) throws(InvalidState) {
    self.state = state
    self.rows = rows
    self.totalRows = totalRows
    self.shard = shard
    self.classes = classes
    self.inputs = inputs
    self.threads = threads
    self.seconds = seconds
    if let problem = inconsistency { throw InvalidState(description: problem) }
  }

  /// The first contradiction among the fields, or nil.
  var inconsistency: String? {
    guard rows.lowerBound >= 0, rows.upperBound <= totalRows else {
      return "rows \(rows) are outside 0..<\(totalRows)"
    }
    if let shard, shard.rows(of: totalRows) != rows {
      return "shard \(shard) of \(totalRows) rows is rows \(shard.rows(of: totalRows)), not \(rows)"
    }
    guard state.rows == rows.count else { return "counts.rows is \(state.rows) for the \(rows.count) rows \(rows)" }
    guard state.emptyRows >= 0, state.emptyRows <= state.rows else {
      return "counts.empty_rows \(state.emptyRows) is not within 0...\(state.rows)"
    }
    guard state.nanScores >= 0 else { return "counts.nan_scores is negative" }
    guard labelsAtOrAboveClasses >= 0 else { return "counts.labels_at_or_above_classes is negative" }
    guard classes >= state.configuration.maxK else {
      return "k = \(state.configuration.maxK) exceeds the \(classes) classes"
    }
    guard let shape = inputs.predictions.shape, shape.last == classes,
          Self.product(shape.dropLast()) == totalRows
    else {
      return "the predictions' shape \(inputs.predictions.shape.map { "\($0)" } ?? "(none)") does not give "
        + "\(totalRows) rows of \(classes) classes"
    }
    guard threads >= 1 else { return "run.threads \(threads) is below 1" }
    guard seconds.isFinite, seconds >= 0, seconds <= Self.maximumSeconds else {
      return "run.seconds \(seconds) is not within 0...\(Self.maximumSeconds)"
    }
    for (field, input) in [("predictions", inputs.predictions), ("labels", inputs.labels)]
      + (inputs.weights.map { [("weights", $0)] } ?? []) {
      guard input.size >= 0, input.size <= Self.maximumInputSize else {
        return "inputs.\(field).size \(input.size) is not within 0...\(Self.maximumInputSize)"
      }
    }
    return state.inconsistency(weighted: inputs.weights != nil, classes: classes)
  }

  /// The longest run a state may record, in seconds (about 31,700 years):
  /// any number of states merge without the total becoming infinite.
  public static let maximumSeconds: Double = 1e12

  /// The largest input file a state may record, in bytes (2^60, 1 EiB): the
  /// sizes of a state's three inputs add up without overflow.
  public static let maximumInputSize = 1 << 60

  /// The product of `dims`, or nil if one is negative or it overflows.
  static func product<C: Collection<Int>>(_ dims: C) -> Int? {
    var p = 1
    for d in dims {
      guard d >= 0 else { return nil }
      let (m, overflow) = p.multipliedReportingOverflow(by: d)
      if overflow { return nil }
      p = m
    }
    return p
  }
}

extension StateFile {
  /// One of N equal parts of the rows: shard `index` of `count` covers rows
  /// `floor(index·R/N) ..< floor((index+1)·R/N)`.
  ///
  /// The N ranges are disjoint, contiguous and cover `0..<R` for any R and N
  /// (some are empty when N > R), so N jobs that each take their own index
  /// evaluate every row exactly once.
  public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// The shard's index, `0..<count`.
    public let index: Int
    /// The number of shards.
    public let count: Int

    /// Shard `index` of `count`, or nil unless `count >= 1` and `0 <= index < count`.
    public init?(index: Int, count: Int) {
      guard count >= 1, index >= 0, index < count else { return nil }
      self.index = index
      self.count = count
    }

    /// Parses `I/N` (for example `0/8`), or nil if it is not a valid shard.
    public init?(parsing text: String) {
      let parts = text.split(separator: "/", omittingEmptySubsequences: false)
      guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) }),
            let i = Int(parts[0]), let n = Int(parts[1]) else { return nil }
      self.init(index: i, count: n)
    }

    /// The rows of this shard among `total` rows.
    ///
    /// - Complexity: O(1); the products are taken at double width, so any
    ///   `Int` row count works.
    public func rows(of total: Int) -> Range<Int> {
      precondition(total >= 0, "negative row count")
      return Self.boundary(index, of: count, total) ..< Self.boundary(index + 1, of: count, total)
    }

    /// `floor(i · total / n)` without overflow: `i <= n`, so the quotient fits.
    static func boundary(_ i: Int, of n: Int, _ total: Int) -> Int {
      let product = i.multipliedFullWidth(by: total)
      return n.dividingFullWidth(product).quotient
    }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }
  }
}
