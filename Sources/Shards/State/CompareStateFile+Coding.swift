#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The JSON form of a ``CompareStateFile`` and its strict reading.
///
/// Layout (version 1; keys sorted, so the same state gives the same bytes):
///
/// ```json
/// {"alpha": 0.05, "evaluation_seconds": 0.2, "format": "mapk-compare-state",
///  "names": ["a.npy", "b.npy"], "version": 1,
///  "systems": [{...a mapk-state object (version 2) per system...}, ...],
///  "comparison": {"bootstrap": {...as an eval state's, one statistic per (system, metric, k)...},
///                 "bootstrap_replicates": 1000, "level": 0.95, "pairs": [[0, 1]], "permutations": 10000,
///                 "rows_in_pooled_tests": 0, "rows_in_tests": 333, "seed": "0",
///                 "test_weight": "0x3ff0000000000000",
///                 "tests": [{"permutation_sums": ["0x...", ...], "rows": [...]?,
///                            "t": {"count": 333, "sum": {...}, "sum_of_squares": {...}}},
///                           {"swaps": {"counts": [...], "hits": [...], ...}, "rows": [...]?}]}}
/// ```
///
/// Doubles that must come back bit for bit (a row's d, a weight, the pooled
/// swap sums) are written as their IEEE-754 bit pattern in hexadecimal
/// (`0x3ff0000000000000` is 1); exact sums as `ExactSum/hexadecimal`.
extension CompareStateFile {
  /// The JSON bytes of this state (pretty-printed, keys sorted, newline-terminated).
  ///
  /// - Complexity: O(tests · B · limbs).
  public func encoded() -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Every field is an integer, a string or a finite double: encoding cannot fail.
    let data = try! encoder.encode(Document(self))
    return PathBytes.escapingRawBytes(inJSON: Array(data)) + [0x0A]
  }

  /// Reads a compare state from its JSON bytes, checking every field.
  ///
  /// - Throws: ``FileError`` naming `path` and the problem.
  public init(decoding bytes: some Collection<UInt8>, path: String) throws(FileError) {
    func fail(_ problem: String) -> FileError { FileError(path: path, problem: problem) }
    guard !bytes.isEmpty else { throw fail("empty file, not a mapk compare state") }
    guard bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{") else {
      throw fail("not a mapk compare state (not a JSON object)")
    }
    let json: JSONDocument
    do { json = try JSONDocument(parsing: bytes, limits: .stateFile, rawByteEscapes: true) } catch {
      switch error.kind {
      case .malformed: throw fail("not a mapk compare state: not valid JSON (\(error))")
      case .limit: throw fail("not a mapk compare state: \(error), past the limit for a state file")
      }
    }
    try self.init(json: json, path: path)
  }

  /// Reads a compare state from a parsed JSON document.
  init(json: JSONDocument, path: String) throws(FileError) {
    func fail(_ problem: String) -> FileError { FileError(path: path, problem: problem) }
    let header: StateFile.Header
    do { header = try JSONTreeDecoder.decode(StateFile.Header.self, from: json) } catch {
      throw fail("not a mapk compare state: \(StateFile.describe(error))")
    }
    guard header.format == Self.formatName else {
      throw fail("not a mapk compare state (no \"format\": \"\(Self.formatName)\")")
    }
    guard header.version == Self.version else {
      throw fail("unsupported compare state \(header.version.map { "version \($0)" } ?? "without a version") "
                 + "(this mapk reads version \(Self.version))")
    }
    let document: Document
    do { document = try JSONTreeDecoder.decode(Document.self, from: json) } catch {
      throw fail("bad compare state: \(StateFile.describe(error))")
    }
    do { self = try document.state() } catch { throw fail("bad compare state: \(error)") }
  }

  /// Reads the compare state file at `path`.
  ///
  /// - Throws: ``FileError`` if it cannot be read or is not a valid compare state.
  public init(contentsOf path: String) throws {
    let file = try MappedFile(path: path)
    // The mapping must outlive the read of its bytes (a raw buffer keeps nothing alive).
    self = try withExtendedLifetime(file) { try CompareStateFile(decoding: file.bytes, path: path) }
  }

  /// Writes the state to `path` atomically (never over one of `inputs`).
  ///
  /// - Throws: ``FileError`` naming the file that could not be written.
  public func write(to path: String, protecting inputs: [String] = []) throws {
    let file = try AtomicOutputFile(path: path, protecting: inputs)
    try file.write(encoded())
    try file.commit()
  }

  /// The `format` key of the JSON object in `bytes`, or nil if it is not a
  /// JSON object with a string `format` (what `mapk merge` reads first, to
  /// tell a compare state from an eval state).
  package static func format(of bytes: some Collection<UInt8>) -> String? {
    guard bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{"),
          let json = try? JSONDocument(parsing: bytes, limits: .stateFile, rawByteEscapes: true),
          let header = try? JSONTreeDecoder.decode(StateFile.Header.self, from: json)
    else { return nil }
    return header.format
  }
}

