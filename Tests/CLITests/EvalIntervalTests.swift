import Foundation
import TestSupport
import Testing

/// `mapk eval --ci`: the interval in the human line and the JSON, the same
/// bits for any thread count, the same interval as `mapk compare` gives the
/// same system (another code path over the same counts), and its refusals.
@Suite struct EvalIntervalTests {
  func json(_ r: ProcessOutcome) throws -> [String: Any] {
    #expect(r.status == 0, "\(r.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
  }

  @Test func intervalInLineAndJSONSameForAnyThreadsAndAsCompare() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try ProcessRunner.mapk(["generate", "--rows", "3000", "--classes", "30", "--labels-per-row", "3",
                                    "--seed", "4", "--out", "d"], in: dir.path)
    #expect(g.status == 0, "\(g.stderr)")
    let base = ["eval", "--predictions", "d.pred.npy", "--labels", "d.labels.npy", "-k", "1,10", "--ci", "0.9",
                "--bootstrap", "400", "--seed", "3"]
    var results: [[[String: Any]]] = []
    for threads in ["1", "2", "5"] {
      let o = try json(try ProcessRunner.mapk(base + ["--json", "--threads", threads], in: dir.path))
      results.append(try #require(o["results"] as? [[String: Any]]))
    }
    let cis = results.map { $0.map { $0["ci"] as? [Double] ?? [] } }
    #expect(cis[0] == cis[1] && cis[1] == cis[2])
    for (i, r) in results[0].enumerated() {
      let v = try #require(r["map"] as? Double), ci = cis[0][i]
      #expect(ci.count == 2 && ci[0] < v && v < ci[1], "\(r)")
    }
    // The human lines: `MAP@1  = value (90% CI lo-hi)`.
    let human = try ProcessRunner.mapk(base, in: dir.path)
    #expect(human.status == 0, "\(human.stderr)")
    let lines = human.stdout.split(separator: "\n").map(String.init)
    let v10 = try #require(results[0][1]["map"] as? Double)
    #expect(lines[1] == "MAP@10 = \(v10) (90% CI \(String(format: "%.4f", cis[0][1][0]))-\(String(format: "%.4f", cis[0][1][1])))",
            "\(lines)")
    // mapk compare of the same system (as the baseline) over the same counts: the same interval.
    let c = try json(try ProcessRunner.mapk(["compare", "--json", "--labels", "d.labels.npy", "-k", "1,10", "d.pred.npy",
                                             "d.pred.npy", "--ci", "0.9", "--bootstrap", "400", "--seed", "3",
                                             "--permutations", "10"], in: dir.path))
    let systems = try #require(c["systems"] as? [[String: Any]])
    let compared = (systems[0]["results"] as? [[String: Any]] ?? []).map { $0["ci"] as? [Double] ?? [] }
    #expect(compared == cis[0])
    // Without --ci, no interval.
    let plain = try json(try ProcessRunner.mapk(["eval", "--predictions", "d.pred.npy", "--labels", "d.labels.npy",
                                                 "-k", "10", "--json"], in: dir.path))
    #expect((plain["results"] as? [[String: Any]])?.first?["ci"] == nil)
  }

  @Test func refusals() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try ProcessRunner.mapk(["generate", "--rows", "50", "--classes", "10", "--labels-per-row", "2",
                                    "--out", "d"], in: dir.path)
    #expect(g.status == 0)
    let base = ["eval", "--predictions", "d.pred.npy", "--labels", "d.labels.npy", "-k", "3"]
    let alone = try ProcessRunner.mapk(base + ["--bootstrap", "10"], in: dir.path)
    #expect(alone.status == 2 && alone.stderr == "mapk: error: --bootstrap needs --ci LEVEL\n")
    let level = try ProcessRunner.mapk(base + ["--ci", "95"], in: dir.path)
    #expect(level.status == 2 && level.stderr == "mapk: error: --ci must be a number between 0 and 1 (got '95')\n")
  }

  /// `eval --ci --shard I/N --state` for several N and thread counts, merged:
  /// the single run's intervals, bit for bit (the JSON doubles and the line).
  @Test func shardStatesMergeToTheSingleRunsIntervalBits() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try ProcessRunner.mapk(["generate", "--rows", "2500", "--classes", "40", "--labels-per-row", "3",
                                    "--seed", "11", "--out", "d"], in: dir.path)
    #expect(g.status == 0, "\(g.stderr)")
    let base = ["eval", "--predictions", "d.pred.npy", "--labels", "d.labels.npy", "-k", "1,5,20",
                "--metric", "map,ndcg,mrr", "--ci", "0.95", "--bootstrap", "300", "--seed", "12345678901234567890"]
    let single = try json(try ProcessRunner.mapk(base + ["--json", "--threads", "2"], in: dir.path))
    let expected = try #require(single["results"] as? [[String: Any]]).map { $0["ci"] as? [Double] ?? [] }
    #expect(expected.count == 9 && expected.allSatisfy { $0.count == 2 && $0[0] < $0[1] })
    let singleLine = try ProcessRunner.mapk(base + ["--threads", "1"], in: dir.path).stdout
    for (n, threads) in [(1, "3"), (2, "1"), (3, "2"), (7, "3")] {
      var states: [String] = []
      for i in 0..<n {
        let s = "s\(n)-\(i).json"
        let r = try ProcessRunner.mapk(base + ["--shard", "\(i)/\(n)", "--state", s, "--threads", threads], in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        states.append(s)
      }
      // Merge order does not matter either.
      let merged = try json(try ProcessRunner.mapk(["merge", "--json"] + states.reversed(), in: dir.path))
      let cis = try #require(merged["results"] as? [[String: Any]]).map { $0["ci"] as? [Double] ?? [] }
      #expect(cis == expected, "N = \(n)")
      let line = try ProcessRunner.mapk(["merge"] + states, in: dir.path).stdout
      // The same result lines but for the figures after the first line's value and interval.
      func results(_ text: String) -> [String] {
        text.split(separator: "\n").map { String($0.split(separator: "(", maxSplits: 2).prefix(2).joined(separator: "(")) }
          .filter { $0.contains("CI") }
      }
      #expect(results(line) == results(singleLine) && results(line).count == 9, "N = \(n): \(line)")
    }
  }

  /// What a merge of bootstrap states refuses: another B, seed or level, and
  /// a state without replicates beside one with them; states without any
  /// still merge as before, and a corrupted section is one error line.
  @Test func bootstrapStateRefusals() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try ProcessRunner.mapk(["generate", "--rows", "200", "--classes", "10", "--labels-per-row", "2",
                                    "--seed", "5", "--out", "d"], in: dir.path)
    #expect(g.status == 0)
    let base = ["eval", "--predictions", "d.pred.npy", "--labels", "d.labels.npy", "-k", "3"]
    func save(_ shard: String, _ name: String, _ extra: [String]) throws {
      let r = try ProcessRunner.mapk(base + ["--shard", shard, "--state", name] + extra, in: dir.path)
      #expect(r.status == 0, "\(r.stderr)")
    }
    let ci = ["--ci", "0.95", "--bootstrap", "50", "--seed", "1"]
    try save("0/2", "a.json", ci)
    try save("1/2", "b.json", ci)
    try save("1/2", "b-replicates.json", ["--ci", "0.95", "--bootstrap", "60", "--seed", "1"])
    try save("1/2", "b-seed.json", ["--ci", "0.95", "--bootstrap", "50", "--seed", "2"])
    try save("1/2", "b-level.json", ["--ci", "0.9", "--bootstrap", "50", "--seed", "1"])
    try save("1/2", "b-none.json", [])
    try save("0/2", "a-none.json", [])
    let ok = try ProcessRunner.mapk(["merge", "a.json", "b.json"], in: dir.path)
    #expect(ok.status == 0 && ok.stdout.contains("(95% CI "), "\(ok.stderr)")
    let old = try ProcessRunner.mapk(["merge", "a-none.json", "b-none.json"], in: dir.path)
    #expect(old.status == 0 && !old.stdout.contains("CI"), "\(old.stderr)")
    for (file, problem) in [
      ("b-replicates.json", "bootstrap of 60 replicates vs 50"), ("b-seed.json", "bootstrap seed 2 vs 1"),
      ("b-level.json", "confidence level 0.9 vs 0.95"),
      ("b-none.json", "it has no bootstrap replicates (saved without --ci) and a.json has"),
    ] {
      let r = try ProcessRunner.mapk(["merge", "a.json", file], in: dir.path)
      #expect(r.status == 1 && r.stderr == "mapk: error: \(file): cannot merge with a.json: \(problem)\n", "\(r.stderr)")
    }
    // A corrupted replicate sum: one line naming the file and the place.
    let text = try String(contentsOfFile: dir.path + "/b.json", encoding: .utf8)
    let section = try #require(text.range(of: "\"bootstrap\""))
    let range = try #require(text.range(of: "\"0x", range: section.upperBound..<text.endIndex))
    try (text[..<range.upperBound] + "zz" + text[range.upperBound...]).write(
      toFile: dir.path + "/b-bad.json", atomically: true, encoding: .utf8)
    let bad = try ProcessRunner.mapk(["merge", "a.json", "b-bad.json"], in: dir.path)
    #expect(bad.status == 1 && bad.stderr.hasPrefix("mapk: error: b-bad.json: bad state: bootstrap: sums[0][0]: "),
            "\(bad.stderr)")
  }
}
