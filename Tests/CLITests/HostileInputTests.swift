import Foundation
import TestSupport
import Testing

/// Hostile and extreme inputs of the parser, state and memory classes:
/// numbers past every limit end in one error line naming the limit, forged
/// states are refused naming the file and the field, and valid extreme
/// inputs give the right value.
@Suite struct HostileInputTests {
  /// A 20-row, 6-class dump with 2 labels a row, and its two shard states.
  struct Base {
    let dir: TemporaryDirectory
    init() throws {
      dir = try TemporaryDirectory("mapk-hostile")
      let made = try ProcessRunner.mapk(["generate", "--rows", "20", "--classes", "6", "--labels-per-row", "2",
                                         "--out", "base", "--no-progress"], in: dir.path)
      #expect(made.status == 0, "\(made.stderr)")
      for i in 0..<2 {
        let run = try ProcessRunner.mapk(["eval", "--predictions", "base.pred.npy", "--labels", "base.labels.npy",
                                          "-k", "1,3", "--shard", "\(i)/2", "--state", "s\(i).json", "--no-progress"],
                                         in: dir.path)
        #expect(run.status == 0, "\(run.stderr)")
      }
    }

    func run(_ arguments: [String]) throws -> ProcessOutcome { try ProcessRunner.mapk(arguments, in: dir.path) }

    /// `from` with every match of the pattern `old` replaced by `new` (there must be one), saved as `name`;
    /// with `only`, the first (or last) match alone.
    func forged(_ name: String, _ old: String, _ new: String, from: String = "s0.json",
                only: String.CompareOptions? = nil) throws -> String {
      let text = try String(contentsOfFile: dir.file(from), encoding: .utf8)
      var changed = text.replacingOccurrences(of: old, with: new, options: .regularExpression)
      if let only, let r = text.range(of: old, options: only) { changed = text.replacingCharacters(in: r, with: new) }
      #expect(changed != text, "\(old) not in the state")
      try changed.write(toFile: dir.file(name), atomically: true, encoding: .utf8)
      return name
    }
  }

