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
    let shard = try ProcessRunner.mapk(base + ["--ci", "0.95", "--shard", "0/2", "--state", "s.json"], in: dir.path)
    #expect(shard.status == 2)
    #expect(shard.stderr == "mapk: error: --ci cannot be combined with --shard or --state (states do not carry the bootstrap)\n")
    let alone = try ProcessRunner.mapk(base + ["--bootstrap", "10"], in: dir.path)
    #expect(alone.status == 2 && alone.stderr == "mapk: error: --bootstrap needs --ci LEVEL\n")
    let level = try ProcessRunner.mapk(base + ["--ci", "95"], in: dir.path)
    #expect(level.status == 2 && level.stderr == "mapk: error: --ci must be a number between 0 and 1 (got '95')\n")
  }
}
