import MAPKShards

/// Facts about the process's terminal, for deciding whether to draw a
/// progress line.
package enum Terminal {
  /// True if standard error (descriptor 2) is a terminal.
  package static var standardErrorIsTerminal: Bool { System.isTerminal(2) }
}
