import Foundation
import TestSupport
import XCTest

/// Outputs that must never be silently wrong or lost (issue 10): two
/// outputs naming one file, destinations that are not regular files, write
/// errors on stdout, extensions, file names that are not UTF-8, XML-safe
/// SVG text, temporaries removed when a signal ends the run.
final class OutputSafetyTests: XCTestCase {
  var dir: TemporaryDirectory!

  override func setUpWithError() throws {
    dir = try TemporaryDirectory("mapk-out")
    let g = try ProcessRunner.mapk(["generate", "--rows", "20", "--classes", "6", "--labels-per-row", "2", "--out", "base"],
                                   in: dir.path)
    XCTAssertEqual(g.status, 0, g.stderr)
    let s = try ProcessRunner.mapk(evalArgs + ["--state", "s.json"], in: dir.path)
    XCTAssertEqual(s.status, 0, s.stderr)
  }

  override func tearDown() { dir.remove() }

  let evalArgs = ["eval", "--predictions", "base.pred.npy", "--labels", "base.labels.npy", "-k", "2"]

  /// The directory's entries, hidden ones (temporaries) included.
  func entries() throws -> [String] { try dir.contents() }

  /// Runs mapk in the directory and checks one error line with `status` containing `message`,
  /// nothing on stdout and no file left behind.
  func assertRefused(_ args: [String], status: Int32, _ message: String,
                     file: StaticString = #filePath, line: UInt = #line) throws {
    let before = try entries()
    let r = try ProcessRunner.mapk(args, in: dir.path)
    XCTAssertEqual(r.status, status, "\(args): \(r.stderr)", file: file, line: line)
    XCTAssertEqual(r.stdout, "", "\(args)", file: file, line: line)
    XCTAssertEqual(r.stderrLines.count, 1, r.stderr, file: file, line: line)
    XCTAssertTrue(r.stderr.hasPrefix("mapk: error: ") && r.stderr.contains(message), "\(args): \(r.stderr)",
                  file: file, line: line)
    XCTAssertEqual(try entries(), before, "\(args) left files", file: file, line: line)
  }

