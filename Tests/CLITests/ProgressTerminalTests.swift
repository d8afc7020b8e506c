import Foundation
import TestSupport
import XCTest

/// The progress line as a person sees it: under a pseudo-terminal (python3's
/// `pty`), and never through a pipe.
final class ProgressTerminalTests: XCTestCase {
  static let clear = "\r\u{1B}[K"

  /// Everything `mapk arguments...` writes to its terminal (stdout and stderr mixed).
  func underTerminal(_ arguments: [String], in dir: String) throws -> String {
    guard let binary = ProcessRunner.mapkBinary?.path else { throw XCTSkip("no mapk binary") }
    let script = """
      import os, pty, sys
      os.environ['MAPK_PROGRESS_DELAY'] = '0'
      os.chdir(sys.argv[1])
      pid, fd = pty.fork()
      if pid == 0:
          os.execv(sys.argv[2], sys.argv[2:])
      out = b''
      while True:
          try:
              chunk = os.read(fd, 65536)
          except OSError:
              break
          if not chunk:
              break
          out += chunk
      os.waitpid(pid, 0)
      sys.stdout.write(out.decode('utf-8', 'replace'))
      """
    guard let (status, output) = try runPython(script, arguments: [dir, binary] + arguments) else {
      throw XCTSkip("python3 is not available")
    }
    XCTAssertEqual(status, 0, output)
    return output
  }

  func testALineOnATerminalClearedAtTheEnd() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let generate = ["generate", "--rows", "3000", "--classes", "100", "--labels-per-row", "3", "--out", "d"]
    let shown = try underTerminal(generate, in: dir.path)
    XCTAssertTrue(shown.contains(Self.clear + "mapk: "), shown)
    XCTAssertTrue(shown.contains("% of 3000 rows"), shown)
    // Cleared before the result is printed.
    XCTAssertTrue(shown.contains(Self.clear + "wrote "), shown)

    let eval = ["eval", "--predictions", "d.pred.npy", "--labels", "d.labels.npy", "-k", "5"]
    let evalShown = try underTerminal(eval, in: dir.path)
    XCTAssertTrue(evalShown.contains("% of 3000 rows"), evalShown)
    XCTAssertTrue(evalShown.contains(Self.clear + "MAP@5 = "), evalShown)

    for quiet in [["--no-progress"], ["--json"]] {
      let none = try underTerminal(eval + quiet, in: dir.path)
      XCTAssertFalse(none.contains("\u{1B}[K"), "\(quiet): \(none)")
      XCTAssertFalse(none.contains("% of"), "\(quiet): \(none)")
    }
  }

  func testNeverThroughAPipe() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let zero = ["MAPK_PROGRESS_DELAY": "0"]
    let g = try ProcessRunner.mapk(["generate", "--rows", "2000", "--classes", "50", "--labels-per-row", "2", "--out", "d"],
                         in: dir.path, environment: zero)
    XCTAssertEqual(g.status, 0, g.stderr)
    XCTAssertEqual(g.stderr, "")
    let e = try ProcessRunner.mapk(["eval", "--predictions", "d.pred.npy", "--labels", "d.labels.npy", "-k", "3"],
                         in: dir.path, environment: zero)
    XCTAssertEqual(e.status, 0, e.stderr)
    XCTAssertEqual(e.stderr, "")
  }
}
