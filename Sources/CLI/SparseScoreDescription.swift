import MAPKShards

/// What `mapk inspect` says about a scipy CSR `.npz` read as sparse score
/// predictions: exactly what `mapk eval` reads (the same reader and checks).
enum SparseScoreDescription {
  /// The lines for the archive at `path`: its shape, the stored entries per
  /// row (a k above a row's count leaves empty positions, never hits), the
  /// stored scores' range and NaN; or why eval would refuse it.
  static func lines(path: String, threads: Int) -> [String] {
    let source: PredictionSource
    do {
      source = try PredictionSource.read(path: path)
    } catch let error as FileError {
      return ["  not sparse score predictions: \(error.problem)"]
    } catch {
      return ["  not sparse score predictions: \(error)"]
    }
    guard case .sparseScores(let s) = source.view else { return [] }
    var fewest = Int.max, most = 0
    for r in 0..<s.rows {
      let n = s.storedCount(ofRow: r)
      fewest = min(fewest, n)
      most = max(most, n)
    }
    let g = Inspection.grouped
    let indexType = s.columns.byteWidth == 4 ? "int32" : "int64"
    var lines = [
      "  or as sparse score predictions: \(g(s.rows)) rows x \(g(s.width)) classes, \(g(s.storedCount)) stored "
        + "\(s.scoreType.rawValue) scores (\(indexType) indices)",
      s.rows == 0 ? "  stored per row  none (no rows)"
        : "  stored per row  min \(g(fewest)), max \(g(most)), mean "
          + String(Double(s.storedCount) / Double(s.rows)) + (fewest < most || fewest < s.width
            ? "  (a k above a row's count leaves empty positions: never hits)" : ""),
    ]
    let scan = ScoreScan(ScoreMatrix(base: s.values, rows: 1, classes: s.storedCount, type: s.scoreType),
                         threads: threads)
    if let range = scan.range { lines.append("  scores   " + range + " (stored entries; missing ones are never retrieved)") }
    lines.append("  NaN      \(g(scan.nan))" + (scan.nan > 0 ? "  (mapk eval needs --nan largest|lowest)" : ""))
    return lines
  }
}
