/// What a threshold scan (`RowScanning.scan`) calls for the scores it cannot
/// rule out: every score whose key is at least ``threshold`` and every NaN,
/// in increasing index order. The scan may visit more than that (a block is
/// compared with the threshold it had when the block began), so a visitor
/// re-checks what it needs. The threshold may only rise during a scan.
protocol CandidateVisitor {
  associatedtype Bits: ScoreBits
  /// The smallest key that still matters.
  var threshold: Bits.Key { get }
  /// Takes the score at `index`; false stops the scan (a NaN under `.error`).
  mutating func visit(_ index: Int, _ bits: Bits) -> Bool
}
