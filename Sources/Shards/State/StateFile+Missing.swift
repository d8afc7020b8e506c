extension StateFile {
  /// The shards of an `N`-shard run that a set of state files lacks: what a
  /// scheduler must run again (`mapk merge --missing`).
  ///
  /// Every file must be a valid state of shard `I/N` of the same N (`count`
  /// when given, else the first file's), of the same evaluation (ks,
  /// policies, rows, classes, input fingerprints), each index at most once.
  /// So a stale state, from a run of another N or another dump, is refused
  /// by name here rather than taken as done; the states that pass are the
  /// ones ``merge(contentsOf:requireAllRows:)`` will accept.
  ///
  /// - Parameters:
  ///   - paths: The state files present (none: every shard is missing).
  ///   - count: The number of shards N, if known; needed when `paths` is empty.
  /// - Returns: N and the missing indices in increasing order.
  /// - Throws: ``FileError`` naming a file that cannot be read, is not a
  ///   shard of N, disagrees with the first, or repeats an index;
  ///   ``MAPKError/incompatibleStates(_:)`` if there is neither a file nor `count`.
  /// - Complexity: O(N + files).
  package static func missingShards(contentsOf paths: [String], count: Int?) throws -> (count: Int, missing: [Int]) {
    precondition(count.map { $0 >= 1 } ?? true, "a shard count is at least 1")
    var parts: [(path: String, state: StateFile)] = []
    for path in paths { parts.append((path, try StateFile(contentsOf: path))) }
    try checkShards(parts, count: count)
    guard let n = count ?? parts.first?.state.shard?.count else {
      throw MAPKError.incompatibleStates("no states, and no shard count to tell which are missing")
    }
    var present = [Bool](repeating: false, count: n)
    for (_, part) in parts { present[part.shard!.index] = true }
    return (n, present.indices.filter { !present[$0] })
  }

  /// Checks that `parts` are distinct shards of one N (`count` when given)
  /// of one evaluation (see ``missingShards(contentsOf:count:)``).
  ///
  /// - Throws: ``FileError`` naming the first file that is not.
  static func checkShards(_ parts: [(path: String, state: StateFile)], count: Int?) throws {
    guard let (firstPath, first) = parts.first else { return }
    let n = count ?? first.shard?.count
    var seen: [Int: String] = [:]
    for (path, part) in parts {
      guard let shard = part.shard else {
        throw FileError(path: path, problem: "is not the state of an I/N shard"
                          + (n.map { ", not one of \($0) shards" } ?? ""))
      }
      if let n, shard.count != n {
        throw FileError(path: path, problem: "is shard \(shard) of another run, not one of \(n) shards")
      }
      if let earlier = seen[shard.index] {
        throw FileError(path: path, problem: "is shard \(shard), as is \(earlier)")
      }
      seen[shard.index] = path
      // The agreement checks of `merge`, so that a state taken as done here merges there.
      func differ(_ what: String) -> FileError {
        FileError(path: path, problem: "cannot merge with \(firstPath): \(what)")
      }
      let (a, b) = (first.state.configuration, part.state.configuration)
      if a.ks != b.ks { throw differ("ks \(b.ks) vs \(a.ks)") }
      if a.emptyRows != b.emptyRows {
        throw differ("--empty-rows \(b.emptyRows.rawValue) vs \(a.emptyRows.rawValue)")
      }
      if a.nanScores != b.nanScores { throw differ("--nan \(b.nanScores.rawValue) vs \(a.nanScores.rawValue)") }
      if part.totalRows != first.totalRows { throw differ("\(part.totalRows) rows in all vs \(first.totalRows)") }
      if part.classes != first.classes { throw differ("\(part.classes) classes vs \(first.classes)") }
      if let d = first.inputs.difference(from: part.inputs) { throw differ("other inputs (\(d))") }
    }
  }
}
