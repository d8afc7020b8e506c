import Foundation
import TestSupport
import Testing

/// `mapk compare --shard I/N --state S` and `mapk merge` of the compare
/// states: the merge prints the single run's report (the same bytes in
/// Markdown and LaTeX, the same JSON but for the threads and the time, the
/// same text but for its last line, which gives them) for any N, thread
/// counts and merge order; mismatched states are refused by name.
@Suite struct CompareShardTests {
  /// A dump of `rows` rows of 8 classes (seeded): text labels (1 to 3 per
  /// row), three systems (s1 and s2 are s0 plus noise, so their values are
  /// close and ties of AP are common), weights 1 with every 5th row 0.
  func write(rows: Int, seed: UInt64, in dir: TemporaryDirectory) throws {
    var rng = SplitMix64(seed: seed)
    let classes = 8
    func uniform() -> Double { Double(rng.next() >> 11) * 0x1p-53 }
    var lines: [String] = []
    for _ in 0..<rows {
      var row: [Int] = []
      let count = 1 + Int(rng.next() % 3)
      while row.count < count {
        let c = Int(rng.next() % UInt64(classes))
        if !row.contains(c) { row.append(c) }
      }
      lines.append(row.map(String.init).joined(separator: " "))
    }
    try (lines.joined(separator: "\n") + "\n").write(toFile: dir.file("labels.txt"), atomically: true, encoding: .utf8)
    let base = (0..<(rows * classes)).map { _ in uniform() }
    for (s, noise) in [0.0, 0.2, 0.4].enumerated() {
      try NPYBytes.write(base.map { $0 + noise * uniform() }, descr: "<f8", shape: [rows, classes], to: dir.file("s\(s).npy"))
    }
    try NPYBytes.write((0..<rows).map { $0 % 5 == 4 ? 0.0 : 1.0 }, descr: "<f8", shape: [rows], to: dir.file("w.npy"))
  }

  func run(_ arguments: [String], in dir: TemporaryDirectory) throws -> String {
    let r = try ProcessRunner.mapk(arguments, in: dir.path)
    #expect(r.status == 0, "\(arguments): \(r.stderr)")
    return r.stdout
  }