  /// Runs `script` with `sh -c`, `$MAPK` the binary, in the directory.
  func shell(_ script: String) throws -> ProcessOutcome {
    let binary = try XCTUnwrap(ProcessRunner.mapkBinary)
    return try ProcessRunner.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "cd '\(dir.path)' && MAPK='\(binary.path)' && " + script])
  }

  func testTwoOutputsNamingOneFileAreRefused() throws {
    try assertRefused(evalArgs + ["--per-row", "X.npy", "--state", "X.npy"], status: 2,
                      "--per-row and --state name the same file ('X.npy')")
    try assertRefused(evalArgs + ["--plot", "Y.svg", "--state", "Y.svg"], status: 2, "--plot and --state")
    try assertRefused(evalArgs + ["--per-row", "a.npy", "--state", "./a.npy"], status: 2, "'a.npy' and './a.npy'")
    try FileManager.default.createDirectory(atPath: dir.file("d"), withIntermediateDirectories: false)
    try assertRefused(evalArgs + ["--plot", "d/../m.svg", "--output", "m.svg"], status: 2, "--plot and --output")
    try assertRefused(evalArgs + ["--state", "r.json", "--output", "\(dir.path)/r.json"], status: 2, "--state and --output")
    // Existing files: one by two spellings, and two hard links to one file.
    try Data("old".utf8).write(to: URL(fileURLWithPath: dir.file("old.npy")))
    try FileManager.default.linkItem(atPath: dir.file("old.npy"), toPath: dir.file("link.json"))
    try assertRefused(evalArgs + ["--per-row", "old.npy", "--state", "link.json"], status: 2, "--per-row and --state")
    XCTAssertEqual(try String(contentsOfFile: dir.file("old.npy"), encoding: .utf8), "old")
    // An output that is an input, by another spelling.
    try assertRefused(evalArgs + ["--output", "./base.labels.npy"], status: 1, "is also an input")
    try assertRefused(["merge", "s.json", "--output", "./s.json"], status: 1, "is also an input")
  }

  func testOutputsThatAreNotRegularFilesAreRefused() throws {
    XCTAssertEqual(mkfifo(dir.file("f.npy"), 0o644), 0)
    try assertRefused(evalArgs + ["--per-row", "f.npy"], status: 1, "f.npy: is not a regular file")
    try assertRefused(evalArgs + ["--state", "f.npy"], status: 1, "is not a regular file")
    try assertRefused(["merge", "s.json", "--output", "f.npy"], status: 1, "is not a regular file")
    var st = stat()
    XCTAssertEqual(lstat(dir.file("f.npy"), &st), 0)
    XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO, "the FIFO is still a FIFO")
    // /dev/null (a device) and /dev/stdout (a symbolic link) are never replaced, whoever runs this.
    try assertRefused(evalArgs + ["--state", "/dev/null"], status: 1, "/dev/null: is not a regular file")
    try assertRefused(evalArgs + ["--output", "/dev/stdout"], status: 1, "/dev/stdout: is a symbolic link")
    XCTAssertEqual(lstat("/dev/null", &st), 0)
    XCTAssertEqual(st.st_mode & S_IFMT, S_IFCHR)
    XCTAssertEqual(lstat("/dev/stdout", &st), 0)
    XCTAssertEqual(st.st_mode & S_IFMT, S_IFLNK)
    XCTAssertEqual(symlink("/dev/null", dir.file("n.svg")), 0)
    try assertRefused(evalArgs + ["--plot", "n.svg"], status: 1, "n.svg: is a symbolic link")
    try FileManager.default.createDirectory(atPath: dir.file("sub.npy"), withIntermediateDirectories: false)
    try assertRefused(evalArgs + ["--per-row", "sub.npy"], status: 1, "is a directory")
  }

  func testAnExtensionAnOutputDoesNotWriteIsRefused() throws {
    try assertRefused(evalArgs + ["--plot", "out.png"], status: 2, "--plot writes .svg files: 'out.png'")
    try assertRefused(evalArgs + ["--per-row", "ap.csv"], status: 2, "--per-row writes .npy or .tsv files")
    try assertRefused(evalArgs + ["--per-row", "a.npy", "--plot", "./a.npy"], status: 2, "--plot writes .svg")
    let r = try ProcessRunner.mapk(evalArgs + ["--per-row", "AP.NPY", "--plot", "m.svg", "--state", "any.name"],
                                   in: dir.path)
    XCTAssertEqual(r.status, 0, r.stderr)
  }

  func testWriteErrorsOnStdoutEndInAnError() throws {
    let commands = [
      "$MAPK eval --predictions base.pred.npy --labels base.labels.npy -k 2 --json",
      "$MAPK eval --predictions base.pred.npy --labels base.labels.npy -k 2",
      "$MAPK merge s.json",
      "$MAPK inspect base.pred.npy",
      "$MAPK generate --rows 3 --classes 2 --labels-per-row 1 --out g",
      "$MAPK --help", "$MAPK eval --help", "$MAPK --version",
    ]
    for command in commands {
      for (redirect, problem) in [("> /dev/full", "standard output: cannot write: No space left on device"),
                                  (">&-", "standard output: is closed: the output was lost")] {
        let r = try shell(command + " " + redirect)
        XCTAssertEqual(r.status, 1, "\(command) \(redirect): \(r.stderr)")
        XCTAssertEqual(r.stderr, "mapk: error: \(problem)\n", "\(command) \(redirect)")
      }
    }
    // A closed stdout never becomes an output's descriptor: --output still works, and its file holds only the report.
    let r = try shell("$MAPK eval --predictions base.pred.npy --labels base.labels.npy -k 2 --json --output o.json --per-row o.npy >&-")
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(try String(contentsOfFile: dir.file("o.json"), encoding: .utf8).hasPrefix("{"))
  }

  func testFileNamesThatAreNotUTF8AreUsedAsTheirBytes() throws {
    // \351 is é in Latin-1: not UTF-8 on its own.
    let r = try shell("""
      cp base.pred.npy "$(printf 'p\\351.npy')" && \
      $MAPK eval --predictions "$(printf 'p\\351.npy')" --labels base.labels.npy -k 2 --per-row "$(printf 'ap\\351.npy')" \
        --plot "$(printf 'm\\351.svg')" && \
      test -f "$(printf 'ap\\351.npy')" && test -f "$(printf 'm\\351.svg')" && ls | od -An -c | tr -d ' \\n'
      """)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("wrote per-row AP (float64, shape [20]) to ap\\xE9.npy"), r.stdout)
    XCTAssertTrue(r.stdout.contains("wrote the plot to m\\xE9.svg"), r.stdout)
    XCTAssertFalse(r.stdout.contains("357277275"), "a repaired name (U+FFFD) was created: \(r.stdout)")
    let missing = try shell("$MAPK inspect \"$(printf 'q\\351.npy')\"")
    XCTAssertEqual(missing.status, 1)
    XCTAssertEqual(missing.stderr, "mapk: error: q\\xE9.npy: cannot open: No such file or directory\n")
    let found = try shell("$MAPK inspect \"$(printf 'p\\351.npy')\"")
    XCTAssertEqual(found.status, 0, found.stderr)
    XCTAssertTrue(found.stdout.hasPrefix("p\\xE9.npy: .npy"), found.stdout)
  }

  func testTheSVGIsWellFormedWhateverThePathHolds() throws {
    let name = "p\u{1}\u{1B}[31m&<\".npy"
    try FileManager.default.copyItem(atPath: dir.file("base.pred.npy"), toPath: dir.file(name))
    let r = try ProcessRunner.mapk(["eval", "--predictions", name, "--labels", "base.labels.npy", "-k", "1-3",
                                    "--plot", "m.svg"], in: dir.path)
    XCTAssertEqual(r.status, 0, r.stderr)
    let svg = try Data(contentsOf: URL(fileURLWithPath: dir.file("m.svg")))
    // XML 1.0 allows no C0 control but tab, newline and carriage return, not even as a reference.
    XCTAssertFalse(svg.contains { $0 < 0x20 && $0 != 0x0A && $0 != 0x09 && $0 != 0x0D })
    let text = String(decoding: svg, as: UTF8.self)
    XCTAssertTrue(text.contains("p\\u{1}\\u{1B}[31m&amp;&lt;&quot;.npy"), text)
  }

  func testASignalRemovesTheOutputTemporaries() throws {
    for signal in [SIGTERM, SIGINT] {
      let running = try ProcessRunner.start(try XCTUnwrap(ProcessRunner.mapkBinary),
        ["generate", "--rows", "20000000", "--classes", "50", "--labels-per-row", "2", "--out", "big"],
        directory: URL(fileURLWithPath: dir.path))
      let deadline = Date().addingTimeInterval(60)
      while try !entries().contains(where: { $0.hasSuffix(".tmp") }) && Date() < deadline { usleep(20_000) }
      XCTAssertTrue(try entries().contains { $0.hasSuffix(".tmp") }, "no temporary appeared")
      running.signal(signal)
      let outcome = running.wait(timeout: 60)
      XCTAssertTrue(outcome.signaled, "ended by the signal, as without mapk's handler: \(outcome.status)")
      XCTAssertEqual(outcome.status, signal)
      XCTAssertEqual(try entries().filter { $0.hasPrefix(".") || $0.hasPrefix("big") }, [], "signal \(signal)")
    }
  }
}
