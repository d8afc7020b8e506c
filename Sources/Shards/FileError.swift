/// A problem with one input or output file: the path and what is wrong.
///
/// Its description is the one line the CLI prints after `mapk: error:`.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file the problem is about.
  public let path: String
  /// What is wrong, in a few words.
  public let problem: String

  /// Creates an error about `path`.
  public init(path: String, problem: String) {
    self.path = path
    self.problem = problem
  }

  public var description: String { "\(path): \(problem)" }
}
