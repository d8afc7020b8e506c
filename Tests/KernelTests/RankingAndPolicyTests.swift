import MAPKKernel
import TestSupport
import XCTest

/// Tie order, NaN and empty-row policies, label semantics, weights and the
/// streaming metric, on small inputs whose answers are worked out by hand or
/// by the plain reference in TestSupport.
final class RankingAndPolicyTests: XCTestCase {
  func state(_ scores: [Float], classes: Int, _ labels: Labels, ks: [Int], weights: RowWeights = .none,
             empty: EmptyRowPolicy = .nan, nan: NaNScorePolicy = .error) throws -> MAPState {
    let configuration = try MAPConfiguration(ks: ks, emptyRows: empty, nanScores: nan)
    var metric = StreamingAveragePrecision(configuration: configuration)
    try scores.withUnsafeBufferPointer { p in
      try labels.withRows { rows in
        let matrix = ScoreMatrix(base: UnsafeRawPointer(p.baseAddress!), rows: rows.rows, classes: classes, type: .float32)
        try metric.update(scores: matrix, labels: rows, weights: weights)
      }
    }
    return metric.state
  }

  func testTiesGoToTheLowerClassIndex() throws {
    // Row 0: classes 0,1,2 tie at 0.5; top-2 is [0, 1]. Label 2 is out at k=2, in at k=3.
    let scores: [Float] = [0.5, 0.5, 0.5, 0.1]
    XCTAssertEqual(try state(scores, classes: 4, .dense(rows: [[2]]), ks: [2]).values, [0])
    XCTAssertEqual(try state(scores, classes: 4, .dense(rows: [[2]]), ks: [3]).values, [1.0 / 3.0])
    XCTAssertEqual(try state(scores, classes: 4, .dense(rows: [[0]]), ks: [1]).values, [1])
    // -0.0 and 0.0 are equal: the lower index wins either way.
    let zeros: [Float] = [-0.0, 0.0, -1, 0.0]
    XCTAssertEqual(try state(zeros, classes: 4, .dense(rows: [[0]]), ks: [1]).values, [1])
    XCTAssertEqual(try state(zeros, classes: 4, .dense(rows: [[1]]), ks: [1]).values, [0])
    let flipped: [Float] = [0.0, -0.0, -1, 0.0]
    XCTAssertEqual(try state(flipped, classes: 4, .dense(rows: [[0]]), ks: [1]).values, [1])
  }

  func testTiesAtEveryKAgainstTheReference() throws {
    withEvery(seed: 1...30) { seed, rng in
      let classes = Int.random(in: 1...80, using: &rng)
      let rows = 7
      let levels = Int.random(in: 1...4, using: &rng)  // few distinct values: many ties
      let scores = (0..<(rows * classes)).map { _ in Float(Int.random(in: 0..<levels, using: &rng)) / 4 }
      let labelRows = (0..<rows).map { _ in
        (0..<Int.random(in: 1...5, using: &rng)).map { _ in Int.random(in: -1...(classes + 1), using: &rng) }
      }
      for semantics in [LabelSemantics.dense, .sparse] {
        let labels: Labels = semantics == .dense ? .dense(rows: labelRows) : .sparse(rows: labelRows)
        let ks = Array(Set([1, classes, Int.random(in: 1...classes, using: &rng)])).sorted()
        let got = try! state(scores, classes: classes, labels, ks: ks, empty: .zero).values
        for (j, k) in ks.enumerated() {
          var expected = 0.0
          for r in 0..<rows {
            let row = scores[(r * classes)..<((r + 1) * classes)].map(Double.init)
            let ap = ReferenceMAP.averagePrecision(scores: row, labels: labelRows[r], k: k, semantics: semantics)
            expected += ap.isNaN ? 0 : ap
          }
          expected /= Double(rows)
          XCTAssertEqual(got[j], expected, accuracy: 1e-12, "seed \(seed) k \(k) \(semantics)")
        }
      }
    }
  }

