/// Something an input reader noticed about a file that it read anyway.
///
/// The library names no CLI flag in these; the CLI adds the hint.
public enum InputWarning: Sendable, Equatable, CustomStringConvertible {
  /// Integer dense labels `[D1..DN, C]` holding only 0 and 1: the shape and
  /// values of a multi-hot matrix, read here as label ids 0 and 1.
  case looksMultiHot(path: String, shape: [Int])

  /// The file the warning is about.
  public var path: String {
    switch self {
    case .looksMultiHot(let path, _): return path
    }
  }

  /// One line: the file and what was noticed.
  public var description: String {
    switch self {
    case .looksMultiHot(let path, let shape):
      return "\(path): integer labels of shape \(shape) hold only 0 and 1 and have one column per class: "
        + "they look multi-hot, but are read as label ids 0 and 1"
    }
  }
}
