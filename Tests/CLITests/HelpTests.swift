import Foundation
@testable import mapk
import MAPKTooling
import TestSupport
import XCTest

/// Help, version and usage errors.
final class HelpTests: XCTestCase {
  func testHelpListsEverySubcommandWithExamples() throws {
    XCTAssertEqual(Subcommands.all.map(\.command.name), ["eval", "merge", "compare", "generate", "inspect"])
    for args in [["--help"], ["-h"], ["help"]] {
      let r = try ProcessRunner.mapk(args)
      XCTAssertEqual(r.status, 0, "\(args)")
      for word in ["EXAMPLES:", "mapk --version"] {
        XCTAssertTrue(r.stdout.contains(word), "\(args): \(word)")
      }
      for entry in Subcommands.all {
        // Its line: two spaces, the name, its summary.
        XCTAssertTrue(r.stdout.contains("\n  \(entry.command.name) "), "\(args): \(entry.command.name)")
        XCTAssertTrue(r.stdout.contains(" \(entry.command.summary)\n"), "\(args): \(entry.command.summary)")
      }
    }
    for entry in Subcommands.all {
      let sub = entry.command.name
      for help in ["--help", "-h"] {
        let r = try ProcessRunner.mapk([sub, help])
        XCTAssertEqual(r.status, 0, sub)
        XCTAssertEqual(r.stdout, entry.command.help + "\n", sub)
        XCTAssertTrue(r.stdout.hasPrefix("USAGE: mapk \(sub)"), r.stdout)
        XCTAssertTrue(r.stdout.contains(sub == "merge" ? "EXAMPLE:\n  " : "EXAMPLES:\n  mapk \(sub) "), r.stdout)
        XCTAssertEqual(r.stderr, "")
      }
    }
  }

  func testEveryOptionOfTheTablesIsInTheHelpAndAccepted() throws {
    // A flag the help names but the parser rejects would be a lie; the tables drive both, and this runs the binary.
    for entry in Subcommands.all {
      let sub = entry.command.name
      let help = try ProcessRunner.mapk([sub, "--help"]).stdout
      XCTAssertEqual(entry.command.options.options.last, Option.showHelp, sub)
      for option in entry.command.options.options {
        XCTAssertFalse(option.help.isEmpty, "\(sub) \(option.name) has no help line")
        XCTAssertTrue(help.contains("\n  \(option.label) "), "\(sub) help lacks \(option.label)")
        for spelling in option.spellings {
          let value = option.takesValue ? ["1"] : []
          let r = try ProcessRunner.mapk([sub, spelling] + value + ["--help"])  // --help wins once parsing succeeds
          XCTAssertEqual(r.status, 0, "\(sub) \(spelling): \(r.stderr)")
          XCTAssertEqual(r.stdout, help, "\(sub) \(spelling)")
          if option.takesValue {
            let missing = try ProcessRunner.mapk([sub, spelling])
            XCTAssertEqual(missing.stderr, "mapk: error: \(option.name) needs a value\n", "\(sub) \(spelling)")
          } else if spelling.hasPrefix("--") {
            let given = try ProcessRunner.mapk([sub, spelling + "=1"])
            XCTAssertEqual(given.stderr, "mapk: error: \(option.name) takes no value\n", "\(sub) \(spelling)")
          }
        }
      }
    }
  }

  func testVersion() throws {
    let r = try ProcessRunner.mapk(["--version"])
    XCTAssertEqual(r.status, 0)
    XCTAssertTrue(r.stdout.range(of: #"^mapk \d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, r.stdout)
  }

  func testAnUnknownFlagIsAUsageErrorWithASuggestion() throws {
    let r = try ProcessRunner.mapk(["eval", "--prediction", "p.npy", "--labels", "l.npy", "-k", "5"])
    XCTAssertEqual(r.status, 2)
    XCTAssertEqual(r.stderr, "mapk: error: unknown option --prediction (did you mean --predictions?)\n")
    XCTAssertEqual(r.stdout, "")
    let g = try ProcessRunner.mapk(["generate", "--row", "5"])
    XCTAssertEqual(g.status, 2)
    XCTAssertTrue(g.stderr.contains("did you mean --rows?"), g.stderr)
    let p = try ProcessRunner.mapk(["eval", "--per-rows", "x.npy"])
    XCTAssertTrue(p.stderr.contains("did you mean --per-row?"), p.stderr)
  }

  func testAnUnknownSubcommandSuggestsTheClosest() throws {
    let r = try ProcessRunner.mapk(["inspcet", "x.npy"])
    XCTAssertEqual(r.status, 2)
    XCTAssertTrue(r.stderr.hasPrefix("mapk: error: unknown subcommand 'inspcet' (did you mean inspect?)"), r.stderr)
  }

  func testMissingAndBadValues() throws {
    let cases: [([String], String)] = [
      (["generate", "--classes", "10", "--labels-per-row", "2", "--out", "x"], "missing --rows"),
      (["generate", "--rows", "10", "--classes", "3", "--labels-per-row", "5", "--out", "x"],
       "--labels-per-row (5) must be at most --classes (3)"),
      (["generate", "--rows", "10", "--classes", "3", "--labels-per-row", "1", "--out", "x", "--dtype", "f8"],
       "--dtype must be one of f16|f32|f64|bf16 (got 'f8')"),
      (["generate", "--rows", "10", "--classes", "3", "--labels-per-row", "1", "--out", "x", "--seed", "-1"],
       "--seed must be an unsigned integer"),
      (["eval", "--predictions", "p.npy", "--labels", "l.npy", "-k", "0-3"], "bad -k range '0-3'"),
      (["eval", "--predictions", "p.npy"], "missing --labels"),
      (["inspect"], "missing FILE"),
    ]
    for (args, message) in cases {
      let r = try ProcessRunner.mapk(args)
      XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
      XCTAssertTrue(r.stderr.hasPrefix("mapk: error: "), "\(args): \(r.stderr)")
      XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
    }
  }
}
