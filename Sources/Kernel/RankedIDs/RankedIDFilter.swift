/// The ids `RankedIDEvaluator` takes out of each row's ranking, one row at a
/// time: a generic parameter of its row loop, so the loop without
/// exclusions (`NoRankedIDExclusions`) is specialized with no check per id.
protocol RankedIDFilter {
  /// True when no id is ever excluded: every column is a position, so the
  /// row loop walks exactly its `maxK` columns.
  static var excludesNothing: Bool { get }
  /// Makes row `r`'s excluded ids the current ones.
  func gather(row r: Int)
  /// True if `id` is one of the current row's excluded ids.
  func contains(_ id: Int64) -> Bool
}
