import Foundation
import Testing
import TestSupport

/// Shards whose totals, added in plain double arithmetic, do NOT give the
/// single run's totals, while `mapk merge` does, to the bit: the data on
/// which the exact accumulator matters.
///
/// Weights span 24 orders of magnitude (10^-12 .. 10^12) over many rows, so
/// each shard's total is rounded once when printed, and the sum of those
/// rounded totals is rounded again at every addition: the naive merge drifts
/// by some ulps. The test asserts that drift exists on its data (else it
/// would show nothing), then that the exact merge has none.
@Suite struct ShardExactnessTests {
  static let ks = [1, 3]

  /// The report's `results` as doubles: per k, `[total, max]`.
  func totals(_ json: String) throws -> [[Double]] {
    let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
    let results = try #require(object?["results"] as? [[String: Any]])
    return try results.map { r in
      [try #require((r["total"] as? NSNumber)?.doubleValue), try #require((r["max"] as? NSNumber)?.doubleValue)]
    }
  }

  /// The `"results": [...]` text: numbers printed in shortest round-trip form, so equal text is equal bits.
  func resultsText(_ json: String) -> String {
    guard let start = json.range(of: "\"results\": ["), let end = json[start.upperBound...].range(of: "]") else {
      return "(no results in \(json))"
    }
    return String(json[start.lowerBound..<end.upperBound])
  }

  @Test(arguments: [UInt64(21), 22])
  func naiveSummationDriftsAndTheExactMergeDoesNot(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let dir = try TemporaryDirectory("exactness")
    defer { dir.remove() }
    let rows = 40_000, classes = 6
    var scores: [Float] = [], labels: [Int64] = [], weights: [Double] = []
    for _ in 0..<rows {
      for _ in 0..<classes { scores.append(Float(Int.random(in: 0..<16, using: &rng)) / 16) }
      labels.append(Int64.random(in: 0..<Int64(classes), using: &rng))
      weights.append(Double.random(in: 1...2, using: &rng) * pow(10, Double(Int.random(in: -12...12, using: &rng))))
    }
    let (p, l, w) = (dir.file("p.npy"), dir.file("l.npy"), dir.file("w.npy"))
    try NPYBytes.write(scores, descr: "<f4", shape: [rows, classes], to: p)
    try NPYBytes.write(labels, descr: "<i8", shape: [rows], to: l)
    try NPYBytes.write(weights, descr: "<f8", shape: [rows], to: w)
    let eval = ["eval", "--predictions", p, "--labels", l, "--weights", w, "-k", "1,3", "--json", "--no-progress"]

    let single = try ProcessRunner.mapk(eval)
    #expect(single.status == 0, "\(single.stderr)")
    let singleTotals = try totals(single.stdout)

    var drifted = 0
    for n in [3, 7] {
      var states: [String] = []
      var naive = [[Double]](repeating: [0, 0], count: Self.ks.count)
      for i in 0..<n {
        let state = dir.file("s\(n)-\(i).json")
        let shard = try ProcessRunner.mapk(eval + ["--shard", "\(i)/\(n)", "--state", state, "--threads", "\(1 + i % 2)"])
        #expect(shard.status == 0, "\(shard.stderr)")
        states.append(state)
        for (j, t) in try totals(shard.stdout).enumerated() {
          naive[j][0] += t[0]
          naive[j][1] += t[1]
        }
      }
      drifted += zip(naive, singleTotals).filter { $0 != $1 }.count
      let merged = try ProcessRunner.mapk(["merge", "--json", "--shards", "\(n)"] + states.reversed())
      #expect(merged.status == 0, "\(merged.stderr)")
      #expect(resultsText(merged.stdout) == resultsText(single.stdout), "seed \(seed), N = \(n)")
    }
    // The data must make plain double sums of the shards' totals differ from the single run.
    #expect(drifted > 0, "seed \(seed): naive summation matched the single run; the data shows nothing")
  }
}
