import Foundation
import MAPKShards
import Testing
import TestSupport

/// Ranked ids (`[D1..DN, K]` integer predictions): the cases TensorFlow 2.21
/// produced with its own function for ranked ids
/// (`Fixtures/ranked-ids`, `Scripts/oracle/ids_cases.py` seed 12), and the
/// rules mapk adds (pads, repeated ids).
@Suite struct RankedIDTests {
  struct Case: Decodable {
    let name: String
    let predictions: String
    let labels: String
    let weights: String?
    let ks: [Int]
    let pad: Int64
    let classes: Int?
    let expected: [Double]
  }

  struct Cases: Decodable { let cases: [Case] }

  static let folder = FixtureFolder("ranked-ids")

  static let cases: [Case] = try! folder.load(Cases.self).cases

  @Test(arguments: [1, 3])
  func everyCaseMatchesTensorFlow(threads: Int) throws {
    #expect(Self.cases.count == 20)
    for c in Self.cases {
      let path = Self.folder.path
      let inputs = try EvaluationInputs(
        predictions: path(c.predictions), labels: path(c.labels), weights: c.weights.map(path), threads: threads,
        rankedIDs: RankedIDReading(pad: c.pad, classes: c.classes))
      #expect(inputs.rankedIDs != nil, "\(c.name)")
      let state = try Evaluator(threads: threads, chunkBytes: 64).evaluate(
        inputs, configuration: try MAPConfiguration(ks: c.ks))
      for (k, expected) in zip(c.ks, c.expected) {
        let got = state.value(k: k)!
        #expect(abs(got - expected) <= 1e-12 * max(abs(expected), 1e-300), "\(c.name) k=\(k): \(got) vs \(expected)")
      }
    }
  }

