import Foundation
import XCTest

/// Help, version and usage errors.
final class HelpTests: XCTestCase {
  func testHelpListsEverySubcommandWithExamples() throws {
    for args in [["--help"], ["-h"], []] {
      let r = try Mapk.run(args)
      XCTAssertEqual(r.status, 0, "\(args)")
      for word in ["eval", "generate", "inspect", "EXAMPLES:", "mapk --version"] {
        XCTAssertTrue(r.stdout.contains(word), "\(args): \(word)")
      }
    }
    for sub in ["eval", "generate", "inspect"] {
      let r = try Mapk.run([sub, "--help"])
      XCTAssertEqual(r.status, 0, sub)
      XCTAssertTrue(r.stdout.hasPrefix("USAGE: mapk \(sub)"), r.stdout)
      XCTAssertTrue(r.stdout.contains("EXAMPLES:\n  mapk \(sub) "), r.stdout)
      XCTAssertEqual(r.stderr, "")
    }
  }

  func testEveryFlagInTheHelpIsAccepted() throws {
    // A flag the help names but the parser rejects would be a lie.
    let cases: [(String, [String])] = [
      ("eval", ["--predictions", "--labels", "--labels-format", "-k", "--k", "--weights", "--threads", "--empty-rows",
                "--nan", "--per-row", "--plot", "--no-progress", "--json"]),
      ("generate", ["--rows", "--classes", "--labels-per-row", "--out", "--seed", "--dtype", "--labels-format",
                    "--threads", "--no-progress"]),
      ("inspect", ["--threads"]),
    ]
    for (sub, flags) in cases {
      let help = try Mapk.run([sub, "--help"]).stdout
      for flag in flags {
        XCTAssertTrue(help.contains(flag), "\(sub) help lacks \(flag)")
        let r = try Mapk.run([sub, flag, "1", "--help"])  // --help wins once parsing succeeds
        XCTAssertFalse(r.stderr.contains("unknown option"), "\(sub) \(flag): \(r.stderr)")
      }
    }
  }

  func testVersion() throws {
    let r = try Mapk.run(["--version"])
    XCTAssertEqual(r.status, 0)
    XCTAssertTrue(r.stdout.range(of: #"^mapk \d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, r.stdout)
  }

  func testAnUnknownFlagIsAUsageErrorWithASuggestion() throws {
    let r = try Mapk.run(["eval", "--prediction", "p.npy", "--labels", "l.npy", "-k", "5"])
    XCTAssertEqual(r.status, 2)
    XCTAssertEqual(r.stderr, "mapk: error: unknown option --prediction (did you mean --predictions?)\n")
    XCTAssertEqual(r.stdout, "")
    let g = try Mapk.run(["generate", "--row", "5"])
    XCTAssertEqual(g.status, 2)
    XCTAssertTrue(g.stderr.contains("did you mean --rows?"), g.stderr)
    let p = try Mapk.run(["eval", "--per-rows", "x.npy"])
    XCTAssertTrue(p.stderr.contains("did you mean --per-row?"), p.stderr)
  }

  func testAnUnknownSubcommandSuggestsTheClosest() throws {
    let r = try Mapk.run(["inspcet", "x.npy"])
    XCTAssertEqual(r.status, 2)
    XCTAssertTrue(r.stderr.hasPrefix("mapk: error: unknown subcommand 'inspcet' (did you mean inspect?)"), r.stderr)
  }

  func testMissingAndBadValues() throws {
    let cases: [([String], String)] = [
      (["generate", "--classes", "10", "--labels-per-row", "2", "--out", "x"], "missing --rows"),
      (["generate", "--rows", "10", "--classes", "3", "--labels-per-row", "5", "--out", "x"],
       "--labels-per-row (5) must be at most --classes (3)"),
      (["generate", "--rows", "10", "--classes", "3", "--labels-per-row", "1", "--out", "x", "--dtype", "f8"],
       "--dtype must be one of f16|f32|f64 (got 'f8')"),
      (["generate", "--rows", "10", "--classes", "3", "--labels-per-row", "1", "--out", "x", "--seed", "-1"],
       "--seed must be an unsigned integer"),
      (["eval", "--predictions", "p.npy", "--labels", "l.npy", "-k", "0-3"], "bad -k range '0-3'"),
      (["eval", "--predictions", "p.npy"], "missing --labels"),
      (["inspect"], "missing FILE"),
    ]
    for (args, message) in cases {
      let r = try Mapk.run(args)
      XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
      XCTAssertTrue(r.stderr.hasPrefix("mapk: error: "), "\(args): \(r.stderr)")
      XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
    }
  }
}
