import Foundation
import MAPKShards

/// What `mapk compare` prints: a table of the systems' values (one row per
/// system, one column per metric@k, † where a system is significantly better
/// than the baseline), then the comparisons; as text, Markdown, LaTeX or JSON.
struct CompareReport {
  /// The systems' names (their predictions files), baseline first.
  let names: [String]
  /// The compared metrics, ks and policies.
  let configuration: MAPConfiguration
  /// The rows compared.
  let rows: Int
  let result: SystemComparisonResult
  let design: ComparisonDesign
  let alpha: Double
  let threads: Int
  /// Seconds spent evaluating the systems (reading and ranking).
  let evaluationSeconds: Double
  /// Seconds in all.
  let seconds: Double

  var columnNames: [String] { configuration.pairs.map { "\($0.metric.displayName)@\($0.k)" } }

  /// Whether system `s` is significantly better than the first system in column `c`:
  /// a positive difference with Holm-adjusted p below alpha.
  func isBetter(system s: Int, column c: Int) -> Bool {
    let pair = configuration.pairs[c]
    for x in result.comparisons where x.baseline == 0 && x.system == s && x.metric == pair.metric && x.k == pair.k {
      if x.difference > 0 && x.pHolm < alpha { return true }
    }
    return false
  }

  /// The randomization test's kind, for the notes.
  var randomizationNote: String {
    let n = result.rowsInTests
    if n <= RandomizationTest.maximumExactRows && (1 << n) <= design.permutations {
      return "randomization test exact over all 2^\(n) sign flips"
    }
    return "randomization test with \(design.permutations) sign flips"
  }

  /// The line under the tables: what was computed, on what, how fast.
  var figures: String {
    "\(rows) rows (\(result.rowsInTests) in the tests), \(randomizationNote), \(design.bootstrapReplicates) bootstrap "
      + "replicates, \(percent(design.level)) intervals, seed \(design.seed)"
  }

  /// ``figures`` with the threads and times (the text report's; the tables
  /// for a paper leave them out, so the same inputs print the same bytes).
  var figuresWithTimes: String {
    figures + ", \(threads) thread\(threads == 1 ? "" : "s"), evaluation \(format(evaluationSeconds, 2)) s, "
      + "total \(format(seconds, 2)) s"
  }

  /// The marker's note.
  var markerNote: String {
    "† significantly better than \(names[0]) (Holm-adjusted p < \(alpha))"
  }

  /// The comparisons' cells: baseline, system, metric@k, difference, interval, t, p_t, p_randomization, p_holm.
  var comparisonCells: [[String]] {
    result.comparisons.map { c -> [String] in
      let name = "\(c.metric.displayName)@\(c.k)"
      let interval = "[" + signed(c.interval.lower) + ", " + signed(c.interval.upper) + "]"
      let t: String = c.tTest.map { fixed($0.t, 3) } ?? "n/a"
      let pT: String = c.tTest.map { pValue($0.pValue) } ?? "n/a"
      return [names[c.baseline], names[c.system], name, signed(c.difference), interval, t, pT,
              pValue(c.pRandomization), pValue(c.pHolm)]
    }
  }

  static let comparisonHeader = ["baseline", "system", "metric", "difference", "CI", "t", "p_t", "p_randomization", "p_holm"]

  /// The systems' cells: name, then per column the value and its marker.
  func systemCells(marker: String) -> [[String]] {
    names.indices.map { s in
      [names[s]] + result.systems[s].indices.map { c in
        fixed(result.systems[s][c].value, 4) + (isBetter(system: s, column: c) ? marker : "")
      }
    }
  }

  /// The human report.
  var text: String {
    var out = aligned([["system"] + columnNames] + systemCells(marker: " †")) + markerNote + "\n\n"
    var header = Self.comparisonHeader
    header[4] = "\(percent(design.level)) CI"
    out += aligned([header] + comparisonCells)
    if let pooledNote { out += pooledNote + "\n" }
    return out + "(" + figuresWithTimes + ")\n"
  }

  /// The note under the comparisons when a metric is pooled, else nil.
  var pooledNote: String? {
    configuration.metrics.contains(where: { m in !SystemComparison.tTestApplies(to: m) })
      ? "n/a: the t-test does not apply to a pooled metric (not a mean of row values); its randomization test "
        + "swaps rows' (hits, n) between the two systems" : nil
  }

  /// Markdown tables for a paper or an issue.
  var markdown: String {
    func table(_ rows: [[String]]) -> String {
      let line = { (cells: [String]) in "| " + cells.joined(separator: " | ") + " |\n" }
      return line(rows[0]) + line(rows[0].map { _ in "---" }) + rows.dropFirst().map(line).joined()
    }
    var header = Self.comparisonHeader
    header[4] = "\(percent(design.level)) CI"
    return table([["system"] + columnNames] + systemCells(marker: "†")) + "\n" + markerNote + "\n\n"
      + table([header] + comparisonCells) + "\n" + (pooledNote.map { $0 + "\n\n" } ?? "") + figures + "\n"
  }

