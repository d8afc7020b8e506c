import Foundation
import MAPKShards
import TestSupport
import Testing

/// `mapk compare` against saved scipy numbers and exact enumeration
/// (`CompareCases.swift`, from `Scripts/oracle/compare_cases.py`), its
/// determinism for any thread count, its weights and empty-rows rules, and
/// its tables.
@Suite struct CompareTests {
  /// Writes a case's labels and three systems' scores into `dir`.
  func write(_ c: CompareCase, in dir: TemporaryDirectory) throws {
    try NPYBytes.write(c.labels, descr: "<i8", shape: [c.rows, 2], to: dir.file("labels.npy"))
    for (i, s) in c.scores.enumerated() {
      try NPYBytes.write(s, descr: "<f8", shape: [c.rows, c.classes], to: dir.file("s\(i).npy"))
    }
  }

  /// Runs `mapk compare ... --json` and returns the parsed object.
  func compare(_ arguments: [String], in dir: TemporaryDirectory) throws -> [String: Any] {
    let r = try ProcessRunner.mapk(["compare", "--json"] + arguments, in: dir.path)
    #expect(r.status == 0, "\(r.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
  }

  func comparisons(_ json: [String: Any]) -> [[String: Any]] { json["comparisons"] as? [[String: Any]] ?? [] }

  @Test(arguments: compareCases.indices)
  func pairedTTestIsScipysTtestRelAndTheSmallRandomizationTestIsExact(index: Int) throws {
    let c = compareCases[index]
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try write(c, in: dir)
    let json = try compare(["--labels", "labels.npy", "-k", "\(c.k)", "s0.npy", "s1.npy", "s2.npy",
                            "--permutations", "70000"], in: dir)
    let rows = comparisons(json)
    try #require(rows.count == 2)
    for j in 0..<2 {
      let x = rows[j]
      #expect(x["baseline"] as? String == "s0.npy" && x["system"] as? String == "s\(j + 1).npy")
      let t = try #require(x["t"] as? Double), p = try #require(x["p_t"] as? Double)
      #expect(abs(t - c.t[j]) <= 1e-9 * abs(c.t[j]), "case \(index) system \(j + 1): t \(t) vs scipy \(c.t[j])")
      #expect(abs(p - c.p[j]) <= 1e-9, "case \(index) system \(j + 1): p \(p) vs scipy \(c.p[j])")
      let mean = { (a: [Double]) in a.reduce(0, +) / Double(a.count) }
      let difference = try #require(x["difference"] as? Double)
      #expect(abs(difference - (mean(c.ap[j + 1]) - mean(c.ap[0]))) <= 1e-12)
      if let exact = c.exactRandomization[j] {
        // 2^n <= 70000 for n <= 16: all sign flips, the exact p.
        #expect(x["p_randomization"] as? Double == exact, "case \(index) system \(j + 1)")
      } else {
        let pr = try #require(x["p_randomization"] as? Double)
        #expect(pr > 0 && pr <= 1)
      }
    }
    // Holm over the two comparisons of the one metric@k: step-down, monotone, capped.
    let adjusted = HolmBonferroni.adjusted(c.p)
    for j in 0..<2 {
      let ph = try #require(rows[j]["p_holm"] as? Double)
      #expect(abs(ph - adjusted[j]) <= 1e-9)
    }
  }

