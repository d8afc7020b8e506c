extension StateFile {
  /// Merges the states of disjoint row ranges of one evaluation into the
  /// state of their union: with all rows covered, exactly (to the bit) the
  /// state a single run over all rows gives.
  ///
  /// It refuses, naming the file, states that disagree with the first one
  /// (ks, policies, row count, classes or input fingerprints) and states whose
  /// rows overlap; and it refuses rows left uncovered, saying which rows and,
  /// when every state is an `I/N` shard of the same N, which shards are missing.
  ///
  /// - Parameters:
  ///   - parts: The states and the files they came from (for error messages).
  ///   - requireAllRows: Whether the union must be all rows (`0..<totalRows`);
  ///     if false it must still be one contiguous range, which the result covers.
  /// - Returns: The merged state (no ``shard``; threads: the most any part
  ///   used; seconds: the parts' total).
  /// - Throws: ``FileError`` about one file, or ``MAPKError/incompatibleStates(_:)``
  ///   for uncovered rows.
  /// - Complexity: O(parts · (log parts + ks · limbs)).
  public static func merge(_ parts: [(path: String, state: StateFile)], requireAllRows: Bool = true) throws
    -> StateFile
  {
    guard let (firstPath, first) = parts.first else { throw MAPKError.incompatibleStates("no states to merge") }
    for (path, part) in parts.dropFirst() {
      func differ(_ what: String) -> FileError {
        FileError(path: path, problem: "cannot merge with \(firstPath): \(what)", kind: .conflict)
      }
      let (a, b) = (first.state.configuration, part.state.configuration)
      if a.ks != b.ks { throw differ("ks \(b.ks) vs \(a.ks)") }
      if a.emptyRows != b.emptyRows {
        throw differ("\(Setting.emptyRows.rawValue) \(b.emptyRows.rawValue) vs \(a.emptyRows.rawValue)")
      }
      if a.nanScores != b.nanScores {
        throw differ("\(Setting.nanScores.rawValue) \(b.nanScores.rawValue) vs \(a.nanScores.rawValue)")
      }
      if part.totalRows != first.totalRows { throw differ("\(part.totalRows) rows in all vs \(first.totalRows)") }
      if part.classes != first.classes { throw differ("\(part.classes) classes vs \(first.classes)") }
      if let d = first.inputs.difference(from: part.inputs) { throw differ("other inputs (\(d))") }
    }

    // Overlaps: sorted by start, each non-empty range must begin at or after
    // the end of everything before it.
    let nonEmpty = parts.filter { !$0.state.rows.isEmpty }.sorted { $0.state.rows.lowerBound < $1.state.rows.lowerBound }
    var covered: [Range<Int>] = []
    for (i, (path, part)) in nonEmpty.enumerated() where i > 0 {
      let (previousPath, previous) = nonEmpty[i - 1]
      if part.rows.overlaps(previous.rows) {
        throw FileError(
          path: path,
          problem: part.rows == previous.rows
            ? "covers the same rows \(part.rows) as \(previousPath) (a copy?)"
            : "rows \(part.rows) overlap rows \(previous.rows) of \(previousPath)")
      }
    }
    for (_, part) in nonEmpty {
      if let last = covered.last, last.upperBound == part.rows.lowerBound {
        covered[covered.count - 1] = last.lowerBound..<part.rows.upperBound
      } else {
        covered.append(part.rows)
      }
    }

    // Uncovered rows: the gaps between the covered runs, and (if all rows
    // are required) before the first and after the last.
    let total = first.totalRows
    var gaps: [Range<Int>] = []
    if requireAllRows {
      var next = 0
      for run in covered {
        if run.lowerBound > next { gaps.append(next..<run.lowerBound) }
        next = run.upperBound
      }
      if next < total { gaps.append(next..<total) }
    } else {
      for (a, b) in zip(covered, covered.dropFirst()) { gaps.append(a.upperBound..<b.lowerBound) }
    }
    if !gaps.isEmpty { throw MAPKError.incompatibleStates(uncoveredMessage(gaps, total: total, parts: parts)) }

    var merged = first.state
    var seconds = first.seconds
    var aboveClasses = first.labelsAtOrAboveClasses
    for (path, part) in parts.dropFirst() {
      do { try merged.merge(part.state) } catch {
        throw FileError(path: path, problem: "\(error)", kind: .conflict)
      }
      seconds += part.seconds
      // Each count is at most `maximumInputSize` (2^60, checked on load); a total past it is a forgery.
      let (sum, overflow) = aboveClasses.addingReportingOverflow(part.labelsAtOrAboveClasses)
      guard !overflow, sum <= maximumInputSize else {
        throw FileError(path: path, problem: "cannot merge: the total of counts.labels_at_or_above_classes "
                          + "exceeds \(maximumInputSize)", kind: .conflict)
      }
      aboveClasses = sum
      // Each part is at most `maximumSeconds`; so many parts that the total is not is a forgery.
      guard seconds <= maximumSeconds else {
        throw FileError(path: path, problem: "cannot merge: the total of run.seconds exceeds \(maximumSeconds)",
                        kind: .conflict)
      }
    }
    let union = covered.first.map { $0.lowerBound..<covered[covered.count - 1].upperBound }
      ?? (requireAllRows ? 0..<total : first.rows)
    var result = try StateFile(
      state: merged, rows: union, totalRows: total, shard: nil, classes: first.classes, inputs: first.inputs,
      threads: parts.map(\.state.threads).max() ?? 1, seconds: seconds).attaching(try mergedBootstrap(parts))
    result.labelsAtOrAboveClasses = aboveClasses
    return result
  }

  /// Reads the state files at `paths` and merges them (see ``merge(_:requireAllRows:)``).
  ///
  /// - Throws: ``FileError`` for a file that cannot be read or decoded, or
  ///   that is given twice (by the same path or another path to the same
  ///   file), and everything ``merge(_:requireAllRows:)`` throws.
  public static func merge(contentsOf paths: [String], requireAllRows: Bool = true) throws -> StateFile {
    var seen: [FileIdentity: String] = [:]
    var parts: [(path: String, state: StateFile)] = []
    for path in paths {
      let identity = try System.status(path: path).identity
      if let earlier = seen[identity] {
        throw FileError(path: path, problem: earlier == path ? "given twice" : "is the same file as \(earlier)", kind: .conflict)
      }
      seen[identity] = path
      parts.append((path, try StateFile(contentsOf: path)))
    }
    return try merge(parts, requireAllRows: requireAllRows)
  }

  /// The policies two states must share to merge, as a merge error names
  /// them ("cannot merge with a.json: empty-row policy skip vs zero"); the
  /// `mapk` CLI writes them as its options instead.
  package enum Setting: String, Sendable, CaseIterable {
    /// ``MAPConfiguration/emptyRows``.
    case emptyRows = "empty-row policy"
    /// ``MAPConfiguration/nanScores``.
    case nanScores = "NaN-score policy"
  }

  /// "rows 333..<666 of 1000 are not covered (missing shard 1/3)".
  static func uncoveredMessage(_ gaps: [Range<Int>], total: Int, parts: [(path: String, state: StateFile)]) -> String {
    func list(_ items: [String]) -> String {
      let shown = items.prefix(8).joined(separator: ", ")
      return items.count > 8 ? shown + " and \(items.count - 8) more" : shown
    }
    let rowCount = gaps.reduce(0) { $0 + $1.count }
    var message = "\(rowCount) of \(total) rows are not covered: rows "
      + list(gaps.map { "\($0.lowerBound)..<\($0.upperBound)" })
    // With every part an I/N shard of one N, name the shards that would cover the gaps.
    let shards = parts.compactMap(\.state.shard)
    // (Up to a million shards: the scan below is O(N).)
    if shards.count == parts.count, let n = shards.first?.count, n <= 1_000_000,
       shards.allSatisfy({ $0.count == n }) {
      let present = Set(shards.map(\.index))
      let missing = (0..<n).filter { i in
        let rows = Shard(index: i, count: n)!.rows(of: total)
        return !present.contains(i) && gaps.contains { $0.overlaps(rows) }
      }
      if !missing.isEmpty {
        message += " (missing shard\(missing.count == 1 ? "" : "s") " + list(missing.map { "\($0)/\(n)" }) + ")"
      }
    }
    return message
  }
}
