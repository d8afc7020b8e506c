// mapk-bench: the bandwidth ceiling, mapk's throughput and its memory, in one
// process and one run (see `Options.command` and docs/performance.md).
import Foundation
import MAPKKernel
import MAPKShards
import MAPKTooling

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("mapk-bench: error: \(message)\n".utf8))
  exit(1)
}

func log(_ message: String) {
  FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// One timed evaluation: seconds and MAP@k, or nil (after printing why) if it failed.
func timedEvaluation(_ inputs: EvaluationInputs, threads: Int, configuration: MAPConfiguration) -> (Double, Double)? {
  do {
    let (state, seconds) = try Stopwatch.measure {
      // Either kind of predictions (scores, or ranked ids given with --predictions).
      try Evaluator(threads: threads).evaluate(inputs, configuration: configuration)
    }
    return (seconds, state.values[0])
  } catch {
    log("mapk-bench: \(error)")
    return nil
  }
}

let options: Options
do {
  guard let parsed = try Options.parse(Array(CommandLine.arguments.dropFirst())) else {
    print(Options.command.help)
    exit(0)
  }
  options = parsed
} catch {
  FileHandle.standardError.write(Data("mapk-bench: error: \(error)\n".utf8))
  exit(2)
}

#if DEBUG
log("mapk-bench: warning: a debug build; measure with `swift run -c release mapk-bench`")
#endif

let cores = Evaluator.activeProcessorCount
let formatter = ISO8601DateFormatter()
var report = BenchReport(date: formatter.string(from: Date()), cores: cores, repeats: options.repeats)
report.simdPath = SIMDPath.active.description
log("kernel SIMD path: \(report.simdPath) (best on this CPU: \(SIMDPath.best); MAPK_SIMD forces one)")
let directory: String
let ownDirectory = options.directory == nil
if let given = options.directory {
  directory = given
  try? FileManager.default.createDirectory(atPath: given, withIntermediateDirectories: true)
} else {
  directory = NSTemporaryDirectory() + "mapk-bench-\(ProcessInfo.processInfo.processIdentifier)"
  try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
}
let sampler = Memory.Sampler()

for var scenario in options.scenarios {
  // 1. The dump: given, or generated (and removed afterwards unless --keep).
  var generated: [String] = []
  let files: (predictions: String, labels: String)
  if let given = scenario.files {
    files = given
  } else {
    let prefix = "\(directory)/\(scenario.rows)x\(scenario.classes)-\(ScoreTypeName(scenario.type).rawValue)-seed\(options.seed)"
    // bfloat16 has no .npy dtype: its dump is a .safetensors file.
    let safetensors = scenario.type == .bfloat16
    files = (prefix + (safetensors ? ".pred.safetensors" : ".pred.npy"), prefix + ".labels.npy")
    if !FileManager.default.fileExists(atPath: files.predictions) || !FileManager.default.fileExists(atPath: files.labels) {
      log("generating \(scenario.name) into \(directory) ...")
      do {
        // The project's generator (`mapk generate`): bounded memory, the same bytes for a seed.
        let generator = try Generator(rows: scenario.rows, classes: scenario.classes, labelsPerRow: 5, seed: options.seed)
        try generator.write(prefix: prefix, scoreType: scenario.type, labelFormat: .dense, safetensors: safetensors,
                            threads: cores)
      } catch {
        fail("\(error)")
      }
      if !options.keep { generated = [files.predictions, files.labels] }
    }
  }
  let inputs: EvaluationInputs
  do {
    inputs = try EvaluationInputs(predictions: files.predictions, labels: files.labels)
  } catch {
    fail("\(error)")
  }
  scenario.rows = inputs.rows
  scenario.classes = inputs.classes
  if inputs.predictions.kind == .denseScores { scenario.type = inputs.scores.type }
  if case .sparseScores(let sparse) = inputs.predictions.view { scenario.type = sparse.scoreType }
  let name = scenario.name
  // The predictions' bytes: the scores, or the ranked ids (whose rate is then in GB/s of ids).
  let array = inputs.predictions.array
  let bytes = Ceiling.Bytes(base: array.data, count: array.bytes.count)
  let gigabytes = Double(array.bytes.count) / 1e9
  // Sparse scores: the rate is in GB/s of the stored scores (`data`; indices and indptr come on top).
  let kindName = ["denseScores": "scores", "rankedIDs": "ranked ids", "sparseScores": "stored sparse scores"][
    inputs.predictions.kind.rawValue] ?? inputs.predictions.kind.rawValue
  log("measuring \(name) (\(String(format: "%.2f", gigabytes)) GB of \(kindName)) ...")

  // 2. Warm: read every page once, so that all runs see a hot page cache and
  //    a populated mapping.
  _ = Ceiling.scan(bytes, threads: cores)
  Memory.releaseFreedHeap()
  sampler.reset()

  // 3. Rounds: in each, the ceiling and one timed evaluation of every (k,
  //    threads) point; each keeps its best. Interleaving spreads every
  //    point's samples over the whole measurement, so that a burst of other
  //    load on the machine spoils a round, not a point.
  // Each k with AP alone, and with `--metric`'s list beside it (interleaved in every round).
  var ks: [Int] = [], metricNames: [String] = [], configurations: [MAPConfiguration] = []
  for k in scenario.ks where k <= scenario.classes {
    ks.append(k)
    metricNames.append("map")
    configurations.append(try! MAPConfiguration(ks: [k]))
    if let extra = options.metrics {
      ks.append(k)
      metricNames.append(extra.name)
      configurations.append(try! MAPConfiguration(ks: [k], metrics: extra.list))
    }
  }
  var ceiling = [Int: Double](), readerBest = [Int: [Ceiling.Reader: Double]]()
  var best = [[Double]](repeating: [Double](repeating: .infinity, count: scenario.threads.count), count: ks.count)
  var values = [Double](repeating: .nan, count: ks.count)
  func evaluate(_ j: Int, threads: Int) -> Double {
    guard let (seconds, value) = timedEvaluation(inputs, threads: threads, configuration: configurations[j]) else {
      fail("\(name) k=\(ks[j]): the evaluation failed")
    }
    sampler.sample()
    values[j] = value
    return seconds
  }
  for j in ks.indices { _ = evaluate(j, threads: cores) }  // untimed warm runs
  for _ in 0..<options.repeats {
    for t in scenario.threads {
      // Every plain reader once per round; the ceiling is the fastest.
      for reader in Ceiling.Reader.allCases {
        let seconds = Ceiling.measure(bytes, threads: t, repeats: 1, reader: reader)
        readerBest[t, default: [:]][reader] = min(readerBest[t]?[reader] ?? .infinity, seconds)
        ceiling[t] = min(ceiling[t] ?? .infinity, seconds)
      }
    }
    for j in ks.indices {
      for (i, t) in scenario.threads.enumerated() { best[j][i] = min(best[j][i], evaluate(j, threads: t)) }
    }
  }
  for t in scenario.threads {
    let readers = readerBest[t]!.sorted { $0.value < $1.value }
    let fastest = readers.first!.key.name
    report.ceilings.append(CeilingMeasurement(dump: name, threads: t, seconds: ceiling[t]!,
                                              gigabytesPerSecond: gigabytes / ceiling[t]!, reader: fastest))
    log("  ceiling, \(t) threads: " + readers.map { String(format: "%@ %.2f GB/s", $0.key.name, gigabytes / $0.value) }
      .joined(separator: ", ") + " (the ceiling: \(fastest))")
  }
  for j in ks.indices {
    for (i, t) in scenario.threads.enumerated() {
      let seconds = best[j][i]
      let rate = gigabytes / seconds, ceilingRate = gigabytes / ceiling[t]!
      report.measurements.append(Measurement(
        dump: name, rows: scenario.rows, classes: scenario.classes, dtype: ScoreTypeName(scenario.type).rawValue, k: ks[j],
        threads: t, seconds: seconds, gigabytesPerSecond: rate, rowsPerSecond: Double(scenario.rows) / seconds,
        ceilingGigabytesPerSecond: ceilingRate, ratioToCeiling: rate / ceilingRate,
        map: values[j].isNaN ? nil : values[j], metrics: metricNames[j]))
      log(String(format: "  k=%-5d threads=%-3d %7.2f GB/s (ceiling %.2f) %@", ks[j], t, rate, ceilingRate, metricNames[j]))
    }
  }
  report.peakAnonymousBytes[name] = sampler.peak
  for path in generated { try? FileManager.default.removeItem(atPath: path) }
}
sampler.stop()
report.peakResidentBytes = Memory.field("VmHWM")
if ownDirectory && !options.keep { try? FileManager.default.removeItem(atPath: directory) }
report.checkTargets()

// 5. The report.
print(report.table)
print("")
print("kernel SIMD path: \(report.simdPath)")
for c in report.ceilings {
  print(String(format: "ceiling %@, %d threads: %.2f GB/s, reader %@", c.dump, c.threads, c.gigabytesPerSecond, c.reader))
}
for (dump, bytes) in report.peakAnonymousBytes.sorted(by: { $0.key < $1.key }) {
  print(String(format: "peak anonymous memory (RssAnon) while evaluating %@: %.1f MB", dump, Double(bytes) / 1_048_576))
}
for target in report.targets { print("\(target.met ? "met   " : "MISSED") \(target.target): \(target.measured)") }

if let path = options.json {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
  do {
    try encoder.encode(report).write(to: URL(fileURLWithPath: path))
  } catch {
    fail("\(path): \(error)")
  }
}
if let path = options.svg {
  do {
    try chart(of: report).write(toFile: path, atomically: true, encoding: .utf8)
  } catch {
    fail("\(path): \(error)")
  }
}
