import Foundation
import TestSupport
import Testing

/// Pooled metrics (TensorFlow's precision and recall, Σ hits / Σ n) in
/// `mapk compare` and `mapk eval --ci`: the swap test against brute-force
/// enumeration over hits counted here from the scores, no t-test, the same
/// bytes for any thread count, and shard states with pooled bootstraps
/// merging to the single run's intervals.
@Suite struct PooledCompareTests {
  func json(_ r: ProcessOutcome) throws -> [String: Any] {
    #expect(r.status == 0, "\(r.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
  }

  @Test func swapTestIsBruteForceOverTheRowsHitsAndNoTTest() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // Seed 2024: 10 rows of 6 classes, 1 to 3 distinct labels per row (text
    // labels: recall's n is the row's label count), two systems' distinct scores.
    var rng = SplitMix64(seed: 2024)
    let rows = 10, classes = 6, k = 2
    var labels: [[Int]] = []
    for _ in 0..<rows {
      let count = Int(1 + rng.next() % 3)
      var row: [Int] = []
      while row.count < count {
        let c = Int(rng.next() % UInt64(classes))
        if !row.contains(c) { row.append(c) }
      }
      labels.append(row)
    }
    try labels.map { $0.map(String.init).joined(separator: " ") }.joined(separator: "\n").appending("\n")
      .write(toFile: dir.file("labels.txt"), atomically: true, encoding: .utf8)
    var hits: [[Int]] = []
    for s in 0..<2 {
      let scores = (0..<(rows * classes)).map { _ in Double(rng.next() >> 11) * 0x1p-53 }
      try NPYBytes.write(scores, descr: "<f8", shape: [rows, classes], to: dir.file("s\(s).npy"))
      // Hits within the top k, counted here from the scores.
      hits.append((0..<rows).map { r in
        let top = (0..<classes).sorted { scores[r * classes + $0] > scores[r * classes + $1] }.prefix(k)
        return top.filter { labels[r].contains($0) }.count
      })
    }
    let o = try json(try ProcessRunner.mapk(
      ["compare", "--json", "--labels", "labels.txt", "-k", "\(k)", "--metric", "precision,recall,map",
       "s0.npy", "s1.npy", "--permutations", "2000"], in: dir.path))
    let comparisons = try #require(o["comparisons"] as? [[String: Any]])
    #expect(comparisons.count == 3)
    // Brute force: every one of the 2^10 swap vectors, fractions compared exactly.
    func exactP(_ countsA: [Int], _ countsB: [Int]) -> Double {
      let (ha, hb) = (hits[1], hits[0])  // the system (A) against the baseline (B)
      let h = ha.reduce(0, +) + hb.reduce(0, +), n = countsA.reduce(0, +) + countsB.reduce(0, +)
      func statistic(_ x: Int, _ y: Int) -> (Int, Int) {
        let (p, q) = y == 0 ? (0, 1) : (x, y), (r, s) = n - y == 0 ? (0, 1) : (h - x, n - y)
        return (abs(p * s - r * q), q * s)
      }
      let (c, d) = statistic(ha.reduce(0, +), countsA.reduce(0, +))
      var count = 0
      for mask in 0..<(1 << rows) {
        var x = 0, y = 0
        for i in 0..<rows {
          if mask & (1 << i) != 0 { x += hb[i]; y += countsB[i] } else { x += ha[i]; y += countsA[i] }
        }
        let (a, b) = statistic(x, y)
        if a * d >= c * b { count += 1 }
      }
      return Double(count) / Double(1 << rows)
    }
    let labelCounts = labels.map(\.count)
    for (metric, counts) in [("precision", Array(repeating: k, count: rows)), ("recall", labelCounts)] {
      let c = try #require(comparisons.first { $0["metric"] as? String == metric })
      #expect(c["t"] is NSNull && c["p_t"] is NSNull, "\(metric): \(c)")
      let p = try #require(c["p_randomization"] as? Double)
      #expect(p == exactP(counts, counts), "\(metric)")
      #expect(c["p_holm"] as? Double == p)
      let value = { (s: Int) in Double(hits[s].reduce(0, +)) / Double(counts.reduce(0, +)) }
      #expect(abs((c["difference"] as? Double ?? .nan) - (value(1) - value(0))) < 1e-15, "\(metric)")
      let ci = try #require(c["ci"] as? [Double])
      #expect(ci.count == 2 && ci[0] <= ci[1])
    }
    let map = try #require(comparisons.first { $0["metric"] as? String == "map" })
    #expect(map["t"] is Double && map["p_t"] is Double)
    // The text, Markdown and LaTeX reports say the t-test does not apply.
    for format in ["text", "markdown", "latex"] {
      let r = try ProcessRunner.mapk(["compare", "--labels", "labels.txt", "-k", "2", "--metric", "recall",
                                      "s0.npy", "s1.npy", "--format", format], in: dir.path)
      #expect(r.status == 0 && r.stdout.contains("the t-test does not apply to a pooled metric"), "\(format): \(r.stdout)")
    }
  }

  @Test func pooledCompareSameBytesForAnyThreadCountAndItsIntervalIsEvals() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try ProcessRunner.mapk(["generate", "--rows", "600", "--classes", "30", "--labels-per-row", "3",
                                    "--seed", "31", "--out", "a"], in: dir.path)
    #expect(g.status == 0, "\(g.stderr)")
    let h = try ProcessRunner.mapk(["generate", "--rows", "600", "--classes", "30", "--labels-per-row", "3",
                                    "--seed", "32", "--out", "b"], in: dir.path)
    #expect(h.status == 0, "\(h.stderr)")
    let args = ["compare", "--labels", "a.labels.npy", "-k", "1,5", "--metric", "precision,map,recall",
                "a.pred.npy", "b.pred.npy", "a.pred.npy", "--all-pairs", "--permutations", "1500",
                "--bootstrap", "200", "--seed", "6"]
    var outputs: [String] = []
    for threads in ["1", "2", "3", "7"] {
      let r = try ProcessRunner.mapk(args + ["--format", "latex", "--threads", threads], in: dir.path)
      #expect(r.status == 0, "\(r.stderr)")
      outputs.append(r.stdout)
    }
    #expect(Set(outputs).count == 1, "\(outputs)")
    // A system against itself: difference 0, every swap changes nothing, p = 1.
    let o = try json(try ProcessRunner.mapk(args + ["--json", "--threads", "2"], in: dir.path))
    let comparisons = try #require(o["comparisons"] as? [[String: Any]])
    for c in comparisons where c["baseline"] as? String == "a.pred.npy" && c["system"] as? String == "a.pred.npy" {
      #expect(c["difference"] as? Double == 0 && c["p_randomization"] as? Double == 1, "\(c)")
    }
    // The same counts as eval --ci's: each system's pooled interval is eval's, bit for bit.
    let eval = try json(try ProcessRunner.mapk(
      ["eval", "--json", "--predictions", "b.pred.npy", "--labels", "a.labels.npy", "-k", "1,5",
       "--metric", "precision,map,recall", "--ci", "0.95", "--bootstrap", "200", "--seed", "6"], in: dir.path))
    let evalCIs = try #require(eval["results"] as? [[String: Any]]).map { $0["ci"] as? [Double] ?? [] }
    let systems = try #require(o["systems"] as? [[String: Any]])
    let compareCIs = try #require(systems[1]["results"] as? [[String: Any]]).map { $0["ci"] as? [Double] ?? [] }
    #expect(evalCIs == compareCIs && evalCIs.count == 6, "\(evalCIs) vs \(compareCIs)")
  }

  @Test func pooledIntervalIsThePooledRatiosAndShardStatesMergeToItsBits() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try ProcessRunner.mapk(["generate", "--rows", "2000", "--classes", "40", "--labels-per-row", "3",
                                    "--seed", "13", "--out", "d"], in: dir.path)
    #expect(g.status == 0, "\(g.stderr)")
    let base = ["eval", "--predictions", "d.pred.npy", "--labels", "d.labels.npy", "-k", "1,5,20",
                "--metric", "precision,map,recall", "--ci", "0.95", "--bootstrap", "300", "--seed", "99"]
    let single = try json(try ProcessRunner.mapk(base + ["--json", "--threads", "2"], in: dir.path))
    let results = try #require(single["results"] as? [[String: Any]])
    let expected = results.map { $0["ci"] as? [Double] ?? [] }
    #expect(expected.count == 9)
    // Each interval is around its own value (a pooled one's, not the mean of row ratios).
    for r in results {
      let ci = r["ci"] as? [Double] ?? [], v = r["value"] as? Double ?? .nan
      #expect(ci.count == 2 && ci[0] < v && v < ci[1], "\(r)")
    }
    for (n, threads) in [(1, "3"), (2, "1"), (3, "2")] {
      var states: [String] = []
      for i in 0..<n {
        let s = "s\(n)-\(i).json"
        let r = try ProcessRunner.mapk(base + ["--shard", "\(i)/\(n)", "--state", s, "--threads", threads], in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        states.append(s)
      }
      let merged = try json(try ProcessRunner.mapk(["merge", "--json"] + states.reversed(), in: dir.path))
      let cis = try #require(merged["results"] as? [[String: Any]]).map { $0["ci"] as? [Double] ?? [] }
      #expect(cis == expected, "N = \(n)")
    }
    // A state whose pooled results are not listed (as a reader that predates
    // the key would see it) is refused with one line, not misread.
    let text = try String(contentsOfFile: dir.file("s2-0.json"), encoding: .utf8)
    #expect(text.contains("\"pooled\""))
    try text.replacingOccurrences(of: "\"pooled\"", with: "\"unknown\"")
      .write(toFile: dir.file("bad.json"), atomically: true, encoding: .utf8)
    let bad = try ProcessRunner.mapk(["merge", "bad.json", "s2-1.json"], in: dir.path)
    #expect(bad.status == 1 && bad.stderr.hasPrefix("mapk: error: bad.json: ") && bad.stderr.contains("pooled")
            && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
  }
}
