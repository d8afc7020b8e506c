extension StateFile {
  /// The fingerprint of one input file: enough to tell, cheaply, that two
  /// shards read the same file.
  ///
  /// It holds the file's name (without directories, since shards may mount the
  /// data at different places), its size, its `.npy` dtype and shape, and a
  /// hash of its first and last 64 KiB. It reads those 128 KiB, not the file:
  /// two different dumps of the same shape are told apart by their headers
  /// and samples, not proved identical.
  public struct Input: Sendable, Equatable {
    /// The file name, without its directory.
    public var name: String
    /// The size in bytes.
    public var size: Int
    /// The label format (`dense`, `text`, `csr`), or `npy` for predictions and weights.
    public var format: String
    /// The `.npy` dtype (`<f4`), if the file is a `.npy`.
    public var dtype: String?
    /// The `.npy` shape, if the file is a `.npy`.
    public var shape: [Int]?
    /// FNV-1a (64-bit, hex) of the first and the last 64 KiB.
    public var sample: String

    /// Creates a fingerprint from its parts.
    public init(name: String, size: Int, format: String, dtype: String?, shape: [Int]?, sample: String) {
      self.name = name
      self.size = size
      self.format = format
      self.dtype = dtype
      self.shape = shape
      self.sample = sample
    }

    /// The fingerprint of a mapped file, with the dtype and shape of the
    /// array it is, if it is one.
    ///
    /// - Parameters:
    ///   - file: The mapped file (hashed: its first and last 64 KiB).
    ///   - format: What the fingerprint records as the format (`npy` for
    ///     predictions and weights, the label format for labels).
    ///   - array: The array read from it, if it is one: its dtype and shape
    ///     are recorded (nil for text and CSR labels: no dtype, no shape).
    /// - Complexity: O(1): it hashes at most 128 KiB.
    package init(file: MappedFile, format: String, array: StoredArray?) {
      let bytes = file.bytes
      let window = 64 << 10
      var hash = FNV1a()
      hash.add(UnsafeRawBufferPointer(rebasing: bytes.prefix(window)))
      // The tail window starts where the head ends when the file is small, so no byte counts twice.
      hash.add(UnsafeRawBufferPointer(rebasing: bytes.suffix(max(0, min(window, bytes.count - window)))))
      self.init(
        name: file.path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? file.path,
        size: file.size, format: format, dtype: array?.type.rawValue, shape: array?.shape,
        sample: hash.hex)
    }

    /// The fingerprint of an array input (predictions, weights): its format
    /// is the array's file format (`npy`).
    package init(array: StoredArray) {
      self.init(file: array.file, format: array.origin.format.rawValue, array: array)
    }

    /// How `other` differs from this fingerprint, or nil if it does not.
    func difference(from other: Input) -> String? {
      if name != other.name { return "name \(other.name) vs \(name)" }
      if size != other.size { return "size \(other.size) vs \(size) bytes" }
      if format != other.format { return "format \(other.format) vs \(format)" }
      if dtype != other.dtype { return "dtype \(other.dtype ?? "none") vs \(dtype ?? "none")" }
      if shape != other.shape {
        return "shape \(other.shape.map { "\($0)" } ?? "none") vs \(shape.map { "\($0)" } ?? "none")"
      }
      if sample != other.sample { return "contents differ (sampled hash \(other.sample) vs \(sample))" }
      return nil
    }
  }

  /// The fingerprints of an evaluation's files.
  public struct Inputs: Sendable, Equatable {
    /// The predictions `.npy`.
    public var predictions: Input
    /// The labels file.
    public var labels: Input
    /// The weights `.npy`, if any.
    public var weights: Input?
    /// How ranked-id predictions were read (the pad, the duplicate rule, the
    /// classes); nil for scores, and in states written before it was recorded.
    public var rankedIDs: RankedIDReading?
    /// The exclusions file (`--exclude`), if any: states of other exclusions
    /// rank other candidates, so they do not add up to one evaluation.
    public var exclude: Input?

    /// Creates the fingerprints from their parts.
    public init(predictions: Input, labels: Input, weights: Input?, rankedIDs: RankedIDReading? = nil,
                exclude: Input? = nil) {
      self.predictions = predictions
      self.labels = labels
      self.weights = weights
      self.rankedIDs = rankedIDs
      self.exclude = exclude
    }

    /// The fingerprints of opened inputs.
    ///
    /// The recorded formats are the ones states have always carried (`npy`
    /// for an array read from a `.npy`; the label format for labels), so
    /// states written before the input table existed still merge.
    ///
    /// - Throws: ``FileError`` if the labels file cannot be mapped again
    ///   (only for a format that parsed it and let go of the mapping).
    public init(of inputs: EvaluationInputs) throws {
      let labels = inputs.labelSource
      let labelsFile = try labels.files.first(where: { $0.path == labels.path }) ?? MappedFile(path: labels.path)
      var predictions = Input(array: inputs.predictions.array)
      // An .ivecs file is an int32 [N, K + 1] array (a count before each
      // row): its predictions are the [N, K] ids, the shape a state checks.
      if inputs.predictions.array.origin.format == .ivecs { predictions.shape = inputs.rowShape + [inputs.classes] }
      let exclude = try inputs.exclusionSource.map { source in
        Input(file: try source.files.first(where: { $0.path == source.path }) ?? MappedFile(path: source.path),
              format: source.format.rawValue, array: source.array)
      }
      self.init(
        predictions: predictions,
        labels: Input(file: labelsFile, format: labels.format.rawValue, array: labels.array),
        weights: inputs.weightsArray.map { Input(array: $0) }, rankedIDs: inputs.rankedIDReading,
        exclude: exclude)
    }

    /// How ranked ids read as `b` differ from ranked ids read as `a`, or nil.
    ///
    /// Each setting changes the per-row values, so states read otherwise do
    /// not add up to one evaluation. A state without the record (written
    /// before it existed) agrees with the default reading only: that is the
    /// one it can have used unless told otherwise, and two such states still merge.
    static func difference(_ a: RankedIDReading?, _ b: RankedIDReading?) -> String? {
      if a == b { return nil }
      let (x, y) = (a ?? RankedIDReading(), b ?? RankedIDReading())
      if x.pad != y.pad { return "pad id \(y.pad) vs \(x.pad)" }
      if x.duplicates != y.duplicates { return "duplicate-id policy \(y.duplicates.rawValue) vs \(x.duplicates.rawValue)" }
      if x.classes != y.classes {
        return "classes \(y.classes.map(String.init) ?? "none") vs \(x.classes.map(String.init) ?? "none")"
      }
      return nil
    }

    /// How `other` differs, as "labels: size 10 vs 12 bytes", or nil if it does not.
    func difference(from other: Inputs) -> String? {
      if let d = predictions.difference(from: other.predictions) { return "predictions: \(d)" }
      if let d = labels.difference(from: other.labels) { return "labels: \(d)" }
      if let d = Self.difference(rankedIDs, other.rankedIDs) { return "ranked ids: \(d)" }
      switch (exclude, other.exclude) {
      case (nil, nil): break
      case (nil, .some): return "exclusions: given vs none"
      case (.some, nil): return "exclusions: none vs given"
      case (.some(let a), .some(let b)): if let d = a.difference(from: b) { return "exclusions: \(d)" }
      }
      switch (weights, other.weights) {
      case (nil, nil): return nil
      case (nil, .some): return "weights: given vs none"
      case (.some, nil): return "weights: none vs given"
      case (.some(let a), .some(let b)): return a.difference(from: b).map { "weights: \($0)" }
      }
    }
  }
}
