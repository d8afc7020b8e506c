/// A problem with one input or output file: the path, what kind of problem
/// it is, the operating system's error code if one caused it, and the text.
///
/// Its description is the one line the CLI prints after `mapk: error:`. A
/// caller that needs to react (a missing file, a bad dtype) switches on
/// ``kind``; the text is for people and names no command-line option (the
/// `mapk` CLI adds its own hints when it prints one).
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What kind of problem a ``FileError`` reports.
  public enum Kind: Sendable, Hashable {
    /// The file or a directory on its path does not exist (`ENOENT`, `ENOTDIR`).
    case notFound
    /// The operating system refused access (`EACCES`, `EPERM`, `EROFS`).
    case permissionDenied
    /// A directory, a FIFO or a device where a regular file is needed.
    case notRegularFile
    /// Not a well-formed file of the format it is read as (bad magic, a
    /// malformed header or archive, a bad token).
    case badFormat
    /// The format cannot be told from the file's name.
    case unknownFormat
    /// A well-formed file with an element type or layout mapk does not read
    /// (a dtype, Fortran order, a sparse format, a compression method).
    case unsupportedType
    /// Its shape or row count disagrees with another input, or within itself.
    case shapeMismatch
    /// It ends before the data its header declares.
    case truncated
    /// A size beyond what can be addressed or stored.
    case tooLarge
    /// A value the evaluation refuses (a negative weight, a NaN score, a label out of range).
    case invalidValue
    /// It changed while being read.
    case changed
    /// It clashes with another file: an output that is an input, a state
    /// given twice, states that cannot be merged.
    case conflict
    /// Any other failure of a system call.
    case io
  }

  /// The file the problem is about.
  public private(set) var path: String
  /// What is wrong, in a few words.
  public let problem: String
  /// What kind of problem it is.
  public let kind: Kind
  /// The `errno` of the system call that failed, if one did.
  public let errno: Int32?
  /// The kernel error this reports about the file, if it is one (for
  /// example ``MAPKError/nanScore(row:classIndex:)`` about the predictions).
  public let kernelError: MAPKError?

  /// Creates an error about `path`.
  ///
  /// - Parameters:
  ///   - path: The file.
  ///   - problem: What is wrong, in a few words.
  ///   - kind: What kind of problem (default ``Kind/badFormat``).
  ///   - errno: The system call's error code, if one failed.
  public init(path: String, problem: String, kind: Kind = .badFormat, errno: Int32? = nil) {
    self.path = path
    self.problem = problem
    self.kind = kind
    self.errno = errno
    self.kernelError = nil
  }

  /// A kernel error reported about `path`; its text is the kernel error's description.
  public init(path: String, _ error: MAPKError) {
    self.path = path
    self.problem = error.description
    self.kind = error.fileErrorKind
    self.errno = nil
    self.kernelError = error
  }

  /// `path: problem` on one line, whatever bytes they quote (see ``oneLine(_:limit:)``).
  public var description: String { "\(Self.oneLine(path)): \(Self.oneLine(problem, limit: 500))" }

  /// The same error about another path (an output's destination rather than its temporary file).
  package func about(_ path: String) -> FileError {
    var copy = self
    copy.path = path
    return copy
  }
}

extension MAPKError {
  /// The ``FileError/Kind`` of this error reported about a file.
  var fileErrorKind: FileError.Kind {
    switch self {
    case .kAboveClasses, .shapeMismatch: return .shapeMismatch
    case .kBelowOne, .noK, .noMetric, .nanScore, .invalidWeight, .invalidLabels: return .invalidValue
    case .duplicateID, .invalidID: return .invalidValue
    case .incompatibleStates: return .conflict
    }
  }
}

extension FileError {
  /// `text` made safe for one line of a terminal: control characters (a
  /// newline or a NUL quoted from a corrupt header, an escape sequence in a
  /// file name) are written as `\n`, `\u{1B}`..., a byte of a file name
  /// that is not UTF-8 as `\xE9`, and beyond `limit`
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
        if let byte = PathBytes.escapedByte(scalar) {
          // A byte of a file name that is not UTF-8 (see `PathBytes`).
          out += "\\x" + String(byte, radix: 16, uppercase: true)
        } else if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}" {
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
