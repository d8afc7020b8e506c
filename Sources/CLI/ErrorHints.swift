import MAPKShards

/// The command-line hints appended to library errors when `mapk` prints
/// them: the library's messages say what is wrong, these say which option of
/// this CLI is the way out. Only `main.swift`'s catch clauses call this.
enum ErrorHints {
  /// The line printed after `mapk: error:` for a file error.
  static func message(_ error: FileError) -> String {
    if let kernel = error.kernelError, let hint = hint(kernel) {
      return error.description + hint
    }
    if error.kind == .conflict, error.problem.hasPrefix("cannot merge with "),
       let (setting, range) = StateFile.Setting.allCases.lazy
         .compactMap({ s in error.problem.firstRange(of: ": " + s.rawValue + " ").map { (s, $0) } }).first {
      // The library names the policy; the CLI names the option that sets it.
      var problem = error.problem
      problem.replaceSubrange(range, with: ": " + option(setting) + " ")
      return FileError(path: error.path, problem: problem, kind: error.kind).description
    }
    if error.kind == .unknownFormat && error.problem.hasPrefix("cannot tell the label format") {
      return error.description + " (use --labels-format \(LabelFormat.allCases.map(\.rawValue).joined(separator: "|")))"
    }
    return error.description
  }

  /// The line printed after `mapk: warning:` for an input warning.
  static func message(_ warning: InputWarning) -> String {
    switch warning {
    case .looksMultiHot: return warning.description + " (use --labels-format multihot to read them as multi-hot)"
    }
  }

  /// The line printed after `mapk: error:` for a kernel error.
  static func message(_ error: MAPKError) -> String {
    error.description + (hint(error) ?? "")
  }

  /// The option that sets a policy a merge compares.
  static func option(_ setting: StateFile.Setting) -> String {
    switch setting {
    case .emptyRows: return "--empty-rows"
    case .nanScores: return "--nan"
    }
  }

  /// The hint for a kernel error, with its leading space, if it has one.
  static func hint(_ error: MAPKError) -> String? {
    switch error {
    case .nanScore: return " (use --nan largest|lowest to rank NaN instead)"
    case .duplicateID: return " (use --duplicate-ids first to count later copies as misses)"
    case .invalidID: return " (use --pad-id V to name the pad)"
    case .kBelowOne, .kAboveClasses, .noK, .noMetric, .invalidWeight, .shapeMismatch, .incompatibleStates, .invalidLabels:
      return nil
    }
  }
}
