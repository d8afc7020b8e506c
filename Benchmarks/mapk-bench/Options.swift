import MAPKShards
import MAPKTooling

/// One dump to measure: its shape, score type, the ks and thread counts.
struct Scenario {
  var rows: Int
  var classes: Int
  var type: ScoreType
  var ks: [Int]
  var threads: [Int]
  /// An existing dump (`--predictions/--labels`); nil: generate one.
  var files: (predictions: String, labels: String)? = nil

  var name: String { "\(rows)x\(classes) \(ScoreTypeName(type).rawValue)" }
}

/// The command line of `mapk-bench`.
struct Options {
  /// `mapk-bench`'s description and options: its help and parsing.
  static let command = Command(
    name: "mapk-bench", summary: "the bandwidth ceiling, mapk's throughput and its memory",
    synopsis: """
      USAGE: mapk-bench [--quick] [options]

      Measures, in one process and one run: the bandwidth ceiling of this machine
      (the fastest plain SIMD max-scan of the mapped dump, same threads), mapk's
      evaluation throughput per k, dtype and thread count, and peak anonymous
      memory. Dumps are made by the project's generator (`mapk generate`: bounded
      memory, 5 labels at most per row) unless given. Prints a table, and
      optionally writes JSON and an SVG chart.

      Build it optimized: swift run -c release mapk-bench [options]
      """,
    options: [
      Option("--quick", help: "a small preset for a smoke run (a few seconds)"),
      Option("--rows", value: "N", label: "--rows N --classes C",
             help: "one generated dump of that shape instead of the preset"),
      Option("--classes", value: "C"),  // shown on the line of --rows
      Option("--dtype", value: "f16|f32|f64|bf16", help: "its score type (default f32)"),
      Option("--k", value: "LIST", help: "ks to measure, e.g. 1,10,100 (default 1,10,100)"),
      Option("--threads", value: "LIST", help: "thread counts, e.g. 1,2,4 (default 1, cores, 2x cores)"),
      Option("--predictions", value: "FILE", help: "measure an existing dump (with --labels) instead"),
      Option("--labels", value: "FILE", help: "its labels (.npy, .txt or .npz)"),
      Option("--metric", value: "LIST", help: "also measure every k with these metrics (e.g. all or",
             "map,ndcg), interleaved with map alone, to compare their cost"),
      Option("--repeat", value: "N", help: "rounds, each timing every point once; best kept (default 7)"),
      Option("--dir", value: "DIR", help: "where generated dumps go (default: a temporary", "folder, removed at the end)"),
      Option("--keep", help: "keep generated dumps"),
      Option("--json", value: "FILE", help: "write every measurement as JSON"),
      Option("--svg", value: "FILE", help: "draw throughput against threads (one chart per dump)"),
      Option("--seed", value: "S", help: "generator seed (default 1)"),
    ],
    epilog: """
      The default preset is the issue's targets: 200,000 x 1,000 float32 (k = 1,
      10, 100), the same in float16, 2,000,000 x 50 float32 (k = 5) and
      20,000 x 1,000 float32 (k = 1000); about 1.7 GB of dumps.
      """)

  var scenarios: [Scenario] = []
  var repeats = 7
  var directory: String? = nil
  var keep = false
  var json: String? = nil
  var svg: String? = nil
  var seed: UInt64 = 1
  /// `--metric`: metrics measured beside AP alone, and the list's text.
  var metrics: (list: [Metric], name: String)? = nil

  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  /// Parses `arguments` (without the program name); nil after `--help`.
  static func parse(_ arguments: [String]) throws -> Options? {
    guard let parsed = try command.parse(arguments[...]) else { return nil }
    if let extra = parsed.positional.first { throw Failure(description: "unexpected argument '\(extra)'") }
    let values = parsed.values
    let flags = parsed.flags
    func int(_ name: String) throws -> Int? {
      guard let v = values[name] else { return nil }
      guard let n = Int(v), n > 0 else { throw Failure(description: "\(name) needs a positive integer, got '\(v)'") }
      return n
    }
    func list(_ name: String) throws -> [Int]? {
      guard let v = values[name] else { return nil }
      let items = v.split(separator: ",").map { Int($0) }
      guard !items.isEmpty, items.allSatisfy({ ($0 ?? 0) > 0 }) else {
        throw Failure(description: "\(name) needs a list of positive integers, got '\(v)'")
      }
      return items.map { $0! }
    }

    var options = Options()
    options.repeats = try int("--repeat") ?? 7
    options.directory = values["--dir"]
    options.keep = flags.contains("--keep")
    options.json = values["--json"]
    options.svg = values["--svg"]
    if let text = values["--metric"] {
      var list: [Metric] = []
      for name in text == "all" ? Metric.allCases.map(\.name) : text.split(separator: ",").map(String.init) {
        guard let m = Metric(name: name) else { throw Failure(description: "--metric: '\(name)' is not a metric") }
        list.append(m)
      }
      options.metrics = (list, text)
    }
    if let s = values["--seed"] {
      guard let seed = UInt64(s) else { throw Failure(description: "--seed needs an integer") }
      options.seed = seed
    }
    let cores = Evaluator.activeProcessorCount
    let threads = try list("--threads") ?? Array(Set([1, cores, 2 * cores])).sorted()
    let ks = try list("--k")
    var type = ScoreType.float32
    if let d = values["--dtype"] {
      // The short names, or the long ones (`float16`).
      guard let named = ScoreTypeName(rawValue: d)?.scoreType ?? ScoreType(rawValue: d) else {
        throw Failure(description: "--dtype must be f16, f32, f64 or bf16")
      }
      type = named
    }

    if let predictions = values["--predictions"] {
      guard let labels = values["--labels"] else { throw Failure(description: "--predictions needs --labels") }
      // The shape is read from the file later.
      options.scenarios = [Scenario(rows: 0, classes: 0, type: type, ks: ks ?? [1, 10, 100], threads: threads,
                                    files: (predictions, labels))]
    } else if values["--rows"] != nil || values["--classes"] != nil {
      options.scenarios = [Scenario(rows: try int("--rows") ?? 200_000, classes: try int("--classes") ?? 1_000,
                                    type: type, ks: ks ?? [1, 10, 100], threads: threads)]
    } else if flags.contains("--quick") {
      let t = try list("--threads") ?? [1, 2]
      options.scenarios = [
        Scenario(rows: 20_000, classes: 1_000, type: .float32, ks: ks ?? [1, 10, 100, 1000], threads: t),
        Scenario(rows: 20_000, classes: 1_000, type: .float16, ks: ks ?? [10], threads: t),
        Scenario(rows: 200_000, classes: 50, type: .float32, ks: ks ?? [5], threads: t),
      ]
      options.repeats = try int("--repeat") ?? 3
    } else {
      options.scenarios = [
        Scenario(rows: 200_000, classes: 1_000, type: .float32, ks: ks ?? [1, 10, 100], threads: threads),
        Scenario(rows: 200_000, classes: 1_000, type: .float16, ks: ks ?? [1, 10, 100], threads: threads),
        Scenario(rows: 2_000_000, classes: 50, type: .float32, ks: ks ?? [5], threads: threads),
        Scenario(rows: 20_000, classes: 1_000, type: .float32, ks: ks ?? [1000], threads: threads),
      ]
    }
    for s in options.scenarios where s.files == nil {
      if let bad = s.ks.first(where: { $0 > s.classes }) {
        throw Failure(description: "k = \(bad) exceeds the \(s.classes) classes")
      }
    }
    return options
  }
}
