/// No exclusions: every id takes its position (`RankedIDFilter`).
struct NoRankedIDExclusions: RankedIDFilter {
  static var excludesNothing: Bool { true }

  @inline(__always)
  func gather(row r: Int) {}

  @inline(__always)
  func contains(_ id: Int64) -> Bool { false }
}
