#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The JSON form of a ``StateFile`` and its strict reading.
///
/// Layout (version 2; keys sorted, so the same state gives the same bytes):
///
/// ```json
/// {"classes": 50,
///  "counts": {"empty_rows": 0, "nan_scores": 0, "rows": 333},
///  "empty_rows_policy": "nan", "format": "mapk-state",
///  "inputs": {"labels": {...}, "predictions": {"dtype": "<f4", "format": "npy",
///             "name": "p.npy", "sample": "9f...", "shape": [1000, 50], "size": 200128}},
///  "ks": [1, 10], "metrics": ["map"], "nan_policy": "error",
///  "rows": {"lower": 0, "total": 1000, "upper": 333},
///  "run": {"seconds": 0.01, "threads": 2}, "shard": {"count": 3, "index": 0},
///  "sums": [{"ks": [1, 10], "metric": "map",
///            "totals": [{"exact": "0x1f...", "nan": 0, "negative_infinity": 0, "positive_infinity": 0}, ...]}],
///  "version": 2, "weight_sum": {"exact": "0x...", ...}}
/// ```
///
/// The configuration (`ks`, `metrics`, `empty_rows_policy`, `nan_policy`) is
/// written and read by ``MAPConfiguration``'s own `Codable`, which validates
/// it, so a field added to the configuration travels without this file
/// listing it. `sums` holds, for every metric in `metrics` order, its name,
/// the ks its totals are for (the configuration's) and one `Σ w · value` per
/// k (``MAPState/totals``); `weight_sum` is AP@k's denominator. Every other
/// metric has its own `denominators`, one per k beside its `totals`
/// (``MAPState/denominators``: `Σ w` over the rows it counts, or a pooled
/// metric's `Σ w · denominator`); a state of AP@k alone has none, so its
/// bytes are as before other metrics existed.
///
/// Version 1, written before metrics existed, has no `metrics` and no `sums`
/// but `"totals": [...]`, one per k, of AP@k; it still loads, as AP, and
/// merges with version-2 states of the same configuration.
///
/// `exact` is ``ExactSum/hexadecimal``: the sums are stored exactly, never as
/// rounded decimals, so `decode(encode(s)) == s`.
extension StateFile {
  /// The JSON bytes of this state, in the layout of ``version``
  /// (pretty-printed, keys sorted, newline-terminated).
  ///
  /// - Complexity: O(metrics · ks · limbs).
  public func encoded() -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Every field is an integer, a string or a finite double: encoding cannot fail.
    let data = try! encoder.encode(Encoded(document: Document(self), configuration: state.configuration))
    // Input names are file names: a byte that is not UTF-8 is written as `\u00XX` (read back as that byte).
    return PathBytes.escapingRawBytes(inJSON: Array(data)) + [0x0A]
  }

  /// Reads a state from its JSON bytes, checking every field.
  ///
  /// - Parameters:
  ///   - bytes: The file's contents.
  ///   - path: The file's name, for errors.
  /// - Throws: ``FileError`` naming `path` and the problem: not JSON, not a
  ///   mapk state, another version, a missing or mistyped key, a malformed
  ///   exact sum, or fields that contradict each other.
  public init(decoding bytes: some Collection<UInt8>, path: String) throws(FileError) {
    func fail(_ problem: String) -> FileError { FileError(path: path, problem: problem) }
    guard !bytes.isEmpty else { throw fail("empty file, not a mapk state") }
    // Refuse a data file (a .npy passed by mistake) before copying it whole.
    guard bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{") else {
      throw fail("not a mapk state (not a JSON object)")
    }
    let json: JSONDocument
    do { json = try JSONDocument(parsing: bytes, limits: .stateFile, rawByteEscapes: true) } catch {
      switch error.kind {
      case .malformed: throw fail("not a mapk state: not valid JSON (\(error))")
      case .limit: throw fail("not a mapk state: \(error), past the limit for a state file")
      }
    }
    let header: Header
    do { header = try JSONTreeDecoder.decode(Header.self, from: json) } catch {
      throw fail("not a mapk state: \(Self.describe(error))")
    }
    guard header.format == Self.formatName else {
      throw fail("not a mapk state (no \"format\": \"\(Self.formatName)\")")
    }
    guard let version = header.version, Self.readableVersions.contains(version) else {
      let found = header.version.map { "version \($0)" } ?? "no version"
      throw fail("unsupported state \(found) (this mapk reads versions \(Self.readableVersions.lowerBound) "
                 + "to \(Self.readableVersions.upperBound))")
    }
    if let problem = Self.declaredSizeProblem(json) { throw fail("bad state: \(problem)") }
    let configuration: MAPConfiguration
    let document: Document
    do {
      // The configuration's keys are the document's own (one flat object),
      // read by the configuration's validating decoder.
      configuration = try JSONTreeDecoder.decode(MAPConfiguration.self, from: json)
      document = try JSONTreeDecoder.decode(Document.self, from: json)
    } catch {
      throw fail("bad state: \(Self.describe(error))")
    }
    do { self = try document.stateFile(configuration: configuration, version: version) } catch {
      throw fail("bad state: \(error)")
    }
  }

  /// Reads the state file at `path`.
  ///
  /// - Throws: ``FileError`` if it cannot be read or is not a valid state.
  public init(contentsOf path: String) throws {
    let file = try MappedFile(path: path)
    // `bytes` points into the mapping, which the file unmaps when released:
    // keep it alive until the decoding is done (its last use is otherwise
    // the `bytes` read, and the optimizer may release it right after).
    defer { withExtendedLifetime(file) {} }
    try self.init(decoding: file.bytes, path: path)
  }

  /// Writes the state to `path` atomically (through an `AtomicOutputFile`): a reader
  /// (a merge started early, a job killed mid-write) sees the old file or the
  /// whole new one, never half of it.
  ///
  /// - Parameters:
  ///   - path: The state file.
  ///   - inputs: Files `path` must not be (a state named like an input is refused).
  /// - Throws: ``FileError`` naming the file that could not be written.
  public func write(to path: String, protecting inputs: [String] = []) throws {
    let file = try AtomicOutputFile(path: path, protecting: inputs)
    try file.write(encoded())
    try file.commit()
  }

  /// One line describing a decoding error: where in the JSON and what.
  static func describe(_ error: any Error) -> String {
    func at(_ path: [any CodingKey]) -> String {
      guard !path.isEmpty else { return "the top level" }
      var text = ""
      for key in path {
        if let i = key.intValue { text += "[\(i)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
      }
      return "'\(text)'"
    }
    guard let error = error as? DecodingError else { return "\(error)".split(separator: "\n").first.map(String.init) ?? "" }
    switch error {
    case .keyNotFound(let key, let context): return "missing key \(at(context.codingPath + [key]))"
    case .valueNotFound(_, let context): return "\(at(context.codingPath)) is null"
    case .typeMismatch(let type, let context): return "\(at(context.codingPath)) is not of type \(type)"
    case .dataCorrupted(let context):
      // A value a validating decoder refused (MAPConfiguration's): its one-line reason.
      if !context.debugDescription.isEmpty, !context.debugDescription.contains("\n") {
        return context.debugDescription
      }
      return "bad value at \(at(context.codingPath))"
    @unknown default: return "cannot decode"
    }
  }
}

