/// Why a ``JSONDocument`` could not be read: malformed JSON or a bound of
/// ``JSONLimits`` passed, with the byte offset where it was found.
package struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Whether the text is not JSON or is JSON past a limit.
  package enum Kind: Sendable, Equatable {
    /// Not RFC 8259 JSON (or not UTF-8).
    case malformed
    /// Valid JSON declaring more than the reader accepts.
    case limit
  }

  /// Malformed or past a limit.
  package let kind: Kind
  /// The problem, in a few words.
  package let problem: String
  /// The byte offset in the document.
  package let offset: Int

  /// The problem and where: `"unterminated string at byte 12"`.
  package var description: String { "\(problem) at byte \(offset)" }
}
