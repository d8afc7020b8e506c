import Foundation
import TestSupport
import XCTest

/// Runs the built `mapk` executable, as a user would.
enum Mapk {
  /// The result of one run.
  struct Run {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  /// The binary: `$MAPK_BINARY` if set; else `mapk` next to the test
  /// product (the same build directory, whatever the configuration); else
  /// `.build/debug/mapk` under the package root found from this file.
  static let binary: String? = {
    let fm = FileManager.default
    var candidates: [String] = []
    if let env = ProcessInfo.processInfo.environment["MAPK_BINARY"] { candidates.append(env) }
    for bundle in Bundle.allBundles + [Bundle.main] {
      var dir = bundle.bundleURL
      for _ in 0..<3 {  // the .xctest may be a directory bundle (macOS) or a file (Linux)
        candidates.append(dir.appendingPathComponent("mapk").path)
        dir.deleteLastPathComponent()
      }
    }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    candidates.append(root.appendingPathComponent(".build/debug/mapk").path)
    return candidates.first { path in
      var isDirectory: ObjCBool = false
      return fm.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        && fm.isExecutableFile(atPath: path)
    }
  }()

  /// Runs `mapk arguments...` in `directory` and waits for it.
  static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
                  file: StaticString = #filePath, line: UInt = #line) throws -> Run {
    guard let binary else {
      XCTFail("the mapk binary was not found (build it, or set MAPK_BINARY)", file: file, line: line)
      throw XCTSkip("no mapk binary")
    }
    // ProcessRunner: output through files (a full pipe never blocks the child) and a timeout.
    let outcome = try ProcessRunner.start(URL(fileURLWithPath: binary), arguments, environment: environment,
                                          directory: directory.map { URL(fileURLWithPath: $0) }).wait()
    XCTAssertFalse(outcome.timedOut, "mapk \(arguments) timed out", file: file, line: line)
    return Run(status: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr)
  }
}
