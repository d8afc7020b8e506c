// Shared by every fuzz target (Scripts/fuzz.sh compiles it into each).

/// Runs `body` on one fuzz input. Any error must be a ``FileError`` whose
/// line is one line: the CLI prints it after `mapk: error:`. Anything else
/// (another error type, a multi-line message) stops the fuzzer as a crash.
func expectingFileErrors<T>(_ body: () throws -> T) -> Result<T, FileError> {
  do {
    return .success(try body())
  } catch let error as FileError {
    precondition(!error.description.contains(where: \.isNewline), "a multi-line error: \(error)")
    return .failure(error)
  } catch {
    preconditionFailure("an error that is not a FileError: \(error)")
  }
}
