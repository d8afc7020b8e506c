// libFuzzer target: the command line. The input is an argument vector (NUL
// separates arguments), decoded as mapk decodes argv (`PathBytes`), then
// parsed against a table like `mapk eval`'s, with the values read as eval
// reads them (`-k` lists, integers, choices). Beyond "no crash": every
// argument's bytes survive the decoding; a parse either fails with a
// `UsageError` or gives each valued option at most once, a value taken from
// the vector; a `-k` list is ascending, distinct and within its bound.

@_cdecl("LLVMFuzzerTestOneInput")
public func commandLineFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let raw = bytes.split(separator: 0, omittingEmptySubsequences: false).prefix(64)
  let args = raw.map { PathBytes.string($0) }
  for (a, b) in zip(args, raw) {
    precondition(PathBytes.bytes(a) == Array(b), "an argument's bytes changed: \(Array(b))")
    precondition(PathBytes.string(PathBytes.bytes(a)) == a, "decoding is not a bijection")
  }
  let table = OptionTable([
    Option("--predictions", value: "FILE", help: "p"),
    Option("--k", aliases: ["-k"], value: "LIST", help: "k"),
    Option("--threads", value: "N|auto", help: "t"),
    Option("--nan", value: "P", help: "n"),
    Option("--per-row", value: "OUT.npy", help: "r"),
    Option("--json", help: "j"),
    Option("--help", aliases: ["-h"], help: "h"),
  ])
  do {
    let parsed = try table.parse(args[...])
    for (name, value) in parsed.values {
      precondition(args.contains { $0 == value || $0.hasSuffix("=" + value) }, "\(name)'s value is not an argument")
      if table.option(name)?.takesPath == true { precondition(!value.isEmpty, "an empty file name was accepted") }
    }
    if let list = parsed["--k"], let ks = try? parseKList(list) {
      precondition(ks.count <= StateFile.maximumKCount && zip(ks, ks.dropFirst()).allSatisfy { $0 < $1 } && (ks.first ?? 1) >= 1,
                   "a bad k list")
    }
    _ = try? parsed.int("--threads")
  } catch is UsageError {
  } catch {
    preconditionFailure("an error that is not a UsageError: \(error)")
  }
  return 0
}
