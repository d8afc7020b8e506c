/// The options of one command, in the order its help lists them.
///
/// Parsing (``parse(_:)``), the help's option lines (``helpText``) and the
/// did-you-mean suggestions of ``Arguments`` derive from this one list.
package struct OptionTable: Sendable {
  /// The options, in help order.
  package let options: [Option]

  /// Where a description starts in a help line: two spaces of indent, then
  /// the label padded to 23 columns.
  package static let descriptionColumn = 25

  /// A table of `options`; every spelling must be unique.
  package init(_ options: [Option]) {
    let spellings = options.flatMap(\.spellings)
    precondition(Set(spellings).count == spellings.count, "an option spelling is declared twice: \(spellings)")
    self.options = options
  }

  /// The option spelled `spelling` (its name or an alias), if any.
  package func option(_ spelling: String) -> Option? {
    options.first { $0.spellings.contains(spelling) }
  }

  /// The options' lines of the help: `  LABEL  description`, the description
  /// and its continuation lines at ``descriptionColumn``, no final newline.
  package var helpText: String {
    var lines: [String] = []
    for option in options {
      for (i, text) in option.help.enumerated() {
        let left = i == 0 ? "  " + option.label : ""
        // A label too long for its column still gets one space before the text.
        let pad = Swift.max(i == 0 ? 1 : 0, OptionTable.descriptionColumn - left.count)
        lines.append(left + String(repeating: " ", count: pad) + text)
      }
    }
    return lines.joined(separator: "\n")
  }

  /// Parses `args` against these options.
  /// - Throws: ``UsageError`` for an unknown option (naming the closest
  ///   spelling), a missing value, a value given to a flag, an option
  ///   given twice, or an empty file name.
  package func parse(_ args: ArraySlice<String>) throws -> Arguments {
    var aliases: [String: String] = [:]
    for option in options {
      for alias in option.aliases { aliases[alias] = option.name }
    }
    return try Arguments(args, valued: Set(options.filter(\.takesValue).map(\.name)),
                         boolean: Set(options.filter { !$0.takesValue }.map(\.name)), aliases: aliases,
                         paths: Set(options.filter(\.takesPath).map(\.name)))
  }
}
