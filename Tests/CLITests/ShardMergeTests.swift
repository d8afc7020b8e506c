import Foundation
import MAPKKernel
import TestSupport
import Testing
import XCTest

/// A generated dump on disk and its reference values, for the shard tests
/// (XCTest and Swift Testing alike: nothing here asserts).
struct Dump {
  let dir: TemporaryDirectory
  let predictions: String
  let labels: String
  let weights: String
  let rows: Int
  /// Σ w·AP@k per k and Σ w, from the plain reference (empty rows count as AP 0).
  let referenceTotals: [Double]
  let referenceMax: Double

  static let ks = [1, 3, 10]

  /// `rows` rows of `classes` tie-heavy float32 scores (shape `[rows/2, 2, C]`
  /// when even, to exercise leading dims), 3 labels a row with -1 padding and
  /// out-of-range ids, some rows without labels, and float64 weights with zeros.
  init(rows: Int, classes: Int, seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let dir = try TemporaryDirectory("mapk-shard")
    var scores: [Float] = []
    var labels: [Int64] = []
    var weights: [Double] = []
    var totals = [Double](repeating: 0, count: Self.ks.count)
    var maxSum = 0.0
    for _ in 0..<rows {
      let row = (0..<classes).map { _ in Float(Int.random(in: 0..<8, using: &rng)) / 8 }
      let emptyRow = Int.random(in: 0..<10, using: &rng) == 0
      let rowLabels: [Int64] = (0..<3).map { _ in
        emptyRow ? -1 : Int64.random(in: -1..<Int64(classes + 2), using: &rng)
      }
      let w = Int.random(in: 0..<6, using: &rng) == 0 ? 0 : Double.random(in: 0..<2, using: &rng)
      scores += row
      labels += rowLabels
      weights.append(w)
      for (j, k) in Self.ks.enumerated() {
        let ap = ReferenceMAP.averagePrecision(
          scores: row.map(Double.init), labels: rowLabels.map(Int.init), k: k, semantics: .dense)
        totals[j] += w * (ap.isNaN ? 0 : ap)
      }
      maxSum += w
    }
    let leading = rows % 2 == 0 ? [rows / 2, 2] : [rows]
    self.dir = dir
    predictions = dir.file("scores.npy")
    self.labels = dir.file("labels.npy")
    self.weights = dir.file("w.npy")
    self.rows = rows
    referenceTotals = totals
    referenceMax = maxSum
    try NPYBytes.write(scores, descr: "<f4", shape: leading + [classes], to: predictions)
    try NPYBytes.write(labels, descr: "<i8", shape: leading + [3], to: self.labels)
    try NPYBytes.write(weights, descr: "<f8", shape: leading, to: self.weights)
  }

  func evalArguments(ks: String = "1,3,10", extra: [String] = []) -> [String] {
    // An option is given once (issue 10): extra's --empty-rows replaces the default one.
    let policy = extra.contains("--empty-rows") ? [] : ["--empty-rows", "zero"]
    return ["eval", "--predictions", predictions, "--labels", labels, "--weights", weights,
            "-k", ks] + policy + ["--json"] + extra
  }

  /// A shard's run that did not exit with 0.
  struct ShardFailed: Error, CustomStringConvertible {
    let description: String
  }

  /// Runs shards `indices` of `n` concurrently; returns their state paths.
  /// - Throws: ``ShardFailed`` if one of them did not succeed.
  func runShards(n: Int, indices: [Int]? = nil, ks: String = "1,3,10", extra: [String] = [],
                 prefix: String = "s") throws -> [String] {
    let indices = indices ?? Array(0..<n)
    let paths = indices.map { dir.file("\(prefix)\(n)-\($0).json") }
    let running = try zip(indices, paths).map { i, path in
      try ProcessRunner.start(
        ProcessRunner.mapkExecutable,
        evalArguments(ks: ks, extra: ["--shard", "\(i)/\(n)", "--state", path, "--threads", "\(1 + i % 3)"] + extra))
    }
    for (i, r) in zip(indices, running) {
      let outcome = r.wait()
      guard outcome.status == 0, !outcome.signaled, !outcome.timedOut else {
        throw ShardFailed(description: "shard \(i)/\(n): status \(outcome.status): \(outcome.stderr)")
      }
    }
    return paths
  }

  /// The `"results": [...]` text of a JSON report: the numbers as printed,
  /// compared as text so that equality means equal bits; nil if there is none.
  static func resultsText(_ json: String) -> String? {
    guard let start = json.range(of: "\"results\": ["), let end = json[start.upperBound...].range(of: "]") else {
      return nil
    }
    return String(json[start.lowerBound..<end.upperBound])
  }

  /// The top-level `key` of a JSON report.
  static func field(_ json: String, _ key: String) -> Any? {
    (try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?[key]
  }
}

/// One seeded dump of the merge test: a failure names its rows and seed.
struct SeededDump: Sendable, CustomTestStringConvertible {
  let rows: Int
  let seed: UInt64
  var testDescription: String { "\(rows) rows, seed \(seed)" }
}

/// Shards run as separate processes and merged give the bits of one run.
@Suite struct ShardMergeSeedTests {
  /// 1000 rows, and fewer rows (5) than the most shards (7): some shards are empty.
  static let dumps = [SeededDump(rows: 1000, seed: 11), SeededDump(rows: 5, seed: 12)]