  @Test func sameBytesForAnyThreadCount() throws {
    let c = compareCases[4]
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try write(c, in: dir)
    var outputs: [String] = []
    for threads in ["1", "2", "3", "7"] {
      let r = try ProcessRunner.mapk(["compare", "--labels", "labels.npy", "-k", "1,5", "s0.npy", "s1.npy", "s2.npy",
                                      "--all-pairs", "--permutations", "3000", "--bootstrap", "500", "--seed", "9",
                                      "--format", "latex", "--threads", threads], in: dir.path)
      #expect(r.status == 0, "\(r.stderr)")
      outputs.append(r.stdout)
    }
    #expect(Set(outputs).count == 1, "\(outputs)")
    // And the JSON's numbers, everything but the threads and the time.
    var jsons: [String] = []
    for threads in ["1", "3"] {
      var json = try compare(["--labels", "labels.npy", "-k", "5", "s0.npy", "s1.npy", "--bootstrap", "300",
                              "--threads", threads], in: dir)
      json["threads"] = nil
      json["seconds"] = nil
      jsons.append(String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self))
    }
    #expect(jsons[0] == jsons[1])
  }

  @Test func rowsOfWeightZeroAreLeftOutAndUnequalWeightsRefused() throws {
    let c = compareCases[3]
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try write(c, in: dir)
    // The first 16 rows with weight 1, the rest 0: the tests are those of the first 16 rows alone.
    let keep = 16
    try NPYBytes.write((0..<c.rows).map { $0 < keep ? 1.0 : 0.0 }, descr: "<f8", shape: [c.rows], to: dir.file("w.npy"))
    let weighted = try compare(["--labels", "labels.npy", "-k", "\(c.k)", "s0.npy", "s1.npy", "--weights", "w.npy"], in: dir)
    try NPYBytes.write(Array(c.labels[0..<(2 * keep)]), descr: "<i8", shape: [keep, 2], to: dir.file("l16.npy"))
    for i in 0..<2 {
      try NPYBytes.write(Array(c.scores[i][0..<(keep * c.classes)]), descr: "<f8", shape: [keep, c.classes],
                         to: dir.file("h\(i).npy"))
    }
    let head = try compare(["--labels", "l16.npy", "-k", "\(c.k)", "h0.npy", "h1.npy"], in: dir)
    let a = comparisons(weighted)[0], b = comparisons(head)[0]
    for key in ["difference", "t", "p_t", "p_randomization"] {
      #expect(a[key] as? Double == b[key] as? Double, "\(key)")
    }
    #expect(weighted["rows_in_tests"] as? Int == keep)

    try NPYBytes.write((0..<c.rows).map { 1.0 + Double($0 % 2) }, descr: "<f8", shape: [c.rows], to: dir.file("w2.npy"))
    let refused = try ProcessRunner.mapk(["compare", "--labels", "labels.npy", "-k", "3", "s0.npy", "s1.npy",
                                          "--weights", "w2.npy"], in: dir.path)
    #expect(refused.status == 1)
    #expect(refused.stderr == "mapk: error: w2.npy: the paired tests need one common weight for all rows of nonzero "
            + "weight (found 1.0 and 2.0); rows of weight 0 are left out\n")
  }

  @Test func emptyRowsFollowThePolicy() throws {
    let c = compareCases[2]
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try write(c, in: dir)
    // Row 0 loses its labels.
    var labels = c.labels
    labels[0] = -1
    labels[1] = -1
    try NPYBytes.write(labels, descr: "<i8", shape: [c.rows, 2], to: dir.file("labels.npy"))
    let nan = try ProcessRunner.mapk(["compare", "--labels", "labels.npy", "-k", "\(c.k)", "s0.npy", "s1.npy"], in: dir.path)
    #expect(nan.status == 1)
    #expect(nan.stderr.hasPrefix("mapk: error: labels.npy: 1 rows have no labels, so every metric is NaN"), "\(nan.stderr)")
    #expect(nan.stderr.hasSuffix("(use --empty-rows skip or zero)\n"))

    // skip: the row is out of the tests (15 rows); zero: in them with AP 0 (16).
    let skip = try compare(["--labels", "labels.npy", "-k", "\(c.k)", "s0.npy", "s1.npy", "--empty-rows", "skip"], in: dir)
    let zero = try compare(["--labels", "labels.npy", "-k", "\(c.k)", "s0.npy", "s1.npy", "--empty-rows", "zero"], in: dir)
    #expect(skip["rows_in_tests"] as? Int == c.rows - 1)
    #expect(zero["rows_in_tests"] as? Int == c.rows)
    // Both exact over the same nonzero differences: the same randomization p.
    #expect(comparisons(skip)[0]["p_randomization"] as? Double == comparisons(zero)[0]["p_randomization"] as? Double)
    #expect(comparisons(skip)[0]["t"] as? Double != comparisons(zero)[0]["t"] as? Double)
  }

  /// The tables of a two-row case, every number known: AP 1 and 0.5 against
  /// 0.5 and 0.5 (d = 0.5, 0): mean difference 0.25, t = 1, p = 0.5 (ν = 1),
  /// randomization exact over 4 sign flips, every one with |Σ sᵢdᵢ| = 0.5: p = 1.
  @Test func markdownAndLatexTables() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // Row 0's label is class 0, row 1's class 1; k = 2.
    try NPYBytes.write([0, 1] as [Int64], descr: "<i8", shape: [2], to: dir.file("l.npy"))
    // Baseline: class 0 second in row 0 (AP 0.5), class 1 second in row 1 (0.5).
    try NPYBytes.write([0.5, 0.9, 0.1, 0.9, 0.5, 0.1], descr: "<f8", shape: [2, 3], to: dir.file("base_line.npy"))
    // New: class 0 first in row 0 (AP 1), class 1 second in row 1 (0.5).
    try NPYBytes.write([0.9, 0.5, 0.1, 0.9, 0.5, 0.1], descr: "<f8", shape: [2, 3], to: dir.file("new.npy"))
    let args = ["compare", "--labels", "l.npy", "-k", "2", "base_line.npy", "new.npy", "--bootstrap", "99"]
    let json = try compare(Array(args.dropFirst()), in: dir)
    let x = comparisons(json)[0]
    #expect(x["difference"] as? Double == 0.25 && x["t"] as? Double == 1)
    #expect(abs((x["p_t"] as? Double ?? 0) - 0.5) <= 1e-12 && x["p_randomization"] as? Double == 1)
    // The intervals are the bootstrap's; the tables print them with 4 decimals and a sign.
    let ci = try #require(x["ci"] as? [Double])
    let systems = try #require(json["systems"] as? [[String: Any]])
    let values = systems.map { ($0["results"] as? [[String: Any]])?.first?["value"] as? Double }
    #expect(values == [0.5, 0.75])
    let interval = String(format: "[%+.4f, %+.4f]", ci[0], ci[1])

    let md = try ProcessRunner.mapk(args + ["--format", "markdown"], in: dir.path)
    #expect(md.status == 0, "\(md.stderr)")
    #expect(md.stdout == """
      | system | MAP@2 |
      | --- | --- |
      | base_line.npy | 0.5000 |
      | new.npy | 0.7500 |

      † significantly better than base_line.npy (Holm-adjusted p < 0.05)

      | baseline | system | metric | difference | 95% CI | t | p_t | p_randomization | p_holm |
      | --- | --- | --- | --- | --- | --- | --- | --- | --- |
      | base_line.npy | new.npy | MAP@2 | +0.2500 | \(interval) | 1.000 | 0.5000 | 1.0000 | 0.5000 |

      2 rows (2 in the tests), randomization test exact over all 2^2 sign flips, 99 bootstrap replicates, 95% intervals, seed 0

      """)

    let tex = try ProcessRunner.mapk(args + ["--format", "latex", "--alpha", "0.6"], in: dir.path)
    #expect(tex.status == 0, "\(tex.stderr)")
    #expect(tex.stdout == """
      % 2 rows (2 in the tests), randomization test exact over all 2^2 sign flips, 99 bootstrap replicates, 95% intervals, seed 0
      \\begin{tabular}{lr}
      \\toprule
      System & MAP@2 \\\\
      \\midrule
      base\\_line.npy & 0.5000 \\\\
      new.npy & 0.7500$^{\\dagger}$ \\\\
      \\bottomrule
      \\end{tabular}
      % $^{\\dagger}$ significantly better than base_line.npy (Holm-adjusted p < 0.6)

      \\begin{tabular}{lllrrrrrr}
      \\toprule
      baseline & system & metric & difference & 95\\% CI & t & p\\_t & p\\_randomization & p\\_holm \\\\
      \\midrule
      base\\_line.npy & new.npy & MAP@2 & +0.2500 & \(interval) & 1.000 & 0.5000 & 1.0000 & 0.5000 \\\\
      \\bottomrule
      \\end{tabular}

      """)
  }

  @Test func usageErrors() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let one = try ProcessRunner.mapk(["compare", "--labels", "l.npy", "-k", "2", "a.npy"], in: dir.path)
    #expect(one.status == 2 && one.stderr == "mapk: error: compare needs at least two predictions files (got 1)\n")
    let alpha = try ProcessRunner.mapk(["compare", "--labels", "l.npy", "-k", "2", "a.npy", "b.npy", "--alpha", "2"],
                                       in: dir.path)
    #expect(alpha.status == 2 && alpha.stderr == "mapk: error: --alpha must be a number between 0 and 1 (got '2')\n")
  }
}