  /// LaTeX tables (booktabs) for a paper.
  var latex: String {
    func table(_ rows: [[String]], align: String) -> String {
      "\\begin{tabular}{\(align)}\n\\toprule\n" + rows[0].joined(separator: " & ") + " \\\\\n\\midrule\n"
        + rows.dropFirst().map { $0.joined(separator: " & ") + " \\\\\n" }.joined() + "\\bottomrule\n\\end{tabular}\n"
    }
    let systemRows = [["System"] + columnNames.map(latexEscape)]
      + systemCells(marker: "$^{\\dagger}$").map { [latexEscape($0[0])] + $0.dropFirst() }
    var header = Self.comparisonHeader.map(latexEscape)
    header[4] = "\(percent(design.level)) CI".replacingOccurrences(of: "%", with: "\\%")
    let comparisonRows = [header] + comparisonCells.map { $0.map(latexEscape) }
    return "% " + figures + "\n"
      + table(systemRows, align: "l" + String(repeating: "r", count: columnNames.count))
      + "% " + markerNote.replacingOccurrences(of: "†", with: "$^{\\dagger}$") + "\n\n"
      + table(comparisonRows, align: "lllrrrrrr") + (pooledNote.map { "% " + $0 + "\n" } ?? "")
  }

  /// Everything, machine-readable.
  var json: JSONObject {
    func interval(_ i: (lower: Double, upper: Double)) -> String {
      "[" + JSONObject.number(i.lower) + ", " + JSONObject.number(i.upper) + "]"
    }
    var o = JSONObject()
    o.set("systems", objects: names.indices.map { s in
      var x = JSONObject()
      x.set("name", names[s])
      x.set("results", objects: result.systems[s].map { r in
        var y = JSONObject()
        y.set("metric", r.metric.name)
        y.set("k", r.k)
        y.set("value", r.value)
        y.set("ci", raw: interval(r.interval))
        return y
      })
      return x
    })
    o.set("comparisons", objects: result.comparisons.map { c in
      var x = JSONObject()
      x.set("baseline", names[c.baseline])
      x.set("system", names[c.system])
      x.set("metric", c.metric.name)
      x.set("k", c.k)
      x.set("difference", c.difference)
      x.set("ci", raw: interval(c.interval))
      x.set("t", c.tTest?.t)
      x.set("p_t", c.tTest?.pValue)
      x.set("p_randomization", c.pRandomization)
      x.set("p_holm", c.pHolm)
      return x
    })
    o.set("rows", rows)
    o.set("rows_in_tests", result.rowsInTests)
    o.set("permutations", design.permutations)
    o.set("bootstrap", design.bootstrapReplicates)
    o.set("ci_level", design.level)
    o.set("seed", Int(bitPattern: UInt(design.seed)))
    o.set("alpha", alpha)
    o.set("threads", threads)
    o.set("seconds", seconds)
    return o
  }

}

extension CompareReport {
  /// Prints the report, as JSON or as `format`, to `output` (committed) or stdout.
  func emit(json: Bool, format: CompareCommand.Format, to output: AtomicOutputFile?) throws {
    let text: String
    if json {
      text = self.json.text + "\n"
    } else {
      switch format {
      case .text: text = self.text
      case .markdown: text = markdown
      case .latex: text = latex
      }
    }
    if let output {
      try output.write(Array(text.utf8))
      try output.commit()
    } else {
      print(text, terminator: "")
    }
  }
}

/// Columns padded to their widest cell, two spaces apart.
func aligned(_ rows: [[String]]) -> String {
  let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
  return rows.map { cells in
    cells.indices.map { c in
      c == cells.count - 1 ? cells[c] : cells[c] + String(repeating: " ", count: widths[c] - cells[c].count)
    }.joined(separator: "  ")
  }.joined(separator: "\n") + "\n"
}

/// `value` with `digits` decimals (`nan` for NaN).
func fixed(_ value: Double, _ digits: Int) -> String {
  value.isNaN ? "nan" : String(format: "%.\(digits)f", value)
}

/// `value` with 4 decimals and its sign.
func signed(_ value: Double) -> String {
  value.isNaN ? "nan" : String(format: "%+.4f", value)
}

/// A p-value: 4 decimals, or two significant digits below 0.001.
func pValue(_ p: Double) -> String {
  if p.isNaN { return "nan" }
  if p == 0 { return "0" }
  return p >= 0.001 ? String(format: "%.4f", p) : String(format: "%.1e", p)
}

/// A level as a percentage, `95%`.
func percent(_ level: Double) -> String {
  let p = level * 100
  return (p.rounded() == p ? String(Int(p)) : "\(p)") + "%"
}

/// `s` with LaTeX's special characters escaped.
func latexEscape(_ s: String) -> String {
  var out = ""
  for ch in s {
    switch ch {
    case "\\": out += "\\textbackslash{}"
    case "&", "%", "$", "#", "_", "{", "}": out += "\\" + String(ch)
    case "~": out += "\\textasciitilde{}"
    case "^": out += "\\textasciicircum{}"
    default: out.append(ch)
    }
  }
  return out
}
