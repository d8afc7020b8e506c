#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The bytes of a ``MAPState`` alone, in memory: what a streaming metric
/// sends to another process (a data-loader worker, a rank of a job) to be
/// merged there.
///
/// The encoding is the state file's (``StateFile``, `StateFile+Coding.swift`)
/// without what only a file run has (rows range, shard, inputs, run): one
/// JSON object, keys sorted, the configuration's fields written by
/// ``MAPConfiguration``'s own `Codable`, and every sum exact
/// (``ExactSum/hexadecimal``), so `MAPState(encodedState: s.encodedState()) == s`
/// and the same state always gives the same bytes:
///
/// ```json
/// {"counts": {"empty_rows": 0, "nan_scores": 0, "rows": 333},
///  "empty_rows_policy": "nan", "format": "mapk-metric-state", "ks": [1, 10],
///  "metrics": ["map"], "nan_policy": "error",
///  "sums": [{"ks": [1, 10], "metric": "map", "totals": [{"exact": "0x1f...", ...}, ...]}],
///  "version": 1, "weight_sum": {"exact": "0x...", ...}}
/// ```
extension MAPState {
  /// The value of the `format` key.
  public static let encodingFormatName = "mapk-metric-state"
  /// The version of the layout this build writes and reads.
  public static let encodingVersion = 1

  /// The state's JSON bytes (keys sorted, no whitespace).
  ///
  /// - Complexity: O(metrics · ks · limbs).
  public func encodedState() -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let c = configuration
    let document = EncodedState.Document(
      format: Self.encodingFormatName, version: Self.encodingVersion,
      counts: StateFile.CountsDocument(rows: rows, empty_rows: emptyRows, nan_scores: nanScores),
      sums: c.metrics.enumerated().map { i, metric in
        let first = i * c.ks.count
        return StateFile.MetricSumsDocument(
          metric: metric.name, ks: c.ks, totals: totals[first..<(first + c.ks.count)].map(StateFile.SumDocument.init))
      },
      weight_sum: StateFile.SumDocument(weightSum))
    // Integers, strings and canonical hexadecimal text only: encoding cannot fail.
    return Array(try! encoder.encode(EncodedState(document: document, configuration: c)))
  }

  /// Reads a state from ``encodedState()``'s bytes, checking every field.
  ///
  /// - Throws: ``StateFile/InvalidState`` saying what is wrong: not JSON, not
  ///   a mapk metric state, another version, a missing or mistyped key, a bad
  ///   configuration, sums that do not match it, a malformed exact sum, or
  ///   counts out of range.
  public init(encodedState bytes: some Collection<UInt8>) throws(StateFile.InvalidState) {
    func fail(_ problem: String) -> StateFile.InvalidState { StateFile.InvalidState(description: problem) }
    guard bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{") else {
      throw fail("not a mapk metric state (not a JSON object)")
    }
    let json: JSONDocument
    do { json = try JSONDocument(parsing: bytes, limits: .stateFile) } catch {
      switch error.kind {
      case .malformed: throw fail("not a mapk metric state: not valid JSON (\(error))")
      case .limit: throw fail("not a mapk metric state: \(error), past the limit for a state")
      }
    }
    let header: StateFile.Header
    do { header = try JSONTreeDecoder.decode(StateFile.Header.self, from: json) } catch {
      throw fail("not a mapk metric state: \(StateFile.describe(error))")
    }
    guard header.format == Self.encodingFormatName else {
      throw fail("not a mapk metric state (no \"format\": \"\(Self.encodingFormatName)\")")
    }
    guard header.version == Self.encodingVersion else {
      throw fail("unsupported metric state \(header.version.map { "version \($0)" } ?? "without a version") "
                 + "(this mapk reads version \(Self.encodingVersion))")
    }
    if let problem = StateFile.declaredSizeProblem(json) { throw fail("bad metric state: \(problem)") }
    let configuration: MAPConfiguration
    let document: EncodedState.Document
    do {
      configuration = try JSONTreeDecoder.decode(MAPConfiguration.self, from: json)
      document = try JSONTreeDecoder.decode(EncodedState.Document.self, from: json)
    } catch {
      throw fail("bad metric state: \(StateFile.describe(error))")
    }
    let names = configuration.metrics.map(\.name)
    guard document.sums.map(\.metric) == names else {
      throw fail("bad metric state: sums are for metrics \(document.sums.map(\.metric)), not \(names)")
    }
    var sums: [ExactSum] = []
    do {
      for (m, entry) in document.sums.enumerated() {
        guard entry.ks == configuration.ks, entry.totals.count == configuration.ks.count else {
          throw fail("sums[\(m)] (\(entry.metric)) are not one per k of \(configuration.ks)")
        }
        for (i, t) in entry.totals.enumerated() { sums.append(try t.sum("sums[\(m)].totals[\(i)]")) }
      }
      let counts = document.counts
      guard counts.rows >= 0, (0...counts.rows).contains(counts.empty_rows), counts.nan_scores >= 0 else {
        throw fail("counts out of range (rows \(counts.rows), empty_rows \(counts.empty_rows), "
                   + "nan_scores \(counts.nan_scores))")
      }
      self = try MAPState(configuration: configuration, totals: sums, weightSum: try document.weight_sum.sum("weight_sum"),
                          rows: counts.rows, emptyRows: counts.empty_rows, nanScores: counts.nan_scores)
    } catch {
      // Every problem past the configuration is about the state's own fields.
      throw fail("bad metric state: \(error)")
    }
  }
}

/// The encoded state: the document and, in the same JSON object, the
/// configuration's fields as ``MAPConfiguration`` encodes them.
struct EncodedState: Encodable {
  /// Every field but the configuration's.
  struct Document: Codable {
    var format: String
    var version: Int
    var counts: StateFile.CountsDocument
    var sums: [StateFile.MetricSumsDocument]
    var weight_sum: StateFile.SumDocument
  }

  var document: Document
  var configuration: MAPConfiguration

  func encode(to encoder: any Encoder) throws {
    // Both write keyed containers of the one top-level object.
    try document.encode(to: encoder)
    try configuration.encode(to: encoder)
  }
}
