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
