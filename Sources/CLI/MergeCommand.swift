import MAPKShards
import MAPKTooling

/// `mapk merge`: the result of several `mapk eval --shard I/N --state FILE`
/// runs, merged exactly.
enum MergeCommand {
  /// `mapk merge`'s description and options.
  static let command = Command(
    name: "merge", summary: "merge the states of 'eval --shard I/N --state FILE' runs exactly",
    synopsis: """
      USAGE: mapk merge STATE.json... [--json] [--output FILE] [--shards N] [--missing]
             mapk merge COMPARE-STATE.json... [--json | --format F] [--output FILE]

      Merges the states saved by 'mapk eval --shard I/N --state FILE' and prints
      what 'mapk eval' prints for all rows, with the same bits as one run over
      all of them; of 'mapk compare --shard I/N --state FILE', what 'mapk
      compare' prints (--json, --format markdown|latex). Refuses states of other inputs, ks or policies, overlapping
      states, and rows left uncovered (naming the missing shards).
      """,
    options: [Option("--json", help: "print one JSON object on stdout"),
              Option("--format", value: "F", help: "compare states: text (default) | markdown | latex")]
      + MergeShardOptions.options
      + [OutputOption.option],
    epilog: """
      EXAMPLE:
        for i in 0 1 2; do mapk eval --predictions p.npy --labels l.npy -k 10 \\
            --shard $i/3 --state s$i.json; done
        mapk merge s0.json s1.json s2.json
      """)

  /// Runs `mapk merge` with its parsed options.
  static func run(_ parsed: Arguments) throws {
    if parsed.positional.contains("") { throw UsageError(description: "a state file name is empty") }
    if !parsed.positional.isEmpty, try CompareShards.mergeIfCompareStates(parsed) { return }
    if try MergeShardOptions.run(parsed) { return }
    guard !parsed.positional.isEmpty else {
      throw UsageError(description: "no state files given (USAGE: mapk merge STATE.json... [--json])")
    }
    try OutputPaths.check(OutputPaths.given(parsed, [OutputOption.flag]), inputs: parsed.positional)
    let output = try OutputOption.open(parsed, protecting: parsed.positional)
    let merged = try StateFile.merge(contentsOf: parsed.positional)
    let inputs = merged.inputs
    let bytes = inputs.predictions.size + inputs.labels.size + (inputs.weights?.size ?? 0)
    var report = Report(state: merged.state, classes: merged.classes, threads: merged.threads,
                        seconds: merged.seconds, bytes: bytes, shards: parsed.positional.count,
                        intervals: merged.bootstrap.map {
                          EvalInterval.intervals(of: $0.replicates, level: $0.level, state: merged.state)
                        })
    // As eval warns, from the counts the states carry (0 in states written before they did).
    // Ranked ids count labels against --classes (eval counts none without it).
    let idClasses = inputs.rankedIDs?.classes
    report.extraWarnings += LabelRange.warning(merged.labelsAtOrAboveClasses, classes: idClasses ?? merged.classes,
                                               semantics: inputs.labels.format == "dense" ? .dense : .sparse,
                                               source: idClasses == nil ? "the predictions' last dimension"
                                                 : "--classes")
      .map { [$0] } ?? []
    try report.emit(json: parsed.has("--json"), to: output)
  }
}
