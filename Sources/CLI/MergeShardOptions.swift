import MAPKShards
import MAPKTooling

/// `mapk merge --shards N` and `--missing`: the N a merge expects, and the
/// shard indices a scheduler must run again, in `sbatch --array` syntax.
enum MergeShardOptions {
  /// The options, in `mapk merge`'s table.
  static let options = [
    Option("--shards", value: "N", help: "the states must be the N shards of one run (--shard I/N): a state of",
           "another N is refused, and shards without a state are named"),
    Option("--missing", help: "print the indices of the shards without a state (of --shards N, or",
           "the states' N), e.g. 3,5-6 (sbatch --array syntax; nothing if none)",
           "and exit 0, merging nothing: sbatch --array=$(mapk merge --missing ...)"),
  ]

  /// Handles `--shards` and `--missing` before a merge: returns true if
  /// `--missing` printed the missing indices (nothing more to do); throws if
  /// `--shards N` is given and a state is not one of its shards or one is missing.
  static func run(_ parsed: Arguments) throws -> Bool {
    let count = try parsed.int("--shards")
    guard parsed.has("--missing") || count != nil else { return false }
    if count == nil && parsed.positional.isEmpty {
      throw UsageError(description: "--missing needs --shards N or at least one state file")
    }
    let (n, missing) = try StateFile.missingShards(contentsOf: parsed.positional, count: count)
    if parsed.has("--missing") {
      if !missing.isEmpty { print(arraySpec(missing)) }
      return true
    }
    guard missing.isEmpty else {
      let shown = missing.prefix(8).map { "\($0)/\(n)" }.joined(separator: ", ")
        + (missing.count > 8 ? " and \(missing.count - 8) more" : "")
      throw MAPKError.incompatibleStates(
        "\(missing.count) of \(n) shards have no state: missing shard\(missing.count == 1 ? "" : "s") \(shown)"
          + " (list them with --missing)")
    }
    return false
  }

  /// Increasing indices as `sbatch --array` wants them: runs of consecutive
  /// indices as `a-b`, joined by commas (`[0, 1, 2, 5, 7, 8]` → `0-2,5,7-8`).
  static func arraySpec(_ indices: [Int]) -> String {
    var runs: [String] = []
    var i = indices.startIndex
    while i < indices.endIndex {
      var j = i
      while j + 1 < indices.endIndex && indices[j + 1] == indices[j] + 1 { j += 1 }
      runs.append(i == j ? "\(indices[i])" : "\(indices[i])-\(indices[j])")
      i = j + 1
    }
    return runs.joined(separator: ",")
  }
}
