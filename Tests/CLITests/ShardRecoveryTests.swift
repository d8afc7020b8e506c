import Foundation
import Testing
import TestSupport

/// What the scheduler recipes of docs/distributed.md rely on: `--output`
/// (atomic), `mapk merge --shards N` and `--missing`, and a default thread
/// count that follows the CPUs the process may use.
@Suite struct ShardRecoveryTests {
  /// A small generated dump in a fresh directory.
  struct Dump {
    let dir: TemporaryDirectory
    var predictions: String { dir.file("d.pred.npy") }
    var labels: String { dir.file("d.labels.npy") }

    init() throws {
      dir = try TemporaryDirectory("recovery")
      let g = try ProcessRunner.mapk(["generate", "--rows", "500", "--classes", "30", "--labels-per-row", "3",
                                      "--out", dir.file("d"), "--no-progress"])
      #expect(g.status == 0, "\(g.stderr)")
    }

    func eval(_ extra: [String]) throws -> ProcessOutcome {
      try ProcessRunner.mapk(["eval", "--predictions", predictions, "--labels", labels, "-k", "1,5",
                              "--no-progress"] + extra)
    }

    /// Runs shards `indices` of `n`, saving `s<i>.json`; returns the paths.
    func shards(_ indices: [Int], of n: Int) throws -> [String] {
      try indices.map { i in
        let path = dir.file(String(format: "s%05d.json", i))
        let r = try eval(["--shard", "\(i)/\(n)", "--state", path])
        #expect(r.status == 0, "\(r.stderr)")
        return path
      }
    }
  }

  func merge(_ arguments: [String]) throws -> ProcessOutcome { try ProcessRunner.mapk(["merge"] + arguments) }

  /// `s` without its timing figures, which differ from run to run.
  func untimed(_ s: String) -> String {
    s.replacingOccurrences(of: #"[0-9.e-]+ s(, [0-9.e-]+ [kMG]?B/s)?|"seconds": [0-9.e-]+"#, with: "T",
                           options: .regularExpression)
  }

  @Test func evalOutputWritesWhatStdoutWouldShow() throws {
    let dump = try Dump()
    defer { dump.dir.remove() }
    for json in [true, false] {
      let flags = json ? ["--json"] : []
      let printed = try dump.eval(flags + ["--threads", "2"])
      let out = dump.dir.file(json ? "r.json" : "r.txt")
      let written = try dump.eval(flags + ["--threads", "2", "--output", out])
      #expect(written.status == 0, "\(written.stderr)")
      #expect(written.stdout == "")
      let text = try String(contentsOfFile: out, encoding: .utf8)
      #expect(untimed(text) == untimed(printed.stdout))
      #expect(text.hasSuffix("\n"))
    }
  }

  @Test func aFailedMergeLeavesTheOutputUntouched() throws {
    let dump = try Dump()
    defer { dump.dir.remove() }
    let states = try dump.shards([0, 2], of: 3)
    let out = dump.dir.file("result.json")
    let fresh = try merge(["--json", "--output", out] + states)
    #expect(fresh.status == 1)
    #expect(fresh.stderr.contains("missing shard 1/3"), "\(fresh.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out))
    try "earlier\n".write(toFile: out, atomically: true, encoding: .utf8)
    #expect(try merge(["--json", "--output", out] + states).status == 1)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "earlier\n")
    #expect(try dump.dir.contents().allSatisfy { !$0.hasSuffix(".tmp") })
    // Never over a state it reads.
    let overState = try merge(["--output", states[0]] + states)
    #expect(overState.status == 1)
    #expect(overState.stderr.contains("is also an input"), "\(overState.stderr)")
  }

  @Test func missingPrintsTheIndicesInSbatchArraySyntax() throws {
    let dump = try Dump()
    defer { dump.dir.remove() }
    let states = try dump.shards([0, 2, 5, 8], of: 9)
    let missing = try merge(["--missing"] + states)
    #expect(missing.status == 0, "\(missing.stderr)")
    #expect(missing.stdout == "1,3-4,6-7\n")
    #expect(try merge(["--missing", "--shards", "9"] + states).stdout == "1,3-4,6-7\n")
    // No state at all: every shard, if N is given.
    #expect(try merge(["--missing", "--shards", "4"]).stdout == "0-3\n")
    let noN = try merge(["--missing"])
    #expect(noN.status == 2)
    // Nothing missing: nothing printed, success.
    let all = try dump.shards([1, 3, 4, 6, 7], of: 9) + states
    let none = try merge(["--missing", "--shards", "9"] + all)
    #expect(none.status == 0)
    #expect(none.stdout == "")
    // --shards N and every state present: the same merge as without it.
    let with = try merge(["--shards", "9", "--json"] + all)
    let without = try merge(["--json"] + all)
    #expect(with.status == 0, "\(with.stderr)")
    #expect(untimed(with.stdout) == untimed(without.stdout))
  }

  @Test func shardsRefusesStatesOfAnotherRunByName() throws {
    let dump = try Dump()
    defer { dump.dir.remove() }
    let four = try dump.shards([0, 1], of: 4)
    let stale = dump.dir.file("stale.json")
    #expect(try dump.eval(["--shard", "1/3", "--state", stale]).status == 0)
    for arguments in [["--shards", "4"], ["--shards", "4", "--missing"]] {
      let r = try merge(arguments + four + [stale])
      #expect(r.status == 1)
      #expect(r.stderr == "mapk: error: \(stale): is shard 1/3 of another run, not one of 4 shards\n")
    }
    let whole = dump.dir.file("whole.json")
    #expect(try dump.eval(["--state", whole]).status == 0)
    let r = try merge(["--missing"] + four + [whole])
    #expect(r.stderr == "mapk: error: \(whole): is not the state of an I/N shard, not one of 4 shards\n")
    let none = try merge(["--shards", "4"])
    #expect(none.status == 1)
    #expect(none.stderr.contains("4 of 4 shards have no state: missing shards 0/4, 1/4, 2/4, 3/4"), "\(none.stderr)")
  }

  @Test func theDefaultThreadsFollowTheAffinityMask() throws {
    let taskset = ["/usr/bin/taskset", "/bin/taskset"].first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let taskset else { return }  // util-linux; always there on Debian
    let dump = try Dump()
    defer { dump.dir.remove() }
    for extra in [[], ["--threads", "auto"]] {
      let r = try ProcessRunner.run(
        URL(fileURLWithPath: taskset),
        ["-c", "0", ProcessRunner.mapkExecutable.path, "eval", "--predictions", dump.predictions,
         "--labels", dump.labels, "-k", "5", "--json", "--no-progress"] + extra)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout.contains(#""threads": 1,"#), "\(r.stdout)")
    }
    // An explicit count is taken as given.
    let three = try ProcessRunner.run(
      URL(fileURLWithPath: taskset),
      ["-c", "0", ProcessRunner.mapkExecutable.path, "eval", "--predictions", dump.predictions,
       "--labels", dump.labels, "-k", "5", "--json", "--threads", "3"])
    #expect(three.stdout.contains(#""threads": 3,"#), "\(three.stdout)")
    let bad = try dump.eval(["--threads", "automatic"])
    #expect(bad.status == 2)
  }
}