  @Test("merge of N shards is bit-identical to one run", arguments: dumps, [1, 3, 7])
  func mergeOfShardsIsBitIdenticalToOneRun(_ seeded: SeededDump, shards n: Int) throws {
    let dump = try Dump(rows: seeded.rows, classes: 40, seed: seeded.seed)
    defer { dump.dir.remove() }
    let single = try ProcessRunner.mapk(dump.evalArguments())
    #expect(single.status == 0, "\(single.stderr)")
    let singleResults = try #require(Dump.resultsText(single.stdout), "\(single.stdout)")
    #expect(Dump.field(single.stdout, "rows") as? Int == seeded.rows)

    // The single run against the plain reference, so the comparison below is not between two wrong numbers.
    let results = Dump.field(single.stdout, "results") as? [[String: Any]] ?? []
    #expect(results.count == Dump.ks.count)
    for (j, r) in results.enumerated() {
      let expected = dump.referenceTotals[j] / dump.referenceMax
      let got = r["map"] as? Double ?? .nan
      #expect(abs(got - expected) <= 1e-12 * max(1, abs(expected)), "k \(Dump.ks[j]): \(got) vs \(expected)")
    }

    var states = try dump.runShards(n: n)
    var rng = SplitMix64(seed: seeded.seed &+ UInt64(n))
    states.shuffle(using: &rng)  // the merge order must not matter
    let merged = try ProcessRunner.mapk(["merge", "--json"] + states)
    #expect(merged.status == 0, "\(merged.stderr)")
    #expect(Dump.resultsText(merged.stdout) == singleResults)
    for key in ["rows", "classes", "empty_rows", "nan_scores", "bytes"] {
      #expect(Dump.field(merged.stdout, key) as? Int == Dump.field(single.stdout, key) as? Int, "\(key)")
    }
    #expect(Dump.field(merged.stdout, "shards") as? Int == n)

    // The human output: the same MAP lines up to the run details in parentheses.
    let human = try ProcessRunner.mapk(["merge"] + states)
    let oneRun = try ProcessRunner.mapk(Array(dump.evalArguments().dropLast()))
    func values(_ s: String) -> [Substring] { s.split(separator: "\n").map { $0.prefix { $0 != "(" } } }
    #expect(values(human.stdout) == values(oneRun.stdout))
    #expect(!values(human.stdout).isEmpty)
  }
}

/// `mapk eval --shard I/N --state` in N separate processes, then `mapk merge`:
/// the merge must refuse states that do not belong together (the bit-identity
/// of a merge is ``ShardMergeSeedTests``).
final class ShardMergeTests: XCTestCase {
  func makeDump(rows: Int, classes: Int, seed: UInt64) throws -> Dump {
    try Dump(rows: rows, classes: classes, seed: seed)
  }

  func evalArguments(_ dump: Dump, ks: String = "1,3,10", extra: [String] = []) -> [String] {
    dump.evalArguments(ks: ks, extra: extra)
  }

  func resultsText(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    guard let text = Dump.resultsText(json) else {
      XCTFail("no results in \(json)", file: file, line: line)
      return ""
    }
    return text
  }

  /// Runs shards `indices` of `n` concurrently; returns their state paths.
  func runShards(_ dump: Dump, n: Int, indices: [Int]? = nil, ks: String = "1,3,10", extra: [String] = [],
                 prefix: String = "s") throws -> [String] {
    try dump.runShards(n: n, indices: indices, ks: ks, extra: extra, prefix: prefix)
  }

  func testStateWithoutShardIsTheWholeRange() throws {
    let dump = try makeDump(rows: 30, classes: 12, seed: 21)
    defer { dump.dir.remove() }
    let path = dump.dir.file("all.json")
    let single = try ProcessRunner.mapk(evalArguments(dump, extra: ["--state", path]))
    XCTAssertEqual(single.status, 0, single.stderr)
    let merged = try ProcessRunner.mapk(["merge", "--json", path])
    XCTAssertEqual(merged.status, 0, merged.stderr)
    XCTAssertEqual(resultsText(merged.stdout), resultsText(single.stdout))
    let state = try String(contentsOfFile: path, encoding: .utf8)
    XCTAssertTrue(state.contains("\"lower\" : 0") && state.contains("\"upper\" : 30"), state)
    XCTAssertFalse(state.contains("\"shard\""), state)
  }

  /// Expects `mapk` to fail with one `mapk: error:` line containing each of `needles`.
  func assertRefused(_ arguments: [String], status: Int32 = 1, _ needles: String..., line: UInt = #line) throws {
    let outcome = try ProcessRunner.mapk(arguments)
    XCTAssertEqual(outcome.status, status, "\(arguments): \(outcome.stderr)", line: line)
    XCTAssertFalse(outcome.signaled, line: line)
    XCTAssertEqual(outcome.stderrLines.count, 1, outcome.stderr, line: line)
    XCTAssertTrue(outcome.stderr.hasPrefix("mapk: error: "), outcome.stderr, line: line)
    for needle in needles { XCTAssertTrue(outcome.stderr.contains(needle), "'\(needle)' not in \(outcome.stderr)", line: line) }
    XCTAssertEqual(outcome.stdout, "", line: line)
  }