// MARK: - The JSON document

extension CompareStateFile {
  /// A double's IEEE-754 bit pattern in hexadecimal: it reads back to the same bits.
  static func bits(_ x: Double) -> String { "0x" + String(x.bitPattern, radix: 16) }

  /// The double whose bit pattern `text` is (see `bits(_:)`).
  static func double(_ text: String, _ field: String) throws(InvalidState) -> Double {
    guard text.hasPrefix("0x"), text.count <= 18, let b = UInt64(text.dropFirst(2), radix: 16) else {
      throw InvalidState(description: "\(field): '\(text.prefix(40))' is not a double's bit pattern (0x + hex digits)")
    }
    return Double(bitPattern: b)
  }

  /// One system: a whole `mapk-state` object (its document and, in the same
  /// object, its configuration's keys).
  struct SystemDocument: Codable {
    var document: StateFile.Document
    var configuration: MAPConfiguration

    init(_ s: StateFile) {
      document = StateFile.Document(s)
      configuration = s.state.configuration
    }

    init(from decoder: any Decoder) throws {
      document = try StateFile.Document(from: decoder)
      configuration = try MAPConfiguration(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
      try document.encode(to: encoder)
      try configuration.encode(to: encoder)
    }

    func stateFile(_ i: Int) throws -> StateFile {
      guard document.format == StateFile.formatName, document.version == StateFile.version else {
        throw InvalidState(description: "systems[\(i)] is not a version-\(StateFile.version) mapk state")
      }
      do { return try document.stateFile(configuration: configuration, version: document.version) } catch {
        throw InvalidState(description: "systems[\(i)]: \(error)")
      }
    }
  }

  struct TTestDocument: Codable {
    var count: Int
    var sum: StateFile.SumDocument
    var sum_of_squares: StateFile.SumDocument
  }

  struct SwapsDocument: Codable {
    var rows: Int
    var hits: [String], counts: [String]
    var hits_absolute: String, counts_absolute: String
    var total_hits: String, total_counts: String
    var observed_hits: String, observed_counts: String
    var invalid: Int
  }

  struct RowDocument: Codable {
    var row: Int
    var values: [String]
  }

  struct TestDocument: Codable {
    var t: TTestDocument?
    var permutation_sums: [String]?
    var swaps: SwapsDocument?
    var rows: [RowDocument]?
  }

  struct ComparisonDocument: Codable {
    var pairs: [[Int]]
    var permutations: Int
    var bootstrap_replicates: Int
    var level: Double
    var seed: String
    var test_weight: String?
    var pooled_test_weight: String?
    var rows_in_tests: Int
    var rows_in_pooled_tests: Int
    var bootstrap: StateFile.BootstrapDocument
    var tests: [TestDocument]
  }

  struct Document: Codable {
    var format: String
    var version: Int
    var names: [String]
    var alpha: Double
    var evaluation_seconds: Double
    var systems: [SystemDocument]
    var comparison: ComparisonDocument

