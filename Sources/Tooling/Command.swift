/// A command's description: its name, one-line summary, help text and
/// options table. `mapk`'s subcommands and `mapk-bench` are each one.
///
/// The help is ``synopsis``, `OPTIONS:` and the table's lines, then
/// ``epilog``; every command has ``Option/showHelp`` as its last option.
package struct Command: Sendable {
  /// The name that selects it (`eval`), or the program's name.
  package let name: String
  /// One line for a list of commands.
  package let summary: String
  /// The help before the options: `USAGE: ...` and what the command does.
  package let synopsis: String
  /// The options, `-h, --help` last.
  package let options: OptionTable
  /// The help after the options (examples), or nil for none.
  package let epilog: String?

  /// Declares a command; `-h, --help` is appended to `options`.
  package init(name: String, summary: String, synopsis: String, options: [Option], epilog: String?) {
    self.name = name
    self.summary = summary
    self.synopsis = synopsis
    self.options = OptionTable(options + [.showHelp])
    self.epilog = epilog
  }

  /// The `--help` text (no final newline; `print` adds one).
  package var help: String {
    synopsis + "\n\nOPTIONS:\n" + options.helpText + (epilog.map { "\n\n" + $0 } ?? "")
  }

  /// Parses `args`; nil if they ask for the help (which the caller prints).
  /// - Throws: ``UsageError`` as ``OptionTable/parse(_:)``; a bad option
  ///   is an error even next to `--help`.
  package func parse(_ args: ArraySlice<String>) throws -> Arguments? {
    let parsed = try options.parse(args)
    return parsed.has(Option.showHelp.name) ? nil : parsed
  }
}
