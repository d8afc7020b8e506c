extension StateFile {
  /// How ranked ids were read, as a state file records it under
  /// `inputs.ranked_ids`: `{"pad": -1, "duplicate_ids": "error", "classes": null}`.
  /// Absent for scores and in states written before it was recorded.
  struct RankedIDsDocument: Codable {
    var pad: Int64
    var duplicate_ids: String
    var classes: Int?

    init(_ reading: RankedIDReading) {
      pad = reading.pad
      duplicate_ids = reading.duplicates.rawValue
      classes = reading.classes
    }

    /// The reading it records.
    /// - Throws: ``InvalidState`` for an unknown duplicate rule or classes below 1.
    func reading() throws -> RankedIDReading {
      guard let duplicates = DuplicateIDPolicy(rawValue: duplicate_ids) else {
        throw InvalidState(description: "inputs.ranked_ids.duplicate_ids '\(duplicate_ids)' is not one of "
                           + DuplicateIDPolicy.allCases.map(\.rawValue).joined(separator: ", "))
      }
      if let classes, classes < 1 { throw InvalidState(description: "inputs.ranked_ids.classes \(classes) is below 1") }
      return RankedIDReading(pad: pad, duplicates: duplicates, classes: classes)
    }
  }
}
