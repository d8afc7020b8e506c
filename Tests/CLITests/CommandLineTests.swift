import Foundation
@testable import mapk
import MAPKTooling
import TestSupport
import XCTest

/// The command line's rules (issue 10): an option given twice, `-k=10`, empty
/// file names, suggestions only for close names, `mapk help SUB`, no arguments.
final class CommandLineTests: XCTestCase {
  /// Runs mapk and checks it ends in one usage error line containing `message`.
  func assertUsageError(_ args: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let r = try ProcessRunner.mapk(args)
    XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)", file: file, line: line)
    XCTAssertEqual(r.stdout, "", "\(args)", file: file, line: line)
    XCTAssertEqual(r.stderrLines.count, 1, "\(args): \(r.stderr)", file: file, line: line)
    XCTAssertTrue(r.stderr.hasPrefix("mapk: error: ") && r.stderr.contains(message), "\(args): \(r.stderr)",
                  file: file, line: line)
  }

  let eval = ["eval", "--predictions", "p.npy", "--labels", "l.npy"]

  func testARepeatedOptionIsAUsageErrorNamingBothValues() throws {
    try assertUsageError(["eval", "--predictions", "A.npy", "--predictions", "B.npy"], "'A.npy' and 'B.npy'")
    try assertUsageError(eval + ["-k", "10", "-k", "5"], "-k is given twice ('10' and '5')")
    try assertUsageError(eval + ["-k", "10", "--k", "5"], "-k '10' and --k '5' are one option given twice")
    try assertUsageError(eval + ["-k", "10", "-k=5"], "'10' and '5'")
    try assertUsageError(eval + ["-k", "1", "--threads", "2", "--threads=auto"], "'2' and 'auto'")
    try assertUsageError(eval + ["-k", "1", "--nan", "error", "--nan", "largest"], "'error' and 'largest'")
    try assertUsageError(["generate", "--rows", "1", "--rows", "2"], "'1' and '2'")
    try assertUsageError(["merge", "--shards", "2", "--shards", "3", "s.json"], "'2' and '3'")
    try assertUsageError(["inspect", "--threads", "1", "--threads", "2", "p.npy"], "'1' and '2'")
  }

  func testEveryPathOptionRefusesAnEmptyName() throws {
    var checked = 0
    for entry in Subcommands.all {
      for option in entry.command.options.options where option.takesPath {
        try assertUsageError([entry.command.name, option.name, ""], "\(option.name) needs a file name")
        try assertUsageError([entry.command.name, option.name + "="], "\(option.name) needs a file name")
        checked += 1
      }
    }
    XCTAssertGreaterThanOrEqual(checked, 9)  // eval's 7, merge's --output, generate's --out
    try assertUsageError(["merge", ""], "empty")
    try assertUsageError(["merge", "--missing", ""], "empty")
    try assertUsageError(["inspect", ""], "empty")
  }

  func testSuggestionsAreOnlyForCloseNames() throws {
    for far in ["-p", "-q", "-v", "--run", "--zzz"] {
      let r = try ProcessRunner.mapk(eval + [far])
      XCTAssertEqual(r.status, 2)
      XCTAssertEqual(r.stderr, "mapk: error: unknown option \(far)\n", far)
    }
    try assertUsageError(eval + ["--pred", "x"], "(did you mean --predictions?)")
    try assertUsageError(eval + ["--jsn"], "(did you mean --json?)")
    try assertUsageError(["evaluate"], "unknown subcommand 'evaluate' (did you mean eval?)")
    try assertUsageError(["gen"], "(did you mean generate?)")
    let r = try ProcessRunner.mapk(["xyzzy"])
    XCTAssertFalse(r.stderr.contains("did you mean"), r.stderr)
    XCTAssertEqual(Arguments.closest(to: "-p", in: ["-h", "-k"]), nil)
    XCTAssertEqual(Arguments.closest(to: "--run", in: ["--nan", "--json"]), nil)
    XCTAssertEqual(Arguments.closest(to: "--threds", in: ["--threads", "--nan"]), "--threads")
  }

  func testShortOptionsTakeAnEqualsValue() throws {
    let dir = try TemporaryDirectory("mapk-cl")
    defer { dir.remove() }
    let g = try ProcessRunner.mapk(["generate", "--rows=20", "--classes=6", "--labels-per-row=2", "--out=d"], in: dir.path)
    XCTAssertEqual(g.status, 0, g.stderr)
    let a = try ProcessRunner.mapk(["eval", "--predictions", "d.pred.npy", "--labels", "d.labels.npy", "-k=3", "--json"],
                                   in: dir.path)
    let b = try ProcessRunner.mapk(["eval", "--predictions", "d.pred.npy", "--labels", "d.labels.npy", "-k", "3", "--json"],
                                   in: dir.path)
    XCTAssertEqual(a.status, 0, a.stderr)
    func results(_ s: String) -> Substring { s[s.range(of: "\"results\"")!.lowerBound...].prefix { $0 != "]" } }
    XCTAssertEqual(results(a.stdout), results(b.stdout))
    try assertUsageError(eval + ["-h=1"], "--help takes no value")
  }

  func testHelpSubcommandAndNoArguments() throws {
    for entry in Subcommands.all {
      let viaHelp = try ProcessRunner.mapk(["help", entry.command.name])
      let viaFlag = try ProcessRunner.mapk([entry.command.name, "--help"])
      XCTAssertEqual(viaHelp.status, 0, viaHelp.stderr)
      XCTAssertEqual(viaHelp.stdout, viaFlag.stdout, entry.command.name)
    }
    try assertUsageError(["help", "evaluate"], "(did you mean eval?)")
    try assertUsageError(["help", "eval", "x"], "unexpected argument 'x'")
    let none = try ProcessRunner.mapk([])
    XCTAssertEqual(none.status, 2)
    XCTAssertEqual(none.stdout, "")
    XCTAssertTrue(none.stderr.hasPrefix("USAGE: mapk <subcommand>"), none.stderr)
  }

  /// Issue 10: a short -k argument that lists a huge range many times is one range, measured before it is built.
  func testKListsAreMergedAndBoundedBeforeBeingBuilt() throws {
    XCTAssertEqual(try parseKList("3,1-2,2"), [1, 2, 3])
    XCTAssertEqual(try parseKList("5-7,1,6-9"), [1, 5, 6, 7, 8, 9])
    let copies = Array(repeating: "1-999999", count: 1000).joined(separator: ",")
    XCTAssertEqual(try parseKList(copies).count, 999_999)
    let three = (0..<3).map { "\($0 * 1_000_000 + 1)-\($0 * 1_000_000 + 999_999)" }.joined(separator: ",")
    XCTAssertThrowsError(try parseKList(three)) { error in
      XCTAssertTrue((error as? UsageError)?.description.hasSuffix("asks for more than 1000000 distinct ks") == true,
                    "\(error)")
    }
    XCTAssertEqual(try parseKList("1-1000000").count, 1_000_000)
    XCTAssertThrowsError(try parseKList("1-1000001"))
    XCTAssertThrowsError(try parseKList("1-1000000,2000000"))
  }
}
