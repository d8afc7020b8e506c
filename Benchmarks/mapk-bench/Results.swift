import Foundation
import MAPKShards
import MAPKTooling

/// One timed evaluation: a dump, a k, a thread count.
struct Measurement: Codable {
  var dump: String
  var rows: Int
  var classes: Int
  var dtype: String
  var k: Int
  var threads: Int
  /// The best of the timed runs.
  var seconds: Double
  /// Score bytes evaluated per second, in 10^9 bytes.
  var gigabytesPerSecond: Double
  var rowsPerSecond: Double
  /// The ceiling with the same threads over the same mapping.
  var ceilingGigabytesPerSecond: Double
  var ratioToCeiling: Double
  /// MAP@k (null if NaN), to show that every thread count computes the same value.
  var map: Double?
  /// The metrics evaluated (`map`, or the `--metric` list, e.g. `all`).
  var metrics: String = "map"
}

/// The ceiling of one dump with one thread count.
struct CeilingMeasurement: Codable {
  var dump: String
  var threads: Int
  var seconds: Double
  var gigabytesPerSecond: Double
  /// The fastest plain reader (`swift-simd`, `c-avx2`, `c-avx512`, ...).
  var reader: String = ""
}

/// A target of the issue and what was measured for it.
struct TargetCheck: Codable {
  var target: String
  var measured: String
  var met: Bool
}

/// Everything one run measured.
struct BenchReport: Codable {
  var date: String
  var cores: Int
  var repeats: Int
  /// The kernel's SIMD path (`SIMDPath`: baseline, avx2, avx512).
  var simdPath: String = ""
  var ceilings: [CeilingMeasurement] = []
  var measurements: [Measurement] = []
  /// The peak of RssAnon while each dump was evaluated (bytes).
  var peakAnonymousBytes: [String: Int] = [:]
  /// VmHWM at the end (bytes): includes the mapped file's resident pages.
  var peakResidentBytes: Int?
  var targets: [TargetCheck] = []

  /// The table printed at the end.
  var table: String {
    var lines = [String]()
    func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }
    lines.append([pad("dump", 16), pad("k", 5), pad("threads", 8), pad("GB/s", 7), pad("rows/s", 12),
                  pad("ceiling", 8), pad("ratio", 6), pad("MAP@k", 20), "metrics"].joined(separator: " "))
    for m in measurements {
      lines.append([
        pad(m.dump, 16), pad("\(m.k)", 5), pad("\(m.threads)", 8), pad(String(format: "%.2f", m.gigabytesPerSecond), 7),
        pad(String(format: "%.3g", m.rowsPerSecond), 12), pad(String(format: "%.2f", m.ceilingGigabytesPerSecond), 8),
        pad(String(format: "%.2f", m.ratioToCeiling), 6), pad(m.map.map { "\($0)" } ?? "nan", 20), m.metrics,
      ].joined(separator: " "))
    }
    return lines.joined(separator: "\n")
  }

  /// Checks the targets against what this run measured (those it covers).
  mutating func checkTargets() {
    let all = cores
    func ratio(_ dump: String, _ k: Int) -> Double? {
      measurements.first { $0.dump == dump && $0.k == k && $0.threads == all && $0.metrics == "map" }?.ratioToCeiling
    }
    // Issue 16's targets (ratios to the fastest plain reader of the same run).
    let ratios: [(String, Int, Double)] = [
      ("200000x1000 f32", 1, 0.85), ("200000x1000 f32", 10, 0.75), ("200000x1000 f32", 100, 0.6),
      ("20000x1000 f32", 1000, 0.3), ("200000x1000 f16", 10, 0.6), ("2000000x50 f32", 5, 0.5),
    ]
    for (dump, k, goal) in ratios {
      guard let r = ratio(dump, k) else { continue }
      targets.append(TargetCheck(target: "\(dump) k=\(k), \(all) threads: >= \(goal) of the ceiling",
                                 measured: String(format: "%.2f", r), met: r >= goal))
    }
    // Scaling: 2 threads >= 1.85x one thread at every k of every dump.
    for (dump, k, _) in ratios {
      let points = measurements.filter { $0.dump == dump && $0.k == k && $0.metrics == "map" }
      guard let one = points.first(where: { $0.threads == 1 }), let two = points.first(where: { $0.threads == 2 }) else {
        continue
      }
      let speedup = two.gigabytesPerSecond / one.gigabytesPerSecond
      targets.append(TargetCheck(target: "\(dump) k=\(k): 2 threads >= 1.85x one thread",
                                 measured: String(format: "%.2fx (%.2f vs %.2f GB/s)", speedup, two.gigabytesPerSecond,
                                                  one.gigabytesPerSecond), met: speedup >= 1.85))
    }
    // Issue 13: `--metric all` at k = 10 costs at most 10% over map alone (run with `--metric all`).
    let at10 = measurements.filter { $0.dump == "200000x1000 f32" && $0.k == 10 && $0.threads == all }
    if let map = at10.first(where: { $0.metrics == "map" }), let every = at10.first(where: { $0.metrics == "all" }) {
      let extra = every.seconds / map.seconds - 1
      targets.append(TargetCheck(target: "200000x1000 f32 k=10: --metric all <= 1.10x map alone",
                                 measured: String(format: "%+.1f%% (%.3f vs %.3f s)", 100 * extra, every.seconds, map.seconds),
                                 met: extra <= 0.10))
    }
    if let anon = peakAnonymousBytes["200000x1000 f32"] {
      let mb = Double(anon) / 1_048_576
      targets.append(TargetCheck(target: "anonymous memory < 64 MB on the 800 MB dump",
                                 measured: String(format: "%.1f MB peak RssAnon", mb), met: mb < 64))
    }
  }
}

/// Throughput against threads, one chart per dump (each k a line, and the
/// ceiling), stacked in one SVG document by the project's `SVGChart`.
func chart(of report: BenchReport) -> String {
  var dumps = [String]()
  for m in report.measurements where !dumps.contains(m.dump) { dumps.append(m.dump) }
  let charts = dumps.map { dump -> SVGChart in
    var chart = SVGChart(title: dump, subtitle: "hot page cache; best of \(report.repeats) interleaved rounds",
                         xLabel: "threads", yLabel: "GB/s of scores")
    chart.integerX = true
    var ks = [Int]()
    for m in report.measurements where m.dump == dump && !ks.contains(m.k) { ks.append(m.k) }
    chart.series = ks.map { k in
      .line(name: "mapk, k = \(k)", points: report.measurements.filter { $0.dump == dump && $0.k == k }
        .map { (Double($0.threads), $0.gigabytesPerSecond) })
    }
    chart.series.append(.line(name: "ceiling (max-scan)", points: report.ceilings.filter { $0.dump == dump }
      .map { (Double($0.threads), $0.gigabytesPerSecond) }))
    return chart
  }
  return SVGChart.document(charts, title: "mapk-bench: throughput against threads (\(report.cores) cores)")
}