    init(_ s: CompareStateFile) {
      format = CompareStateFile.formatName
      version = CompareStateFile.version
      names = s.names
      alpha = s.alpha
      evaluation_seconds = s.evaluationSeconds
      systems = s.systems.map(SystemDocument.init)
      let c = s.comparison
      comparison = ComparisonDocument(
        pairs: c.pairs.map { [$0.baseline, $0.system] }, permutations: c.design.permutations,
        bootstrap_replicates: c.design.bootstrapReplicates, level: c.design.level, seed: String(c.design.seed),
        test_weight: c.testWeight.map(bits), pooled_test_weight: c.pooledTestWeight.map(bits),
        rows_in_tests: c.meanTestRows, rows_in_pooled_tests: c.pooledTestRows,
        bootstrap: StateFile.BootstrapDocument(StateFile.Bootstrap(level: c.design.level, replicates: c.bootstrap)),
        tests: c.tests.map { test in
          func rows(_ r: [ComparisonShard.TestedRow]?) -> [RowDocument]? {
            r.map { $0.map { RowDocument(row: $0.row, values: $0.values.map(bits)) } }
          }
          switch test {
          case .mean(let t, let sums, let r):
            return TestDocument(t: TTestDocument(count: t.count, sum: StateFile.SumDocument(t.sum),
                                                 sum_of_squares: StateFile.SumDocument(t.sumOfSquares)),
                                permutation_sums: sums.map(\.hexadecimal), swaps: nil, rows: rows(r))
          case .pooled(let w, let r):
            let b = w.replicates
            return TestDocument(t: nil, permutation_sums: nil, swaps: SwapsDocument(
              rows: w.hits.count, hits: w.hits.replicateSums.prefix(b).map(bits),
              counts: w.counts.replicateSums.prefix(b).map(bits), hits_absolute: bits(w.hits.absoluteSum),
              counts_absolute: bits(w.counts.absoluteSum), total_hits: bits(w.totalHits),
              total_counts: bits(w.totalCounts), observed_hits: bits(w.observedHits),
              observed_counts: bits(w.observedCounts), invalid: w.invalid), rows: rows(r))
          }
        })
    }

