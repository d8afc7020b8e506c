/// A ``PairedTTestSums`` rebuilt from its saved parts (a compare state of
/// `mapk compare --shard I/N --state S`): the sums are exact, so the rebuilt
/// state is the one that was saved and merges as it would have.
extension PairedTTestSums {
  /// The sums n, Σd and Σd² as saved.
  ///
  /// - Precondition: `count` ≥ 0.
  package init(count: Int, sum: ExactSum, sumOfSquares: ExactSum) {
    precondition(count >= 0, "a count of rows")
    self.init()
    self.count = count
    self.sum = sum
    self.sumOfSquares = sumOfSquares
  }
}
