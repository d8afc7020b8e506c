import MAPKShards
import MAPKTooling
import Testing

/// The option table: the help layout, parsing and suggestions it drives.
@Suite struct OptionTableTests {
  let command = Command(
    name: "demo", summary: "a demo", synopsis: "USAGE: demo [options]\n\nDoes nothing.",
    options: [
      Option("--input", value: "FILE", help: "what to read"),
      Option("--k", aliases: ["-k"], value: "LIST", help: "k values,", "over two lines"),
      Option("--a-very-long-option-name", value: "X", help: "still one space before this"),
      Option("--rows", value: "N", label: "--rows N --cols C", help: "a shape"),
      Option("--cols", value: "C"),
      Option("--json", help: "print JSON"),
    ],
    epilog: "EXAMPLE:\n  demo --input x")

  @Test func helpLinesPutDescriptionsAtColumn25() {
    // Written by hand from the layout of `mapk eval --help`.
    let expected = """
      USAGE: demo [options]

      Does nothing.

      OPTIONS:
        --input FILE           what to read
        -k, --k LIST           k values,
                               over two lines
        --a-very-long-option-name X still one space before this
        --rows N --cols C      a shape
        --json                 print JSON
        -h, --help             show this help

      EXAMPLE:
        demo --input x
      """
    #expect(command.help == expected)
  }

  @Test func parsesValuesFlagsAliasesAndPositionals() throws {
    let parsed = try #require(try command.parse(["--input", "a.npy", "-k", "1,5", "--json", "rest", "--", "--json"]))
    #expect(parsed["--input"] == "a.npy")
    #expect(parsed["--k"] == "1,5")
    #expect(parsed.has("--json"))
    #expect(parsed.positional == ["rest", "--json"])
    let inline = try #require(try command.parse(["--input=b=c", "--cols", "-3"]))
    #expect(inline["--input"] == "b=c")
    #expect(inline["--cols"] == "-3")
  }

  @Test(arguments: [["--help"], ["-h"], ["--input", "x", "--help"]])
  func helpIsNil(_ args: [String]) throws {
    #expect(try command.parse(args[...]) == nil)
  }

  @Test(arguments: [
    (["--inpt", "x"], "unknown option --inpt (did you mean --input?)"),
    (["--zzzzzzzz"], "unknown option --zzzzzzzz"),
    (["--input"], "--input needs a value"),
    (["-k"], "--k needs a value"),
    (["--json=1"], "--json takes no value"),
    (["--help", "--bogus"], "unknown option --bogus"),
  ])
  func usageErrors(_ args: [String], _ message: String) {
    #expect { try command.parse(args[...]) } throws: { ($0 as? UsageError)?.description == message }
  }

  @Test func lookupBySpelling() {
    #expect(command.options.option("-k")?.name == "--k")
    #expect(command.options.option("--cols")?.help == [])
    #expect(command.options.option("--nope") == nil)
  }
}

/// The elapsed-time helper.
@Suite struct StopwatchTests {
  @Test func measuresWhatItRuns() {
    let (value, seconds) = Stopwatch.measure { (1...1000).reduce(0, +) }
    #expect(value == 500_500)
    #expect(seconds >= 0 && seconds < 60)
    let watch = Stopwatch()
    #expect(watch.seconds >= 0)
  }
}