  func testNaNPolicies() throws {
    let scores: [Float] = [.nan, 0.5, .nan, .infinity, 1.0, .nan, .infinity, .nan]
    let error = try? state(scores, classes: 4, .dense(rows: [[0], [1]]), ks: [1])
    XCTAssertNil(error)
    XCTAssertThrowsError(try state(scores, classes: 4, .dense(rows: [[0], [1]]), ks: [1])) { e in
      XCTAssertEqual(e as? MAPKError, .nanScore(row: 0, classIndex: 0))
    }
    // largest: NaN above +inf, lower index first among NaNs -> row 0 ranks [0, 2, 3, 1].
    let largest = try state(scores, classes: 4, .dense(rows: [[2], [1]]), ks: [2], nan: .largest)
    // Row 0: label 2 at rank 2 (AP 1/2); row 1 ranks [1, 3, 2, 0]: label 1 at rank 1 (AP 1).
    XCTAssertEqual(largest.values, [(0.5 + 1) / 2])
    XCTAssertEqual(largest.nanScores, 4)
    // lowest: NaN below -inf -> row 0 ranks [3, 1, 0, 2]; row 1 ranks [2, 0, 1, 3].
    let lowest = try state(scores, classes: 4, .dense(rows: [[1], [0]]), ks: [2], nan: .lowest)
    XCTAssertEqual(lowest.values, [(0.5 + 0.5) / 2])
  }

  func testEmptyRowPolicies() throws {
    let scores: [Float] = [0.9, 0.1, 0.2, 0.8]
    let labels = Labels.dense(rows: [[0], [-1]])
    let nan = try state(scores, classes: 2, labels, ks: [1])
    XCTAssertTrue(nan.values[0].isNaN)
    XCTAssertEqual(nan.emptyRows, 1)
    XCTAssertEqual(try state(scores, classes: 2, labels, ks: [1], empty: .skip).values, [1])
    XCTAssertEqual(try state(scores, classes: 2, labels, ks: [1], empty: .zero).values, [0.5])
    // A zero weight does not hide a NaN row (0 · NaN = NaN), as in TensorFlow.
    let w: [Double] = [1, 0]
    try w.withUnsafeBufferPointer { p in
      let weights = try RowWeights(storage: .float64(p.baseAddress!), weightShape: [2], rowShape: [2])
      XCTAssertTrue(try state(scores, classes: 2, labels, ks: [1], weights: weights).values[0].isNaN)
    }
  }

  func testDenseAndSparseCounting() throws {
    // C = 4; row scores rank classes [3, 2, 1, 0].
    let scores: [Float] = [0.1, 0.2, 0.3, 0.4]
    // dense [3, 3, 7, -1]: duplicates count (n = 2), 7 and -1 ignored: AP@2 = 1/2.
    XCTAssertEqual(try state(scores, classes: 4, .dense(rows: [[3, 3, 7, -1]]), ks: [2]).values, [0.5])
    // sparse [3, 3, 7, 9, -1]: distinct {3, -1(7,9), -1} = {3, -1}: n = 2: AP@2 = 1/2;
    // sparse [3, 7, -5]: {3, -1, -5}: n = 3: AP@4 = 1/3.
    XCTAssertEqual(try state(scores, classes: 4, .sparse(rows: [[3, 3, 7, 9, -1]]), ks: [2]).values, [0.5])
    XCTAssertEqual(try state(scores, classes: 4, .sparse(rows: [[3, 7, -5]]), ks: [4]).values, [1.0 / 3.0])
    // sparse [3, 3]: n = 1: AP@2 = 1.
    XCTAssertEqual(try state(scores, classes: 4, .sparse(rows: [[3, 3]]), ks: [2]).values, [1])
  }

  func testSeveralKFromOneRanking() throws {
    let scores: [Float] = [0.1, 0.9, 0.3, 0.8, 0.5]  // ranks: 1, 3, 4, 2, 0
    let labels = Labels.dense(rows: [[3, 2, 0]])
    let many = try state(scores, classes: 5, labels, ks: [5, 1, 3, 3])
    XCTAssertEqual(many.configuration.ks, [1, 3, 5])
    for (j, k) in [1, 3, 5].enumerated() {
      XCTAssertEqual(many.values[j], try state(scores, classes: 5, labels, ks: [k]).values[0])
    }
    // k=3: hits at ranks 2 (class 3) and 3 (class 4? no: class 4 is not a label)...
    // ranking [1, 3, 4, 2, 0]: class 3 at rank 2, class 2 at rank 4, class 0 at rank 5.
    XCTAssertEqual(many.values[1], (1.0 / 2.0) / 3.0)
    XCTAssertEqual(many.values[2], (1.0 / 2.0 + 2.0 / 4.0 + 3.0 / 5.0) / 3.0)
  }

