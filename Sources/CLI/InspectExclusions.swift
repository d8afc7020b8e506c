import MAPKShards

/// `mapk inspect --exclude E --predictions P --labels L`: the exclusions as
/// `mapk eval` reads them with those files (the same `EvaluationInputs`):
/// per row, the distinct classes they remove from the ranking; the entries
/// that remove nothing (negative, or `>= C`); the labels also excluded.
enum InspectExclusions {
  /// The lines describing `exclude` read against `predictions` and `labels`.
  /// - Throws: ``FileError`` as `mapk eval` would for these files.
  static func describe(exclude: String, predictions: String, labels: String, labelFormat: LabelFormat?,
                       reading: RankedIDReading, threads: Int) throws -> [String] {
    // Mapped, not streamed: inspect reads files (eval reads the exclusions the same way either way).
    let inputs = try EvaluationInputs(predictions: predictions, labels: labels, labelFormat: labelFormat,
                                      threads: threads, rankedIDs: reading, exclude: exclude)
    guard let exclusions = inputs.exclusions, let source = inputs.exclusionSource else { return [] }
    let ids = inputs.predictions.kind == .rankedIDs
    // Ranked ids have no C unless given; scores' C is their width.
    let classes: Int? = ids ? inputs.rankedIDReading?.classes : inputs.classes
    var fewest = Int.max, most = 0, total = 0, none = 0, negative = 0, beyond = 0
    var row: [Int64] = []
    for r in 0..<exclusions.rows {
      row.removeAll(keepingCapacity: true)
      for i in exclusions.range(ofRow: r) {
        let v = exclusions.value(at: i)
        if v < 0 {
          negative += 1
        } else if let c = classes, v >= Int64(c) {
          beyond += 1
        } else {
          row.append(v)
        }
      }
      row.sort()
      var n = 0
      for j in row.indices where j == 0 || row[j] != row[j - 1] { n += 1 }
      fewest = min(fewest, n)
      most = max(most, n)
      total += n
      if n == 0 { none += 1 }
    }
    let rows = exclusions.rows
    let alsoLabels = ExcludedLabels.count(labels: inputs.labels, exclusions: exclusions, classes: classes)
    let range = classes.map { "[0, \(Inspection.grouped($0)))" } ?? "[0, ...) (no --classes: ids are not bounded)"
    var lines = [
      "\(FileError.oneLine(exclude)): exclusions (--exclude) as mapk eval reads them with "
        + "\(FileError.oneLine(predictions)) and \(FileError.oneLine(labels))",
      "  read as  \(source.format.rawValue) labels, \(Inspection.grouped(rows)) rows (one per row of labels)",
      "  per row  \(rows == 0 ? 0 : fewest) to \(most) distinct classes in \(range) removed from the ranking, mean "
        + (rows == 0 ? "0" : format(Double(total) / Double(rows), 2))
        + ", \(Inspection.grouped(none)) rows remove none",
      "  exclude nothing: \(Inspection.grouped(negative)) negative entries (-1 pads included)"
        + (classes.map { ", \(Inspection.grouped(beyond)) entries >= \(Inspection.grouped($0))" } ?? ""),
      "  labels also excluded: \(Inspection.grouped(alsoLabels))"
        + (alsoLabels > 0 ? " (never hit, still counted in n: eval warns)" : ""),
    ]
    if let c = classes, most > 0 {
      lines.append("  rows keep at least \(Inspection.grouped(max(0, c - most))) candidates (-k above that leaves "
                   + "empty positions in those rows)")
    }
    return lines
  }
}