  /// One error line, the exit status, no crash.
  func expectError(_ o: ProcessOutcome, status: Int32, _ fragments: [String], _ what: String) {
    #expect(!o.signaled && o.status == status, "\(what): status \(o.status) \(o.stderr)")
    #expect(o.stderrLines.count == 1 && o.stderrLines.first?.hasPrefix("mapk: error: ") == true, "\(what): \(o.stderr)")
    for f in fragments { #expect(o.stderr.contains(f), "\(what): '\(f)' not in \(o.stderr)") }
  }

  @Test func threadCountsPastTheLimitAreUsageErrors() throws {
    let b = try Base()
    let eval = ["eval", "--predictions", "base.pred.npy", "--labels", "base.labels.npy", "-k", "1", "--no-progress"]
    for n in ["288230376151711744", "2305843009213693952", "9223372036854775807", "4097"] {
      expectError(try b.run(eval + ["--threads", n]), status: 2, ["--threads", "4096"], "eval --threads \(n)")
      expectError(try b.run(["inspect", "base.pred.npy", "--threads", n]), status: 2, ["4096"], "inspect --threads \(n)")
      expectError(try b.run(["generate", "--rows", "1", "--classes", "2", "--labels-per-row", "1", "--out", "g",
                             "--threads", n]), status: 2, ["4096"], "generate --threads \(n)")
    }
    // Text labels with the most threads allowed: the chunk arithmetic holds.
    let toText = try b.run(["generate", "--rows", "20", "--classes", "6", "--labels-per-row", "2", "--out", "t",
                            "--labels-format", "text", "--no-progress"])
    #expect(toText.status == 0)
    let many = try b.run(["eval", "--predictions", "t.pred.npy", "--labels", "t.labels.txt", "-k", "1,3",
                          "--threads", "4096", "--no-progress"])
    let one = try b.run(["eval", "--predictions", "t.pred.npy", "--labels", "t.labels.txt", "-k", "1,3",
                         "--threads", "1", "--no-progress"])
    #expect(many.status == 0 && one.status == 0, "\(many.stderr)\(one.stderr)")
    #expect(many.stdout.split(separator: "\n").first == one.stdout.split(separator: "\n").first)
  }

  @Test func kListsAreBoundedBeforeTheyAreBuilt() throws {
    let b = try Base()
    let eval = ["eval", "--predictions", "base.pred.npy", "--labels", "base.labels.npy", "--no-progress"]
    // 1,000 copies of a long range: refused against the classes, fast, not after building 8 GB.
    let copies = Array(repeating: "1-999999", count: 1000).joined(separator: ",")
    expectError(try b.run(eval + ["-k", copies]), status: 1, ["999999", "6"], "1,000 long ranges")
    expectError(try b.run(eval + ["-k", "1-2000000"]), status: 2, ["1000000"], "more distinct ks than the limit")
    expectError(try b.run(eval + ["-k", "1-9223372036854775807"]), status: 2, ["2147483647"], "a range past 2^31 - 1")
    // Repeated and overlapping ranges within the classes: their distinct ks.
    let ok = try b.run(eval + ["-k", Array(repeating: "1-6", count: 1000).joined(separator: ",") + ",2-3,6"])
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(ok.stdout.contains("MAP@6"))
  }

  @Test func generateRefusesWhatNeedsTooMuchUpFront() throws {
    let b = try Base()
    expectError(try b.run(["generate", "--rows", "2", "--classes", "1000000000", "--labels-per-row", "1000000000",
                           "--out", "x"]), status: 2, ["--labels-per-row", "4096"], "a billion labels a row")
    // 10 rows of 2^31 - 1 float32 scores are 86 GB: more than the test machine's disk, refused with the amount.
    let huge = try b.run(["generate", "--rows", "1000", "--classes", "2147483647", "--labels-per-row", "1", "--out", "y"])
    expectError(huge, status: 1, ["8589934588000 bytes"], "8.6 TB of scores")
    let left = try b.dir.contents().filter { $0.hasPrefix(".") || $0.hasPrefix("x") || $0.hasPrefix("y") }
    #expect(left.isEmpty, "left behind: \(left)")
  }

  @Test func forgedStatesAreRefusedNamingTheFileAndField() throws {
    let b = try Base()
    let state = try String(contentsOfFile: b.dir.file("s0.json"), encoding: .utf8)
    // The first total's exact sum and the weight sum, as written.
    func exact(after key: String) -> String {
      let from = state.range(of: key)!.upperBound
      let tail = state[from...]
      let start = tail.range(of: "\"exact\" : \"")!.upperBound
      return String(tail[start..<tail[start...].firstIndex(of: "\"")!])
    }
    let weight = exact(after: "\"weight_sum\"")
    let total = exact(after: "\"totals\"")
    let cases: [(String, String, String, [String], String.CompareOptions?)] = [
      // MAP@1 = 2.0: a total twice the weight sum.
      ("double.json", "\"exact\" : \"\(total)\"", "\"exact\" : \"\(weight)0\"", ["double.json", "map@1", "weight_sum"], .literal),
      ("negative.json", "\"exact\" : \"\(total)\"", "\"exact\" : \"-\(total)\"", ["negative.json", "map@1"], .literal),
      ("negweight.json", "\"exact\" : \"\(weight)\"", "\"exact\" : \"-\(weight)\"", ["negweight.json", "weight_sum"], [.literal, .backwards]),
      ("noweight.json", "\"exact\" : \"\(weight)\"", "\"exact\" : \"0x0\"", ["noweight.json", "weight_sum"], [.literal, .backwards]),
      ("nan.json", "\"nan\" : 0", "\"nan\" : 3", ["nan.json", "map@1", "3 NaN", "empty row"], .literal),
      ("nanscores.json", "\"nan_scores\" : 0", "\"nan_scores\" : 7", ["nanscores.json", "counts.nan_scores", "error"], nil),
      ("bignan.json", "\"nan\" : 0", "\"nan\" : 9223372036854775807", ["bignan.json", "map@1"], .literal),
      ("bignanscores.json", "\"nan_scores\" : 0", "\"nan_scores\" : 9223372036854775807", ["bignanscores.json"], nil),
      ("bigsize.json", "\"size\" : [0-9]+", "\"size\" : 2305843009213693952", ["bigsize.json", "inputs.", ".size"], nil),
      ("seconds.json", "\"seconds\" : ", "\"seconds\" : 1e300, \"x\" : ", ["seconds.json", "run.seconds"], nil),
    ]
    for (name, old, new, fragments, only) in cases {
      let file = try b.forged(name, old, new, only: only)
      expectError(try b.run(["merge", file, "s1.json"]), status: 1, fragments, name)
    }
    // Two states each within the limit of run.seconds whose sum is not: the file and field named.
    let slow = try b.forged("slow.json", "\"seconds\" : ", "\"seconds\" : 999999999999, \"x\" : ")
    let slow1 = try b.forged("slow1.json", "\"seconds\" : ", "\"seconds\" : 999999999999, \"x\" : ", from: "s1.json")
    expectError(try b.run(["merge", slow, slow1]), status: 1, ["slow1.json", "run.seconds"], "summed run.seconds")
    // The untouched states still merge.
    let merged = try b.run(["merge", "s0.json", "s1.json"])
    #expect(merged.status == 0, "\(merged.stderr)")
  }

  /// `mapk merge` warns about labels >= C as the single run does, from the
  /// counts the shard states carry (10 rows of 20 have one label 7 or 9 >= 6 classes).
  @Test func mergeWarnsAboutLabelsAtOrAboveClasses() throws {
    let b = try Base()
    let lines = (0..<20).map { r in r < 10 ? "\(r % 6) \(r % 2 == 0 ? 7 : 9)" : "\(r % 6)" }
    try (lines.joined(separator: "\n") + "\n").write(toFile: b.dir.file("above.txt"), atomically: true, encoding: .utf8)
    let eval = ["eval", "--predictions", "base.pred.npy", "--labels", "above.txt", "-k", "1,3", "--no-progress"]
    let whole = try b.run(eval)
    #expect(whole.status == 0, "\(whole.stderr)")
    let warning = whole.stderrLines.filter { $0.hasPrefix("mapk: warning: 10 labels are >= 6") }
    #expect(warning.count == 1, "\(whole.stderr)")
    for i in 0..<2 {
      let shard = try b.run(eval + ["--shard", "\(i)/2", "--state", "a\(i).json"])
      #expect(shard.status == 0, "\(shard.stderr)")
    }
    let merged = try b.run(["merge", "a0.json", "a1.json"])
    #expect(merged.status == 0, "\(merged.stderr)")
    #expect(merged.stderrLines.filter { $0.hasPrefix("mapk: warning: 10 labels are >= 6") } == warning, "\(merged.stderr)")
    func values(_ o: ProcessOutcome) -> [String] { o.stdout.split(separator: "\n").filter { $0.hasPrefix("MAP@") }.map(String.init) }
    #expect(values(merged) == values(whole) && !values(whole).isEmpty, "\(merged.stdout) vs \(whole.stdout)")
    // States without such labels (s0, s1) print no such warning; a forged negative count is refused.
    let plain = try b.run(["merge", "s0.json", "s1.json"])
    #expect(!plain.stderr.contains(">= 6"), "\(plain.stderr)")
    let forged = try b.forged("neg.json", "\"labels_at_or_above_classes\" : [0-9]+", "\"labels_at_or_above_classes\" : -1",
                              from: "a0.json")
    expectError(try b.run(["merge", forged, "a1.json"]), status: 1, ["neg.json", "labels_at_or_above_classes"], "negative count")
  }

  /// A state declaring more ks than `-k` allows is refused for its size,
  /// naming the file, the field and the limit (it used to run for minutes).
  @Test func statesDeclaringTooMuchAreRefusedBySize() throws {
    let b = try Base()
    let many = (1...1_000_001).map(String.init).joined(separator: ",")
    let file = try b.forged("many.json", "\"ks\" : \\[[^\\]]*\\]", "\"ks\" : [\(many)]", only: .regularExpression)
    expectError(try b.run(["merge", file, "s1.json"]), status: 1,
                ["many.json", "'ks' has 1000001 elements, more than the 1000000"], "a million and one ks")
    let deep = try b.forged("deep.json", "\"classes\" : 6", "\"classes\" : " + String(repeating: "[", count: 100)
                              + String(repeating: "]", count: 100))
    expectError(try b.run(["merge", deep, "s1.json"]), status: 1, ["deep.json", "nested deeper than 32 levels"], "deep")
    let twice = try b.forged("twice.json", "\"classes\" : 6", "\"classes\" : 6, \"classes\" : 7")
    expectError(try b.run(["merge", twice, "s1.json"]), status: 1, ["twice.json", "duplicate key \"classes\""], "duplicate")
  }

  /// A file name that is not UTF-8 (Latin-1 `\351`, é) and one with control
  /// characters are escaped byte-exactly in every JSON mapk prints or saves:
  /// `\u00e9` for the raw byte, `\u0001` for the control, never U+FFFD; the
  /// state's input name reads back as the same bytes (the shard states merge).
  @Test func fileNamesInJSONAreEscapedByteExactly() throws {
    let b = try Base()
    let binary = try #require(ProcessRunner.mapkBinary)
    let script = """
      cd '\(b.dir.path)' && M='\(binary.path)' && P="$(printf 'p\\351\\001.npy')" && cp base.pred.npy "$P" && \
      for i in 0 1; do "$M" eval --predictions "$P" --labels base.labels.npy -k 1 --shard $i/2 --state "$(printf 's\\351')$i.json" \
        --no-progress > /dev/null || exit 9; done && \
      "$M" eval --predictions "$P" --labels base.labels.npy -k 1 --json --no-progress --per-row "$(printf 'ap\\351.npy')" && \
      "$M" merge "$(printf 's\\351')0.json" "$(printf 's\\351')1.json" --json && cat "$(printf 's\\351')0.json"
      """
    let o = try ProcessRunner.run(URL(fileURLWithPath: "/bin/sh"), ["-c", script])
    #expect(o.status == 0, "\(o.stderr)")
    #expect(o.stdout.contains("\"ap\\u00e9.npy\""), "\(o.stdout)")
    #expect(o.stdout.contains("\"name\" : \"p\\u00e9\\u0001.npy\""), "\(o.stdout)")
    #expect(!o.stdout.contains("\u{FFFD}") && !o.stdout.unicodeScalars.contains { $0.value >= 0x10FF00 }, "\(o.stdout)")
    // Every JSON printed parses.
    for line in o.stdout.split(separator: "\n") where line.hasPrefix("{\"") {
      #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "\(line)")
    }
  }

  @Test func linesPastTheRowsAreScannedNotParsed() throws {
    let b = try Base()
    // 16 MiB of "1\n" for 20 rows: the error names line 21 (only the 20 rows are parsed).
    let block = Data(String(repeating: "1\n", count: 1 << 15).utf8)
    #expect(FileManager.default.createFile(atPath: b.dir.file("long.txt"), contents: nil))
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: b.dir.file("long.txt")))
    for _ in 0..<256 { handle.write(block) }
    try handle.close()
    let o = try b.run(["eval", "--predictions", "base.pred.npy", "--labels", "long.txt", "-k", "1", "--no-progress"])
    expectError(o, status: 1, ["long.txt", "has 8388608 lines", "20 rows", "line 21, after the last row, has labels"],
                "lines past the rows")
  }

  @Test func extremeButValidInputsGiveTheRightValue() throws {
    let dir = try TemporaryDirectory("mapk-extreme")
    // One row of 2^24 float16 zeros in a sparse file: every score ties, so
    // class 0 ranks first (the lower index wins a tie): label 0 gives 1, label 5 gives 0.
    let classes = 1 << 24
    var header = NPYBytes.file(descr: "<f2", shape: [1, classes], payload: [])
    let handle = FileManager.default.createFile(atPath: dir.file("wide.npy"), contents: Data(header))
    #expect(handle)
    let f = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.file("wide.npy")))
    try f.truncate(atOffset: UInt64(header.count + 2 * classes))
    try f.close()
    header = []
    for (label, expected) in [("0", "MAP@1 = 1.0"), ("5", "MAP@1 = 0.0")] {
      try "\(label)\n".write(toFile: dir.file("l\(label).txt"), atomically: true, encoding: .utf8)
      let o = try ProcessRunner.mapk(["eval", "--predictions", "wide.npy", "--labels", "l\(label).txt", "-k", "1",
                                      "--no-progress"], in: dir.path)
      #expect(o.status == 0 && o.stdout.hasPrefix(expected), "\(o.stdout)\(o.stderr)")
    }
    // Zero rows and one row.
    for rows in [0, 1] {
      let g = try ProcessRunner.mapk(["generate", "--rows", "\(rows)", "--classes", "4", "--labels-per-row", "1",
                                      "--out", "r\(rows)", "--no-progress"], in: dir.path)
      #expect(g.status == 0, "\(g.stderr)")
      let o = try ProcessRunner.mapk(["eval", "--predictions", "r\(rows).pred.npy", "--labels", "r\(rows).labels.npy",
                                      "-k", "1-4", "--no-progress"], in: dir.path)
      #expect(o.status == 0, "\(o.stderr)")
      #expect(o.stdout.contains("MAP@4"), "\(o.stdout)")
    }
  }
}