  func testKErrors() {
    XCTAssertThrowsError(try MAPConfiguration(ks: [0])) { XCTAssertEqual($0 as? MAPKError, .kBelowOne(0)) }
    XCTAssertThrowsError(try MAPConfiguration(ks: [])) { XCTAssertEqual($0 as? MAPKError, .noK) }
    XCTAssertThrowsError(try state([0.1, 0.2], classes: 2, .dense(rows: [[0]]), ks: [3])) {
      XCTAssertEqual($0 as? MAPKError, .kAboveClasses(k: 3, classes: 2))
    }
  }

  func testWeightsBroadcastAndValidation() throws {
    // Rows of shape [2, 2]; weights [2, 1] broadcast along the second dim.
    let scores: [Float] = [0.9, 0.1, 0.1, 0.9, 0.9, 0.1, 0.1, 0.9]
    let labels = Labels.dense(rows: [[0], [0], [0], [1]])  // APs at k=1: 1, 0, 1, 1
    let w: [Double] = [3, 1]
    try w.withUnsafeBufferPointer { p in
      let weights = try RowWeights(storage: .float64(p.baseAddress!), weightShape: [2, 1], rowShape: [2, 2])
      let s = try state(scores, classes: 2, labels, ks: [1], weights: weights)
      let expected: Double = (3 + 0 + 1 + 1) / 8.0  // w · AP summed over rows / Σ w
      XCTAssertEqual(s.values, [expected])
      XCTAssertThrowsError(try RowWeights(storage: .float64(p.baseAddress!), weightShape: [2], rowShape: [2, 1]))
      XCTAssertThrowsError(try RowWeights(storage: .float64(p.baseAddress!), weightShape: [1, 2], rowShape: [2]))
    }
    for bad in [-1.0, .nan, .infinity] {
      let v = [1.0, bad]
      try v.withUnsafeBufferPointer { p in
        XCTAssertThrowsError(try RowWeights(storage: .float64(p.baseAddress!), weightShape: [2], rowShape: [2])) {
          XCTAssertEqual(($0 as? MAPKError).map { "\($0)" }, "\(MAPKError.invalidWeight(index: 1, value: bad))")
        }
      }
    }
    XCTAssertThrowsError(try RowWeights.scalar(-2))
  }

  func testStreamingMetric() throws {
    let configuration = try MAPConfiguration(ks: [1])
    var metric = StreamingAveragePrecision(configuration: configuration)
    XCTAssertEqual(metric.value, [0])  // no rows: div_no_nan gives 0
    let scores: [Float] = [0.9, 0.1, 0.1, 0.9]
    let running: [Double] = try scores.withUnsafeBufferPointer { p in
      let m = ScoreMatrix(base: UnsafeRawPointer(p.baseAddress!), rows: 2, classes: 2, type: .float32)
      let first = try Labels.dense(rows: [[0], [0]]).withRows { try metric.update(scores: m, labels: $0) }
      let second = try Labels.dense(rows: [[0], [1]]).withRows { try metric.update(scores: m, labels: $0) }
      return first + second
    }
    XCTAssertEqual(running, [0.5, 0.75])
    XCTAssertEqual(metric.value(k: 1), 0.75)
    XCTAssertEqual(metric.state.rows, 4)
    var other = StreamingAveragePrecision(configuration: configuration)
    try other.merge(metric)
    XCTAssertEqual(other.value, metric.value)
    metric.reset()
    XCTAssertEqual(metric.value, [0])
    XCTAssertThrowsError(try other.merge(StreamingAveragePrecision(configuration: MAPConfiguration(ks: [2]))))
  }
}
