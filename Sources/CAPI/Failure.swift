import CMAPK
import MAPKShards

/// The status codes of `mapk.h`.
enum Status {
  static let ok: Int32 = 0
  static let argument: Int32 = 1
  static let type: Int32 = 2
  static let value: Int32 = 3
  static let file: Int32 = 4
  static let fileNotFound: Int32 = 5
  static let state: Int32 = 6
  static let `internal`: Int32 = 7
}

/// An error raised by the C layer itself, before the library is called: a
/// bad pointer, length, element type or shape.
struct Failure: Error, CustomStringConvertible {
  /// The `mapk.h` status.
  let status: Int32
  /// One line.
  let description: String

  static func argument(_ text: String) -> Failure { Failure(status: Status.argument, description: text) }
  static func type(_ text: String) -> Failure { Failure(status: Status.type, description: text) }
  static func value(_ text: String) -> Failure { Failure(status: Status.value, description: text) }
}

/// The status and message of any error the library or this layer throws.
///
/// Kernel errors are values (a shape, a k, a NaN score), also when a file
/// reports them; a file's own problems are file errors; a state that cannot
/// be decoded is a state error. Anything else is internal.
func statusAndMessage(of error: any Error) -> (Int32, String) {
  switch error {
  case let e as Failure: return (e.status, e.description)
  case let e as MAPKError: return (Status.value, e.description)
  case let e as FileError:
    if e.kernelError != nil { return (Status.value, e.description) }
    if e.kind == .notFound { return (Status.fileNotFound, e.description) }
    if e.kind == .unsupportedType { return (Status.type, e.description) }
    return (Status.file, e.description)
  case let e as StateFile.InvalidState: return (Status.state, e.description)
  default: return (Status.internal, "\(error)")
  }
}

/// Writes `status` and `message` into the caller's `mapk_error`, cut at a
/// UTF-8 character boundary to fit (a cut never leaves half a character).
func write(status: Int32, message: String, to error: UnsafeMutablePointer<mapk_error>?) {
  guard let error else { return }
  error.pointee.status = status
  withUnsafeMutableBytes(of: &error.pointee.message) { buffer in
    let text = Array(message.utf8)
    var length = min(text.count, buffer.count - 1)
    // Back off continuation bytes (10xxxxxx) so the cut falls before a lead byte.
    while length < text.count, length > 0, text[length] & 0xC0 == 0x80 { length -= 1 }
    for i in 0..<length { buffer[i] = text[i] }
    buffer[length] = 0
  }
}

/// Runs `body`, catching every error: the status for the caller, the
/// message in its `mapk_error`. No error escapes to the C caller, which
/// could not unwind a Swift error anyway.
func guarded(_ out: UnsafeMutablePointer<mapk_error>?, _ body: () throws -> Void) -> Int32 {
  do {
    try body()
    write(status: Status.ok, message: "", to: out)
    return Status.ok
  } catch {
    let (status, message) = statusAndMessage(of: error)
    write(status: status, message: message, to: out)
    return status
  }
}
