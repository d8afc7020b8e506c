/// One command-line option, declared once: its spellings, whether it takes a
/// value, and its help. Parsing, the help text and did-you-mean suggestions
/// all read the same declaration (as swift-argument-parser's
/// `ArgumentDefinition` carries its own help), so an option cannot be
/// documented and rejected, or accepted and undocumented.
///
/// ```swift
/// Option("--threads", value: "N", help: "worker threads (default: active processors)")
/// Option("--k", aliases: ["-k"], value: "LIST", help: "k values: a list and ranges,", "e.g. 10 or 1-20")
/// Option("--json", help: "print one JSON object on stdout")
/// ```
package struct Option: Sendable, Equatable {
  /// The canonical spelling, `--name`: the key of its value in ``Arguments``.
  package let name: String
  /// Other spellings, such as `-k`; they parse as ``name``.
  package let aliases: [String]
  /// The placeholder of its value in the help (`FILE`, `N`), or nil for a
  /// flag that takes no value.
  package let valueName: String?
  /// What the help shows left of the description: by default the aliases,
  /// the name and the value's placeholder (`-k, --k LIST`).
  package let label: String
  /// The description, one string per help line; empty for an option that
  /// gets no line of its own (another option's ``label`` shows it).
  package let help: [String]

  /// Declares an option.
  /// - Parameters:
  ///   - name: The canonical spelling, `--name`.
  ///   - aliases: Other spellings (`-k`, `-h`).
  ///   - valueName: The value's placeholder; nil for a flag.
  ///   - label: Replaces the default label (aliases, name, placeholder).
  ///   - help: The description, one argument per line.
  package init(_ name: String, aliases: [String] = [], value valueName: String? = nil, label: String? = nil,
               help: String...) {
    self.name = name
    self.aliases = aliases
    self.valueName = valueName
    self.label = label ?? ((aliases + [name]).joined(separator: ", ") + (valueName.map { " " + $0 } ?? ""))
    self.help = help
  }

  /// True if the option takes a value (`--name value` or `--name=value`).
  package var takesValue: Bool { valueName != nil }

  /// True if the value names a file: its placeholder is `FILE`, `PREFIX`
  /// or `OUT...` (`OUT.npy`). The placeholder is the declaration, so the
  /// help says "a file" exactly for the options that refuse an empty name.
  package var takesPath: Bool {
    guard let valueName else { return false }
    return valueName == "FILE" || valueName == "PREFIX" || valueName.hasPrefix("OUT")
  }

  /// Every spelling: the aliases, then the name.
  package var spellings: [String] { aliases + [name] }

  /// `-h, --help`, which every command has; ``Command/parse(_:)`` handles it.
  package static let showHelp = Option("--help", aliases: ["-h"], help: "show this help")
}
