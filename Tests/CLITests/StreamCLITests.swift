import Foundation
import TestSupport
import Testing

/// `mapk eval --predictions -` (and `/dev/stdin`, a FIFO) prints what the
/// mapped file prints, with per-row output, a shard and a state; a short
/// stream is one error line naming the row.
@Suite struct StreamCLITests {
  func shell(_ script: String, in directory: String) throws -> ProcessOutcome {
    try ProcessRunner.shell(script, in: directory)
  }

  func results(_ out: String) -> String { ProcessRunner.results(out) }

  @Test func aPipeGivesTheMappedFilesResult() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try ProcessRunner.mapk(["generate", "--rows", "2000", "--classes", "300", "--labels-per-row", "3",
                                    "--seed", "21", "--out", "s"], in: dir.path)
    #expect(g.status == 0, "\(g.stderr)")
    let args = "--labels s.labels.npy -k 1,5,20 --metric map,ndcg"
    let mapped = try shell("\"$MAPK\" eval --predictions s.pred.npy \(args) --per-row a.npy", in: dir.path)
    #expect(mapped.status == 0, "\(mapped.stderr)")
    for source in ["cat s.pred.npy | \"$MAPK\" eval --predictions - \(args) --threads 3 --per-row b.npy",
                   "cat s.pred.npy | \"$MAPK\" eval --predictions /dev/stdin \(args) --threads 1 --per-row b.npy",
                   "rm -f ff b.npy; mkfifo ff; (cat s.pred.npy > ff &); \"$MAPK\" eval --predictions ff \(args) --per-row b.npy"] {
      let streamed = try shell(source, in: dir.path)
      #expect(streamed.status == 0, "\(source): \(streamed.stderr)")
      #expect(results(streamed.stdout) == results(mapped.stdout).replacingOccurrences(of: "a.npy", with: "b.npy"),
              "\(source)")
      let same = try shell("cmp a.npy b.npy", in: dir.path)
      #expect(same.status == 0, "per-row output of \(source): \(same.stdout)")
    }
    // A shard of a stream (rows before it read and dropped) is the mapped file's shard, and its state merges.
    let shard = "--shard 1/2 --state"
    let a = try shell("\"$MAPK\" eval --predictions s.pred.npy \(args) \(shard) m1.json --json", in: dir.path)
    let b = try shell("cat s.pred.npy | \"$MAPK\" eval --predictions - \(args) \(shard) p1.json --json", in: dir.path)
    #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
    func drop(_ json: String) -> String {
      json.replacingOccurrences(of: #""seconds": [0-9.e-]+"#, with: "", options: .regularExpression)
        .replacingOccurrences(of: #""bytes": [0-9]+"#, with: "", options: .regularExpression)
    }
    #expect(drop(a.stdout) == drop(b.stdout))
  }

  @Test func aShortStreamIsOneErrorLineNamingTheRow() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    _ = try ProcessRunner.mapk(["generate", "--rows", "500", "--classes", "100", "--labels-per-row", "2",
                                "--seed", "3", "--out", "t"], in: dir.path)
    // 128 header bytes, then rows of 400 bytes: 10,000 bytes end inside row 24.
    let cut = try shell("head -c 10000 t.pred.npy | \"$MAPK\" eval --predictions - --labels t.labels.npy -k 5",
                        in: dir.path)
    #expect(cut.status == 1)
    #expect(cut.stderrLines == ["mapk: error: -: truncated: the stream ends inside row 24 of 500 (after 10000 bytes; "
                                + "shape [500, 100] of <f4 needs 200128)"])
    let ids = try shell("head -c 5000 t.labels.npy | \"$MAPK\" eval --predictions - --labels t.labels.npy -k 1",
                        in: dir.path)
    #expect(ids.status == 1 && ids.stderrLines.count == 1 && ids.stderr.contains("truncated: the stream ends inside row"))
  }

  @Test func aPipeWithExclusionsOrOfRankedIDsGivesTheMappedFilesResult() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try ProcessRunner.mapk(["generate", "--rows", "1500", "--classes", "200", "--labels-per-row", "4",
                                    "--seed", "5", "--out", "s"], in: dir.path)
    #expect(g.status == 0, "\(g.stderr)")
    // Seeded exclusions (some -1 pads, some ids >= C) and ranked ids (distinct per row, some -1 pads).
    var rng = SplitMix64(seed: 909)
    let rows = 1500
    let excluded = (0..<(rows * 9)).map { _ in Int64.random(in: -1...205, using: &rng) }
    var ids: [Int32] = []
    for _ in 0..<rows {
      var row = Array(0..<200).shuffled(using: &rng).prefix(25).map { Int32($0) }
      if Bool.random(using: &rng) { row[24] = -1 }
      ids += row
    }
    try Data(NPYBytes.file(descr: "<i8", shape: [rows, 9], payload: NPYBytes.bytes(of: excluded)))
      .write(to: URL(fileURLWithPath: dir.path + "/e.npy"))
    try Data(NPYBytes.file(descr: "<i4", shape: [rows, 25], payload: NPYBytes.bytes(of: ids)))
      .write(to: URL(fileURLWithPath: dir.path + "/i.npy"))
    let metrics = "--metric map,ndcg,precision -k 1,7,20 --labels s.labels.npy"
    for (file, extra) in [("s.pred.npy", "--exclude e.npy"), ("i.npy", ""), ("i.npy", "--exclude e.npy --classes 200")] {
      let mapped = try shell("\"$MAPK\" eval --predictions \(file) \(metrics) \(extra) --per-row a.npy", in: dir.path)
      #expect(mapped.status == 0, "\(file) \(extra): \(mapped.stderr)")
      for threads in [1, 3] {
        let piped = try shell("rm -f b.npy; cat \(file) | \"$MAPK\" eval --predictions - \(metrics) \(extra) "
                              + "--threads \(threads) --per-row b.npy", in: dir.path)
        #expect(piped.status == 0, "\(file) \(extra): \(piped.stderr)")
        #expect(results(piped.stdout) == results(mapped.stdout).replacingOccurrences(of: "a.npy", with: "b.npy"),
                "\(file) \(extra), \(threads) threads")
        #expect(piped.stderr == mapped.stderr, "\(file) \(extra): the same warnings")
        let same = try shell("cmp a.npy b.npy", in: dir.path)
        #expect(same.status == 0, "per-row output of \(file) \(extra): \(same.stdout)")
      }
    }
  }
}
