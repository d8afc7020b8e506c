import MAPKShards

/// Facts about the process's terminal, for deciding whether to draw a
/// progress line.
public enum Terminal {
  /// True if standard error (descriptor 2) is a terminal.
  public static var standardErrorIsTerminal: Bool { System.isTerminal(2) }
}