// MARK: - The JSON document

extension StateFile {
  /// The first keys, read before the rest so a wrong version gets its own message.
  struct Header: Decodable {
    var format: String?
    var version: Int?
  }

  /// An ``ExactSum`` on disk.
  struct SumDocument: Codable {
    var exact: String
    var nan: Int
    var positive_infinity: Int
    var negative_infinity: Int

    init(_ s: ExactSum) {
      exact = s.hexadecimal
      nan = s.nanCount
      positive_infinity = s.positiveInfinityCount
      negative_infinity = s.negativeInfinityCount
    }

    func sum(_ field: String) throws -> ExactSum {
      do {
        return try ExactSum(hexadecimal: exact, nanCount: nan, positiveInfinityCount: positive_infinity,
                            negativeInfinityCount: negative_infinity)
      } catch { throw InvalidState(description: "\(field): \(error)") }
    }
  }

  struct RowsDocument: Codable { var lower: Int, upper: Int, total: Int }
  struct ShardDocument: Codable { var index: Int, count: Int }
  struct CountsDocument: Codable {
    var rows: Int, empty_rows: Int, nan_scores: Int
    /// A state file's ``StateFile/labelsAtOrAboveClasses``, written when not 0 (so a
    /// state without such labels has the bytes it had before the count existed).
    var labels_at_or_above_classes: Int? = nil
  }
  struct RunDocument: Codable { var threads: Int, seconds: Double }
  struct InputDocument: Codable {
    var name: String, size: Int, format: String, dtype: String?, shape: [Int]?, sample: String
  }
  struct InputsDocument: Codable { var predictions: InputDocument, labels: InputDocument, weights: InputDocument?
    var ranked_ids: RankedIDsDocument? = nil
    /// The `--exclude` file's fingerprint; absent without exclusions (older states have the bytes they had).
    var exclude: InputDocument? = nil }

