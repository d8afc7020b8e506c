import MAPKTooling

/// `mapk`'s subcommands, in the order the usage lists them: the usage's
/// list, dispatch and did-you-mean all read this one table.
enum Subcommands {
  /// One subcommand: its description and what runs it.
  struct Entry: Sendable {
    /// The name, summary, help and options.
    let command: Command
    /// Runs it with its parsed options.
    let body: @Sendable (Arguments) throws -> Void

    /// Parses `args` and runs the subcommand, or prints its help if they ask for it.
    func run(_ args: ArraySlice<String>) throws {
      if let parsed = try command.parse(args) { try body(parsed) } else { print(command.help) }
    }
  }

  /// The subcommands.
  static let all: [Entry] = [
    Entry(command: EvalCommand.command, body: EvalCommand.run),
    Entry(command: MergeCommand.command, body: MergeCommand.run),
    Entry(command: CompareCommand.command, body: CompareCommand.run),
    Entry(command: GenerateCommand.command, body: GenerateCommand.run),
    Entry(command: InspectCommand.command, body: InspectCommand.run),
  ]

  /// The subcommand called `name`, if there is one.
  static func named(_ name: String) -> Entry? { all.first { $0.command.name == name } }

  /// The usage error for `name`, naming the closest subcommand if one is close.
  static func unknown(_ name: String) -> UsageError {
    let hint = Arguments.closest(to: name, in: Set(all.map(\.command.name))).map { " (did you mean \($0)?)" } ?? ""
    return UsageError(description: "unknown subcommand '\(name)'\(hint); see mapk --help")
  }

  /// The usage's `SUBCOMMANDS:` lines: each name in a 12-column field, then its summary.
  static var list: String {
    all.map { "  " + $0.command.name.padding(toLength: 12, withPad: " ", startingAt: 0) + $0.command.summary }
      .joined(separator: "\n")
  }
}