  /// Ranked ids taken from scores (TensorFlow's order: score descending,
  /// lower class first) give the same bits as the scores themselves.
  @Test(arguments: [1, 2, 3, 4] as [UInt64])
  func idsOfScoresEvaluateAsTheScores(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let rows = 200, classes = Int.random(in: 5...40, using: &rng), width = Int.random(in: 1...classes, using: &rng)
    var scores: [Double] = []
    var ids: [Int64] = []
    var labelRows: [[Int]] = []
    for _ in 0..<rows {
      // Few distinct values: ties, broken by the lower class as TensorFlow's top_k does.
      let row = (0..<classes).map { _ in Double(Int.random(in: 0...6, using: &rng)) }
      scores += row
      let order = (0..<classes).sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }
      ids += order.prefix(width).map(Int64.init)
      // Labels beyond the classes too: --classes cleans them as the scores do.
      labelRows.append((0..<Int.random(in: 0...4, using: &rng)).map { _ in Int.random(in: -1...(classes + 2), using: &rng) })
    }
    let ks = [1, max(1, width / 2), width]
    let configuration = try MAPConfiguration(ks: ks, emptyRows: .zero)
    let weights = WeightValues.array((0..<rows).map { _ in Double.random(in: 0...2, using: &rng) }, shape: [rows])
    for labels in [Labels.dense(rows: labelRows), Labels.sparse(rows: labelRows)] {
      for w in [WeightValues.none, weights] {
        let expected = try Evaluator(threads: 2).evaluate(
          scores: scores, classes: classes, labels: labels, weights: w, configuration: configuration)
        let got = try Evaluator(threads: 3, chunkBytes: 8).evaluate(
          ids: ids, width: width, labels: labels, weights: w, reading: RankedIDReading(classes: classes),
          configuration: configuration)
        #expect(got == expected, "seed \(seed)")
      }
    }
  }

  /// `first`: a later copy of an id is a miss, as if it were an id no label has.
  @Test(arguments: [5, 6, 7] as [UInt64])
  func laterCopiesAreMisses(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let rows = 100, width = 8
    var ids: [Int64] = [], replaced: [Int64] = []
    var labelRows: [[Int]] = []
    var fresh: Int64 = 1_000_000
    for _ in 0..<rows {
      var seen = Set<Int64>()
      for _ in 0..<width {
        let id = Int64.random(in: 0...6, using: &rng)
        ids.append(id)
        if seen.insert(id).inserted { replaced.append(id) } else { replaced.append(fresh); fresh += 1 }
      }
      labelRows.append((0..<Int.random(in: 1...3, using: &rng)).map { _ in Int.random(in: 0...6, using: &rng) })
    }
    let configuration = try MAPConfiguration(ks: [1, 3, 8])
    let got = try Evaluator(threads: 2, chunkBytes: 16).evaluate(
      ids: ids, width: width, labels: .sparse(rows: labelRows), reading: RankedIDReading(duplicates: .first),
      configuration: configuration)
    let expected = try Evaluator(threads: 1).evaluate(
      ids: replaced, width: width, labels: .sparse(rows: labelRows), configuration: configuration)
    #expect(got == expected, "seed \(seed)")
  }

  /// TensorFlow's AP 1.5 for `[1, 1, 1]` against `{1, 2}`: refused by default, 0.5 with `first`.
  @Test func repeatedIDs() throws {
    let configuration = try MAPConfiguration(ks: [3])
    let ids: [Int64] = [0, 1, 2, 1, 1, 1, 5, 6, 5]
    let labels = Labels.sparse(rows: [[0], [1, 2], [5]])
    #expect(throws: MAPKError.duplicateID(row: 1, id: 1)) {
      try Evaluator(threads: 3, chunkBytes: 1).evaluate(ids: ids, width: 3, labels: labels, configuration: configuration)
    }
    let state = try Evaluator().evaluate(ids: ids, width: 3, labels: labels,
                                         reading: RankedIDReading(duplicates: .first), configuration: configuration)
    #expect(state.value(k: 3) == (1.0 + 0.5 + 1.0) / 3)
    // Only the ids evaluated are checked: row 2's copy is past k = 2.
    let k2 = try Evaluator().evaluate(ids: [0, 1, 2, 5, 6, 5] as [Int64], width: 3, labels: .sparse(rows: [[0], [5]]),
                                      configuration: try MAPConfiguration(ks: [2]))
    #expect(k2.value(k: 2) == 1)
  }

  /// A pad takes its position and never matches, even the dense labels' -1
  /// padding (TensorFlow gives AP 3.0 for a pad -1 against `[1, -1]`).
  @Test func padsNeverMatch() throws {
    let configuration = try MAPConfiguration(ks: [2])
    let state = try Evaluator().evaluate(ids: [-1, 1] as [Int64], width: 2, labels: .dense(rows: [[1, -1]]),
                                         configuration: configuration)
    #expect(state.value(k: 2) == 0.5)
    let sentinel = try Evaluator().evaluate(
      ids: [100_000_000, 1] as [Int64], width: 2, labels: .dense(rows: [[1, -1]]),
      reading: RankedIDReading(pad: 100_000_000), configuration: configuration)
    #expect(sentinel.value(k: 2) == 0.5)
    #expect(throws: MAPKError.invalidID(row: 0, id: -1, pad: 100_000_000)) {
      try Evaluator().evaluate(ids: [-1, 1] as [Int64], width: 2, labels: .dense(rows: [[1]]),
                               reading: RankedIDReading(pad: 100_000_000), configuration: configuration)
    }
  }

  @Test func kAboveWidthOrClasses() throws {
    #expect(throws: MAPKError.kAboveClasses(k: 3, classes: 2)) {
      try Evaluator().evaluate(ids: [0, 1] as [Int64], width: 2, labels: .dense(rows: [[1]]),
                               configuration: try MAPConfiguration(ks: [3]))
    }
    #expect(throws: MAPKError.kAboveClasses(k: 2, classes: 1)) {
      try Evaluator().evaluate(ids: [0, 1] as [Int64], width: 2, labels: .dense(rows: [[1]]),
                               reading: RankedIDReading(classes: 1), configuration: try MAPConfiguration(ks: [2]))
    }
  }
}
