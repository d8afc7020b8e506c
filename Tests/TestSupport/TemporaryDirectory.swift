import Foundation

/// A fresh directory under the system's temporary folder, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
  /// Its path.
  public let path: String

  /// Creates one whose name contains `name` (letters and digits of it).
  public init(_ name: String = #function) throws {
    let base = FileManager.default.temporaryDirectory.path
    let clean = name.filter { $0.isLetter || $0.isNumber }
    path = base + "/mapk-\(clean)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  /// The path of `name` inside it.
  public func file(_ name: String) -> String { path + "/" + name }

  /// The names in the directory, sorted (hidden temporary files included).
  public func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }

  /// Its URL.
  public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

  /// Removes it and everything in it.
  public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs `python3 -c script arguments...`; nil when there is no python3, or
/// when the script exits with code 3 (its way to say "a module I need is
/// missing: skip").
public func runPython(_ script: String, arguments: [String] = []) throws -> (status: Int32, output: String)? {
  let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
    + ["/usr/bin/python3", "/usr/local/bin/python3"]
  guard let python = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: python)
  process.arguments = ["-c", script] + arguments
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  let output = String(decoding: data, as: UTF8.self)
  if process.terminationStatus == 3 { return nil }
  return (process.terminationStatus, output)
}