  /// The sums of one metric, per k.
  struct MetricSumsDocument: Codable {
    var metric: String
    var ks: [Int]
    var totals: [SumDocument]
    /// Absent for AP@k (it divides by `weight_sum`), one per k for every other metric.
    var denominators: [SumDocument]?
  }

  /// What is written: the document and, in the same JSON object, the
  /// configuration's fields as ``MAPConfiguration`` encodes them.
  struct Encoded: Encodable {
    var document: Document
    var configuration: MAPConfiguration

    func encode(to encoder: any Encoder) throws {
      // Both write keyed containers of the one top-level object.
      try document.encode(to: encoder)
      try configuration.encode(to: encoder)
    }
  }

  /// The whole file but the configuration (``MAPConfiguration`` reads and
  /// writes its own keys), field for field. `totals` is version 1's, `sums`
  /// version 2's; the version says which one must be there.
  struct Document: Codable {
    var format: String
    var version: Int
    var classes: Int
    var rows: RowsDocument
    var shard: ShardDocument?
    var counts: CountsDocument
    var totals: [SumDocument]?
    var sums: [MetricSumsDocument]?
    var weight_sum: SumDocument
    var inputs: InputsDocument
    var run: RunDocument
    var bootstrap: BootstrapDocument?  // optional (StateFile+Bootstrap.swift)

    init(_ s: StateFile) {
      let c = s.state.configuration
      format = StateFile.formatName
      version = StateFile.version
      classes = s.classes
      rows = RowsDocument(lower: s.rows.lowerBound, upper: s.rows.upperBound, total: s.totalRows)
      shard = s.shard.map { ShardDocument(index: $0.index, count: $0.count) }
      counts = CountsDocument(rows: s.state.rows, empty_rows: s.state.emptyRows, nan_scores: s.state.nanScores,
                              labels_at_or_above_classes: s.labelsAtOrAboveClasses == 0 ? nil : s.labelsAtOrAboveClasses)
      totals = nil
      sums = c.metrics.enumerated().map { i, metric in
        let first = i * c.ks.count
        let slots = first..<(first + c.ks.count)
        return MetricSumsDocument(metric: metric.name, ks: c.ks, totals: s.state.totals[slots].map(SumDocument.init),
                                  denominators: metric.sharesWeightSum
                                    ? nil : s.state.denominators[slots].map(SumDocument.init))
      }
      weight_sum = SumDocument(s.state.weightSum)
      func input(_ i: Input) -> InputDocument {
        InputDocument(name: i.name, size: i.size, format: i.format, dtype: i.dtype, shape: i.shape, sample: i.sample)
      }
      inputs = InputsDocument(predictions: input(s.inputs.predictions), labels: input(s.inputs.labels),
                              weights: s.inputs.weights.map(input), ranked_ids: s.inputs.rankedIDs.map(RankedIDsDocument.init),
                              exclude: s.inputs.exclude.map(input))
      run = RunDocument(threads: s.threads, seconds: s.seconds)
      bootstrap = s.bootstrap.map(BootstrapDocument.init)
    }

