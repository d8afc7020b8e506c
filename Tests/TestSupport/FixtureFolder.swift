import Foundation

/// A folder of saved oracle cases under `Tests/ShardsTests/Fixtures`, read
/// from the source tree (so every test target reads the same files, without
/// a resource bundle), and its `cases.json`.
public struct FixtureFolder: Sendable {
  /// The folder.
  public let url: URL

  /// The fixture folder `name` (`"metrics"`, `"ranked-ids"`, ...).
  public init(_ name: String) {
    // This file is Tests/TestSupport/FixtureFolder.swift.
    url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("ShardsTests/Fixtures").appendingPathComponent(name)
  }

  /// The path of `file` in the folder.
  public func path(_ file: String) -> String { url.appendingPathComponent(file).path }

  /// The folder's `cases.json` (or `file`), decoded as `T`.
  public func load<T: Decodable>(_ type: T.Type, file: String = "cases.json") throws -> T {
    try JSONDecoder().decode(T.self, from: Data(contentsOf: url.appendingPathComponent(file)))
  }
}