  /// The JSON report without the keys that give the threads and the time.
  func stripped(_ json: String) throws -> String {
    var o = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    #expect(o["threads"] != nil && o["seconds"] != nil)
    o["threads"] = nil
    o["seconds"] = nil
    return String(decoding: try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]), as: UTF8.self)
  }

  /// The text report without its last line (the threads and the times).
  func withoutTimes(_ text: String) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count > 3 && lines[lines.count - 2].contains("thread"))
    lines.remove(at: lines.count - 2)
    return lines.joined(separator: "\n")
  }

  /// Seed 41: 12 rows, 10 in the tests, so 2^10 <= B: the merge enumerates the
  /// sign flips exactly over the rows of all shards. Seed 42: 150 rows, 120
  /// in the tests, sampled (AP@1's d are -1, 0 and 1: many sums tie the
  /// observed one exactly, decided exactly in both). Mean and pooled metrics.
  @Test(arguments: [(UInt64(41), 12), (UInt64(42), 150)])
  func shardStatesMergeToTheSingleRunsReport(seed: UInt64, rows: Int) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try write(rows: rows, seed: seed, in: dir)
    let common = ["compare", "--labels", "labels.txt", "-k", "1,3", "--metric", "map,recall", "s0.npy", "s1.npy",
                  "s2.npy", "--weights", "w.npy", "--permutations", "1100", "--bootstrap", "200", "--seed", "7"]
    let formats: [[String]] = [["--json"], ["--format", "markdown"], ["--format", "latex"], []]
    let single = try formats.map { try run(common + $0, in: dir) }
    let json = try #require(try JSONSerialization.jsonObject(with: Data(single[0].utf8)) as? [String: Any])
    #expect(json["rows_in_tests"] as? Int == rows - rows / 5)
    #expect(single[1].contains(rows <= 12 ? "exact over all 2^\(rows - rows / 5) sign flips" : "with 1100 sign flips"))
    for n in 1...3 {
      var states: [String] = []
      for i in 0..<n {
        let state = "c\(n)-\(i).json"
        // Threads 1 and 3 in turn: the sums do not depend on them.
        _ = try run(common + ["--shard", "\(i)/\(n)", "--state", state, "--threads", i % 2 == 0 ? "1" : "3"], in: dir)
        states.append(state)
      }
      for order in [states, states.reversed()] {
        let merged = try formats.map { try run(["merge"] + order + $0, in: dir) }
        #expect(try stripped(merged[0]) == stripped(single[0]), "N = \(n), \(order)")
        #expect(merged[1] == single[1], "N = \(n), \(order)")
        #expect(merged[2] == single[2], "N = \(n), \(order)")
        #expect(withoutTimes(merged[3]) == withoutTimes(single[3]), "N = \(n), \(order)")
      }
    }
    // Without --shard, the state of all rows: the report is the single run's, and so is its merge.
    let whole = try run(common + ["--format", "latex", "--state", "all.json"], in: dir)
    #expect(whole == single[2])
    #expect(try run(["merge", "all.json", "--format", "latex"], in: dir) == single[2])
  }

  @Test func mismatchedStatesAreRefusedNamingTheFile() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try write(rows: 60, seed: 43, in: dir)
    func options(k: String = "3", permutations: String = "200", bootstrap: String = "50") -> [String] {
      ["compare", "--labels", "labels.txt", "-k", k, "s0.npy", "s1.npy", "--permutations", permutations,
       "--bootstrap", bootstrap]
    }
    let common = options()
    func shard(_ i: Int, _ n: Int, _ state: String, _ extra: [String] = [], _ base: [String]? = nil) throws {
      _ = try run((base ?? common) + extra + ["--shard", "\(i)/\(n)", "--state", state], in: dir)
    }
    try shard(0, 2, "a0.json")
    try shard(1, 2, "a1.json")
    try shard(1, 2, "seed.json", ["--seed", "5"])
    try shard(1, 2, "perm.json", [], options(permutations: "300"))
    try shard(1, 2, "boot.json", [], options(bootstrap: "60"))
    try shard(1, 2, "ks.json", [], options(k: "1"))
    try shard(1, 2, "metric.json", ["--metric", "ndcg"])
    _ = try run(["compare", "--labels", "labels.txt", "-k", "3", "s1.npy", "s0.npy", "--permutations", "200",
                 "--bootstrap", "50", "--shard", "1/2", "--state", "swapped.json"], in: dir)
    try FileManager.default.copyItem(atPath: dir.file("a0.json"), toPath: dir.file("copy.json"))
    _ = try run(["eval", "--predictions", "s0.npy", "--labels", "labels.txt", "-k", "3", "--shard", "1/2",
                 "--state", "eval.json"], in: dir)
    // Other labels (the same rows, one label moved): the systems' input fingerprints differ.
    let labels = try String(contentsOfFile: dir.file("labels.txt"), encoding: .utf8)
    try ("7" + labels.dropFirst()).write(toFile: dir.file("other.txt"), atomically: true, encoding: .utf8)
    _ = try run(["compare", "--labels", "other.txt", "-k", "3", "s0.npy", "s1.npy", "--permutations", "200",
                 "--bootstrap", "50", "--shard", "1/2", "--state", "labels.json"], in: dir)

    func refused(_ states: [String], _ message: String, status: Int32 = 1) throws {
      let r = try ProcessRunner.mapk(["merge"] + states, in: dir.path)
      #expect(r.status == status, "\(states)")
      #expect(r.stderr == "mapk: error: " + message + "\n", "\(states)")
      #expect(r.stdout.isEmpty)
    }
    try refused(["a0.json", "seed.json"], "seed.json: cannot merge with a0.json: seed 5 vs 0")
    try refused(["a0.json", "perm.json"], "perm.json: cannot merge with a0.json: 300 permutations vs 200")
    try refused(["a0.json", "boot.json"], "boot.json: cannot merge with a0.json: bootstrap of 60 replicates vs 50")
    try refused(["a0.json", "ks.json"], "ks.json: cannot merge with a0.json: ks [1] vs [3]")
    try refused(["a0.json", "metric.json"], "metric.json: cannot merge with a0.json: metrics [\"ndcg\"] vs [\"map\"]")
    try refused(["a0.json", "swapped.json"],
                "swapped.json: cannot merge with a0.json: systems [\"s1.npy\", \"s0.npy\"] vs [\"s0.npy\", \"s1.npy\"]")
    try refused(["a0.json", "copy.json"], "copy.json: covers the same rows 0..<30 as a0.json (a copy?)")
    try refused(["a0.json", "a0.json"], "a0.json: given twice")
    try refused(["a1.json"], "cannot merge: 30 of 60 rows are not covered: rows 0..<30 (missing shard 0/2)")
    try refused(["a0.json", "eval.json"],
                "eval.json: cannot merge with a0.json: not a compare state ('mapk compare --state'), as a0.json is")
    try refused(["eval.json", "a0.json"], "a0.json: cannot merge with eval.json: a compare state "
                  + "('mapk compare --state') with eval states ('mapk eval --state')")
    let r = try ProcessRunner.mapk(["merge", "a0.json", "labels.json"], in: dir.path)
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("mapk: error: labels.json: cannot merge with a0.json: other inputs (labels"), "\(r.stderr)")
    try refused(["a0.json", "a1.json", "--missing"],
                "--missing applies to eval states; for compare states give every shard's state", status: 2)
    try refused(["eval.json", "--format", "latex"],
                "--format applies to the merge of compare states ('mapk compare --state')", status: 2)
    #expect(try !run(["merge", "a1.json", "a0.json"], in: dir).isEmpty)

    // Weights 1 on the first shard's rows and 2 on the second's: each shard
    // has one common weight, their merge has two, as the single run refuses.
    try NPYBytes.write((0..<60).map { $0 < 30 ? 1.0 : 2.0 }, descr: "<f8", shape: [60], to: dir.file("w2.npy"))
    try shard(0, 2, "w0.json", ["--weights", "w2.npy"])
    try shard(1, 2, "w1.json", ["--weights", "w2.npy"])
    try refused(["w0.json", "w1.json"], "w1.json: cannot merge with w0.json: the paired tests need one common "
                  + "weight for all rows of nonzero weight (found 1.0 and 2.0)")
    let single = try ProcessRunner.mapk(common + ["--weights", "w2.npy"], in: dir.path)
    #expect(single.status == 1 && single.stderr.contains("one common weight"))

    // --shard alone is a usage error; a state is never written over an input.
    let alone = try ProcessRunner.mapk(common + ["--shard", "0/2"], in: dir.path)
    #expect(alone.status == 2)
    #expect(alone.stderr == "mapk: error: --shard needs --state FILE (the shard's sums, for 'mapk merge')\n")
    let over = try ProcessRunner.mapk(common + ["--state", "s0.npy"], in: dir.path)
    #expect(over.status != 0 && over.stderr.hasPrefix("mapk: error: "))
    // A damaged compare state: one clear line, no crash.
    let text = try String(contentsOfFile: dir.file("a1.json"), encoding: .utf8)
    try text.replacingOccurrences(of: "\"permutation_sums\" : [", with: "\"permutation_sums\" : [\"0xZZ\",")
      .write(toFile: dir.file("bad.json"), atomically: true, encoding: .utf8)
    let bad = try ProcessRunner.mapk(["merge", "a0.json", "bad.json"], in: dir.path)
    #expect(bad.status == 1)
    #expect(bad.stderr.hasPrefix("mapk: error: bad.json: bad compare state: ") && bad.stderr.filter { $0 == "\n" }.count == 1,
            "\(bad.stderr)")
    // A truncated one: its reader's own line, not "not a compare state".
    try String(text.prefix(200)).write(toFile: dir.file("cut.json"), atomically: true, encoding: .utf8)
    let cut = try ProcessRunner.mapk(["merge", "a0.json", "cut.json"], in: dir.path)
    #expect(cut.status == 1)
    #expect(cut.stderr.hasPrefix("mapk: error: cut.json: not a mapk compare state: not valid JSON"), "\(cut.stderr)")
    // More permutations than a state holds (a damaged or crafted count, which
    // would have merge enumerate 2^n sign vectors): refused when read.
    guard text.contains("\"permutations\" : 200,") else { Issue.record("no permutations key in a1.json"); return }
    try text.replacingOccurrences(of: "\"permutations\" : 200,", with: "\"permutations\" : 1073741824,")
      .write(toFile: dir.file("many.json"), atomically: true, encoding: .utf8)
    try refused(["a0.json", "many.json"], "many.json: bad compare state: 1073741824 permutations, more than a "
                  + "compare state holds (100000)")
  }
}