    /// The compare state described, every field checked.
    func state() throws -> CompareStateFile {
      func invalid(_ s: String) -> InvalidState { InvalidState(description: s) }
      let files = try systems.enumerated().map { try $1.stateFile($0) }
      guard let first = files.first else { throw invalid("no systems") }
      let c = comparison
      guard c.permutations >= 1, c.bootstrap_replicates >= 1, c.level > 0, c.level < 1 else {
        throw invalid("permutations, bootstrap replicates or level out of range")
      }
      guard c.permutations <= CompareStateFile.maximumPermutations else {
        throw invalid("\(c.permutations) permutations, more than a compare state holds "
                      + "(\(CompareStateFile.maximumPermutations))")
      }
      guard let seed = UInt64(c.seed) else { throw invalid("seed '\(c.seed.prefix(40))' is not an integer in 0...2^64-1") }
      let design = ComparisonDesign(permutations: c.permutations, bootstrapReplicates: c.bootstrap_replicates,
                                    level: c.level, seed: seed)
      guard c.pairs.allSatisfy({ $0.count == 2 }) else { throw invalid("a pair is not [baseline, system]") }
      let pairs = c.pairs.map { (baseline: $0[0], system: $0[1]) }
      let pooledColumns = first.state.configuration.pairs.map { !SystemComparison.tTestApplies(to: $0.metric) }
      let bootstrap: PoissonBootstrap
      do {
        bootstrap = try c.bootstrap.bootstrap(pooledPairs: files.flatMap { _ in pooledColumns },
                                              rows: first.rows.count).replicates
      } catch { throw invalid("comparison.\(error)") }
      var tests: [ComparisonShard.TestSums] = []
      for (i, t) in c.tests.enumerated() {
        let field = "comparison.tests[\(i)]"
        let rows = try t.rows.map { list in
          try list.enumerated().map { j, r in
            ComparisonShard.TestedRow(row: r.row, values: try r.values.map { try double($0, "\(field).rows[\(j)]") })
          }
        }
        if let sums = t.permutation_sums, let tt = t.t, t.swaps == nil {
          guard tt.count >= 0 else { throw invalid("\(field).t.count is negative") }
          let exact = try sums.enumerated().map { b, text in
            do { return try ExactSum(hexadecimal: text) } catch { throw invalid("\(field).permutation_sums[\(b)]: \(error)") }
          }
          tests.append(.mean(tTest: PairedTTestSums(count: tt.count, sum: try tt.sum.sum("\(field).t.sum"),
                                                    sumOfSquares: try tt.sum_of_squares.sum("\(field).t.sum_of_squares")),
                             permutationSums: exact, rows: rows))
        } else if let w = t.swaps, t.t == nil, t.permutation_sums == nil {
          guard w.hits.count == c.permutations, w.counts.count == c.permutations, w.rows >= 0, w.invalid >= 0 else {
            throw invalid("\(field).swaps has \(w.hits.count) and \(w.counts.count) sums for \(c.permutations) permutations")
          }
          guard w.rows <= first.rows.count, w.invalid <= w.rows else {
            throw invalid("\(field).swaps counts \(w.rows) rows (\(w.invalid) invalid) of \(first.rows.count)")
          }
          // Every part is an integer of at most 2^53 in magnitude, and they
          // relate as the sums of real rows do (|Σ s·dh| ≤ Σ |dh| ≤ H, X ≤ H):
          // what keeps the exact comparison of the merged sums within its
          // integers, whatever a damaged file holds.
          func d(_ x: String, _ name: String) throws -> Double {
            let v = try double(x, "\(field).swaps.\(name)")
            guard v.isFinite, v == v.rounded(.towardZero), abs(v) <= 0x1p53 else {
              throw invalid("\(field).swaps.\(name) \(v) is not an integer within 2^53")
            }
            return v
          }
          let hitsAbsolute = try d(w.hits_absolute, "hits_absolute"), countsAbsolute = try d(w.counts_absolute, "counts_absolute")
          let totalHits = try d(w.total_hits, "total_hits"), totalCounts = try d(w.total_counts, "total_counts")
          let observedHits = try d(w.observed_hits, "observed_hits"), observedCounts = try d(w.observed_counts, "observed_counts")
          let hitSums = try w.hits.map { try d($0, "hits") }, countSums = try w.counts.map { try d($0, "counts") }
          guard 0 <= observedHits, observedHits <= totalHits, 0 <= observedCounts, observedCounts <= totalCounts,
                0 <= hitsAbsolute, hitsAbsolute <= totalHits, 0 <= countsAbsolute, countsAbsolute <= totalCounts,
                hitSums.allSatisfy({ abs($0) <= hitsAbsolute }), countSums.allSatisfy({ abs($0) <= countsAbsolute })
          else { throw invalid("\(field).swaps: sums that no rows give (a sum above its total)") }
          tests.append(.pooled(swaps: PooledRandomizationSums(
            replicates: c.permutations, seed: seed, rows: w.rows, hitSums: hitSums, countSums: countSums,
            hitsAbsolute: hitsAbsolute, countsAbsolute: countsAbsolute, totalHits: totalHits, totalCounts: totalCounts,
            observedHits: observedHits, observedCounts: observedCounts, invalid: w.invalid), rows: rows))
        } else {
          throw invalid("\(field) is neither a mean's test (t, permutation_sums) nor a pooled one (swaps)")
        }
      }
      let comparison = try ComparisonShard(
        pairs: pairs, systems: files.count, pooledColumns: pooledColumns, design: design,
        testWeight: try c.test_weight.map { try double($0, "comparison.test_weight") },
        pooledTestWeight: try c.pooled_test_weight.map { try double($0, "comparison.pooled_test_weight") },
        meanTestRows: c.rows_in_tests, pooledTestRows: c.rows_in_pooled_tests, bootstrap: bootstrap, tests: tests)
      return try CompareStateFile(names: names, systems: files, alpha: alpha, comparison: comparison,
                                  evaluationSeconds: evaluation_seconds)
    }
  }
}
