extension CompareStateFile {
  /// Merges the compare states of disjoint row ranges of one comparison into
  /// the state of all rows: exactly the state one run over all of them
  /// builds, so its ``result()`` is the single run's, bit for bit.
  ///
  /// Refused, naming the file: states of other systems (names), another
  /// alpha, metrics, ks or policies, another design (permutations,
  /// bootstrap replicates, level, seed) or pairs, other inputs (each
  /// system's fingerprints, the labels' and weights' among them), rows of
  /// the tests with another common weight, and (as ``StateFile/merge(_:requireAllRows:)``
  /// refuses them) overlapping or missing rows.
  ///
  /// - Throws: ``FileError`` about one file, or `MAPKError/incompatibleStates(_:)`
  ///   for rows left uncovered.
  /// - Complexity: O(parts · tests · B · limbs).
  public static func merge(_ parts: [(path: String, state: CompareStateFile)]) throws -> CompareStateFile {
    guard let (firstPath, first) = parts.first else { throw MAPKError.incompatibleStates("no states to merge") }
    func differ(_ path: String, _ what: String) -> FileError {
      FileError(path: path, problem: "cannot merge with \(firstPath): \(what)", kind: .conflict)
    }
    for (path, part) in parts.dropFirst() {
      if part.names != first.names { throw differ(path, "systems \(part.names) vs \(first.names)") }
      if part.alpha != first.alpha { throw differ(path, "alpha \(part.alpha) vs \(first.alpha)") }
      let (a, b) = (part.systems[0].state.configuration, first.systems[0].state.configuration)
      if a.ks != b.ks { throw differ(path, "ks \(a.ks) vs \(b.ks)") }
      if a.metrics != b.metrics { throw differ(path, "metrics \(a.metrics.map(\.name)) vs \(b.metrics.map(\.name))") }
    }
    // Each system's states merge as eval states do: same inputs, no overlap, all rows (first,
    // so that the comparisons below add the sums of disjoint rows only).
    let systems = try first.systems.indices.map { s in
      try StateFile.merge(parts.map { (path: $0.path, state: $0.state.systems[s]) })
    }
    var comparison = first.comparison
    var evaluationSeconds = first.evaluationSeconds
    for (path, part) in parts.dropFirst() {
      do { try comparison.merge(part.comparison) } catch { throw differ(path, error.description) }
      evaluationSeconds += part.evaluationSeconds
      guard evaluationSeconds <= StateFile.maximumSeconds else {
        throw differ(path, "the total of evaluation_seconds exceeds \(StateFile.maximumSeconds)")
      }
    }
    do {
      return try CompareStateFile(names: first.names, systems: systems, alpha: first.alpha, comparison: comparison,
                                  evaluationSeconds: evaluationSeconds)
    } catch {
      throw FileError(path: firstPath, problem: "cannot merge: \(error)", kind: .conflict)
    }
  }

  /// Reads the compare state files at `paths` and merges them (see ``merge(_:)``).
  ///
  /// - Throws: ``FileError`` for a file that cannot be read or decoded, or
  ///   that is given twice, and everything ``merge(_:)`` throws.
  public static func merge(contentsOf paths: [String]) throws -> CompareStateFile {
    var seen: [FileIdentity: String] = [:]
    var parts: [(path: String, state: CompareStateFile)] = []
    for path in paths {
      let identity = try System.status(path: path).identity
      if let earlier = seen[identity] {
        throw FileError(path: path, problem: earlier == path ? "given twice" : "is the same file as \(earlier)",
                        kind: .conflict)
      }
      seen[identity] = path
      parts.append((path, try CompareStateFile(contentsOf: path)))
    }
    return try merge(parts)
  }
}