    /// The state this document describes, with `configuration` (read from
    /// the same object), every field checked.
    func stateFile(configuration: MAPConfiguration, version: Int) throws -> StateFile {
      func invalid(_ s: String) -> InvalidState { InvalidState(description: s) }
      let ks = configuration.ks
      guard rows.lower >= 0, rows.lower <= rows.upper, rows.upper <= rows.total else {
        throw invalid("rows \(rows.lower)..<\(rows.upper) are not within 0..<\(rows.total)")
      }
      var shard: Shard? = nil
      if let s = self.shard {
        guard let valid = Shard(index: s.index, count: s.count) else {
          throw invalid("shard \(s.index)/\(s.count) is not a valid I/N")
        }
        shard = valid
      }
      var sums: [ExactSum] = []
      var denominators: [ExactSum] = []
      if version == 1 {
        // Version 1: AP@k alone (the configuration read no `metrics`), one total per k.
        guard let totals else { throw invalid("missing key 'totals'") }
        guard self.sums == nil, configuration.metrics == [.averagePrecision] else {
          throw invalid("a version-1 state holds AP@k alone, in 'totals' (no 'sums', no other metrics)")
        }
        guard totals.count == ks.count else { throw invalid("\(totals.count) totals for \(ks.count) ks") }
        for (i, t) in totals.enumerated() { sums.append(try t.sum("totals[\(i)]")) }
      } else {
        guard let metricSums = self.sums else { throw invalid("missing key 'sums'") }
        guard totals == nil else { throw invalid("a version-\(version) state has 'sums' per metric, no 'totals'") }
        let names = configuration.metrics.map(\.name)
        guard metricSums.map(\.metric) == names else {
          throw invalid("sums are for metrics \(metricSums.map(\.metric)), not \(names)")
        }
        for (m, entry) in metricSums.enumerated() {
          guard entry.ks == ks else { throw invalid("sums[\(m)] (\(entry.metric)) are for ks \(entry.ks), not \(ks)") }
          guard entry.totals.count == ks.count else {
            throw invalid("sums[\(m)] (\(entry.metric)) has \(entry.totals.count) totals for \(ks.count) ks")
          }
          for (i, t) in entry.totals.enumerated() { sums.append(try t.sum("sums[\(m)].totals[\(i)]")) }
          let metric = configuration.metrics[m]
          if metric.sharesWeightSum {
            guard entry.denominators == nil else {
              throw invalid("sums[\(m)] (\(entry.metric)) has denominators: it divides by 'weight_sum'")
            }
            denominators += Array(repeating: ExactSum(), count: ks.count)
          } else {
            guard let d = entry.denominators else { throw invalid("missing key 'sums[\(m)].denominators'") }
            guard d.count == ks.count else {
              throw invalid("sums[\(m)] (\(entry.metric)) has \(d.count) denominators for \(ks.count) ks")
            }
            for (i, t) in d.enumerated() { denominators.append(try t.sum("sums[\(m)].denominators[\(i)]")) }
          }
        }
      }
      let state = try MAPState(
        configuration: configuration, totals: sums, denominators: version == 1 ? nil : denominators,
        weightSum: try weight_sum.sum("weight_sum"),
        rows: counts.rows, emptyRows: counts.empty_rows, nanScores: counts.nan_scores)
      for i in [inputs.predictions, inputs.labels] + (inputs.weights.map { [$0] } ?? []) {
        guard i.size >= 0, i.shape?.allSatisfy({ $0 >= 0 }) ?? true else {
          throw invalid("inputs \(i.name): negative size or dim")
        }
      }
      func input(_ i: InputDocument) -> Input {
        Input(name: i.name, size: i.size, format: i.format, dtype: i.dtype, shape: i.shape, sample: i.sample)
      }
      var file = try StateFile(
        state: state, rows: rows.lower..<rows.upper, totalRows: rows.total, shard: shard, classes: classes,
        inputs: Inputs(predictions: input(inputs.predictions), labels: input(inputs.labels),
                       weights: inputs.weights.map(input), rankedIDs: try inputs.ranked_ids?.reading(),
                       exclude: inputs.exclude.map(input)),
        threads: run.threads, seconds: run.seconds).attaching(bootstrap)
      if let n = counts.labels_at_or_above_classes {
        guard n >= 0, n <= StateFile.maximumInputSize else {
          throw invalid("counts.labels_at_or_above_classes \(n) is not within 0...\(StateFile.maximumInputSize)")
        }
        file.labelsAtOrAboveClasses = n
      }
      return file
    }
  }
}