  func testMergeRefusesStatesThatDoNotBelongTogether() throws {
    let dump = try makeDump(rows: 100, classes: 12, seed: 31)
    defer { dump.dir.remove() }
    let s7 = try runShards(dump, n: 7)
    let s3 = try runShards(dump, n: 3)

    // Uncovered rows: the missing shards are named.
    try assertRefused(["merge"] + s7.enumerated().filter { $0.offset != 2 && $0.offset != 5 }.map(\.element),
                      "not covered", "rows 28..<42, 71..<85", "missing shards 2/7, 5/7")
    try assertRefused(["merge", s7[0]], "missing shards 1/7, 2/7, 3/7, 4/7, 5/7, 6/7")
    // Overlaps and duplicates.
    try assertRefused(["merge", s3[0], s7[1]] + s3.dropFirst(), s7[1], "overlap", s3[0])
    try assertRefused(["merge"] + s3 + [s3[1]], s3[1], "given twice")
    let copy = dump.dir.file("copy.json")
    try FileManager.default.copyItem(atPath: s3[1], toPath: copy)
    try assertRefused(["merge"] + s3 + [copy], "same rows 33..<66")

    // Disagreeing ks, policies and inputs.
    let otherK = try runShards(dump, n: 3, indices: [1], ks: "1,5", prefix: "k")
    try assertRefused(["merge", s3[0], otherK[0], s3[2]], otherK[0], "ks [1, 5] vs [1, 3, 10]")
    let otherPolicy = try runShards(dump, n: 3, indices: [1], extra: ["--empty-rows", "skip"], prefix: "p")
    try assertRefused(["merge", s3[0], otherPolicy[0], s3[2]], otherPolicy[0], "--empty-rows skip vs zero")
    let other = try makeDump(rows: 100, classes: 12, seed: 32)  // same names, sizes and shapes; other scores
    defer { other.dir.remove() }
    let otherInputs = try runShards(other, n: 3, indices: [1])
    try assertRefused(["merge", s3[0], otherInputs[0], s3[2]], otherInputs[0], "other inputs", "contents differ")
    let noWeights = dump.dir.file("nw.json")
    XCTAssertEqual(try ProcessRunner.mapk(["eval", "--predictions", dump.predictions, "--labels", dump.labels,
                                           "-k", "1,3,10", "--empty-rows", "zero", "--shard", "1/3",
                                           "--state", noWeights]).status, 0)
    try assertRefused(["merge", s3[0], noWeights, s3[2]], noWeights, "weights: none vs given")

    // Broken state files: each named, with the problem.
    let original = try String(contentsOfFile: s3[1], encoding: .utf8)
    func broken(_ name: String, _ text: String) throws -> String {
      let path = dump.dir.file(name)
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      return path
    }
    let cases: [(String, String, String)] = [
      ("trunc.json", String(original.prefix(original.count / 2)), "not valid JSON"),
      ("v3.json", original.replacingOccurrences(of: "\"version\" : 2", with: "\"version\" : 3"), "unsupported state version 3"),
      ("nofmt.json", original.replacingOccurrences(of: "mapk-state", with: "other"), "not a mapk state"),
      ("limb.json", original.replacingOccurrences(of: "\"exact\" : \"0x", with: "\"exact\" : \"0xz"), "bad hex digit"),
      ("count.json", original.replacingOccurrences(of: "\"rows\" : 33", with: "\"rows\" : 34"), "counts.rows is 34"),
      ("nokey.json", original.replacingOccurrences(of: "\"ks\"", with: "\"kz\""), "missing key 'ks'"),
      ("type.json", original.replacingOccurrences(of: "\"classes\" : 12", with: "\"classes\" : \"12\""), "'classes'"),
      ("shard.json", original.replacingOccurrences(of: "\"index\" : 1", with: "\"index\" : 2"), "shard 2/3"),
      ("empty.json", "", "empty file"),
      ("npy.json", "\u{93}NUMPY", "not a JSON object"),
    ]
    for (name, text, needle) in cases {
      XCTAssertNotEqual(text, original, name)
      let path = try broken(name, text)
      try assertRefused(["merge", s3[0], path, s3[2]], path, needle)
    }
    try assertRefused(["merge", s3[0], dump.dir.file("missing.json")], "missing.json", "No such file")
    try assertRefused(["merge", s3[0], dump.dir.path], dump.dir.path, "directory")
    try assertRefused(["merge"], status: 2, "no state files")
    try assertRefused(["merge", "--bogus", s3[0]], status: 2, "unknown option --bogus")
    for bad in ["3/3", "-1/3", "1/0", "a/3", "1", "1/3/4", "1 /3", "/3"] {
      try assertRefused(evalArguments(dump, extra: ["--shard", bad]), status: 2, "--shard must be I/N")
    }
  }
}
