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

  /// `path: problem` on one line, whatever bytes they quote (see ``oneLine(_:)``).
  public var description: String { "\(Self.oneLine(path)): \(Self.oneLine(problem, limit: 500))" }
}

extension FileError {
  /// `text` made safe for one line of a terminal: control characters (a
  /// newline or a NUL quoted from a corrupt header, an escape sequence in a
  /// file name) are written as `\n`, `\u{1B}`..., and beyond `limit`
  /// characters the text is cut with "...". Errors quote untrusted bytes;
  /// this keeps "one line per error" true.
  public static func oneLine(_ text: String, limit: Int = 4096) -> String {
    var out = ""
    var count = 0
    for scalar in text.unicodeScalars {
      if count >= limit {
        out += "..."
        break
      }
      switch scalar {
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}" {
          out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
      count += 1
    }
    return out
  }
}
