extension ScoreMatrix {
  /// Calls `body` with a view of `scores` as `rows × classes`, row-major,
  /// for the duration of the call: the collection's own storage when it has
  /// one (`Array`, `ArraySlice`, `ContiguousArray`, `UnsafeBufferPointer`),
  /// else a copy.
  ///
  /// - Throws: ``MAPKError/shapeMismatch(_:)`` unless `scores` holds exactly
  ///   `rows · classes` values; whatever `body` throws.
  package static func withView<Scores: Collection, R>(
    of scores: Scores, rows: Int, classes: Int, _ body: (ScoreMatrix) throws -> R
  ) throws -> R where Scores.Element: ScoreElement {
    let count = scores.count
    guard classes > 0 ? count % classes == 0 && count / classes == rows : rows == 0 else {
      throw MAPKError.shapeMismatch("\(count) scores do not make \(rows) rows of \(classes) classes")
    }
    func view(_ buffer: UnsafeBufferPointer<Scores.Element>) throws -> R {
      // An empty buffer may have no address; no score is read then, and any
      // aligned address makes a valid empty view.
      let base = UnsafeRawPointer(buffer.baseAddress) ?? UnsafeRawPointer(bitPattern: 64)!
      return try body(ScoreMatrix(base: base, rows: rows, classes: classes, type: Scores.Element.scoreType))
    }
    if let result = try scores.withContiguousStorageIfAvailable(view) { return result }
    return try Array(scores).withUnsafeBufferPointer(view)
  }
}
