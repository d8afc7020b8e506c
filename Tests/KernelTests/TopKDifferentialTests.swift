import TestSupport
import Testing
@testable import MAPKKernel

/// Every fast path of the top-k kernel against the plain full-sort reference
/// (`ReferenceMAP`): the ranked top k (`select`), the ranks of given classes
/// (`rankClasses`, what AP uses) and per-row AP through `RowEvaluator`, over
/// random shapes, tie-heavy and NaN-bearing rows, ±inf and all three dtypes.
/// Each test runs once per named seed (`@Test(arguments:)`), so a failure
/// names its seed, and the long-row tests run once per SIMD path this CPU
/// supports (``SIMDPath``: the Swift baseline always, so CI exercises it, and
/// the AVX2 / AVX-512 C loops where present); a failure names the path.
/// Serialized: the path is process-wide, and only this suite switches it.
@Suite(.serialized) struct TopKDifferentialTests {
  /// Runs `body` once on every SIMD path this CPU supports, then restores the path.
  func onEveryPath(_ body: () throws -> Void) rethrows {
    let saved = SIMDPath.active
    defer { SIMDPath.use(saved) }
    for path in SIMDPath.supported {
      #expect(SIMDPath.use(path))
      #expect(SIMDPath.active == path)
      try body()
    }
  }

  /// The baseline can always be forced, a path the CPU lacks never.
  @Test func simdPathsCanBeForced() {
    #expect(SIMDPath.supported.first == .baseline)
    #expect(SIMDPath.supported.last == SIMDPath.best)
    onEveryPath {}
    let saved = SIMDPath.active
    for path in SIMDPath.allCases where !SIMDPath.supported.contains(path) {
      #expect(!SIMDPath.use(path))
      #expect(SIMDPath.active == saved)
    }
    #expect(SIMDPath.baseline.description == "baseline" && SIMDPath.avx2.description == "avx2")
    #expect(SIMDPath.avx512.description == "avx512")
  }

  // MARK: - Random rows

  /// bfloat16 ranks through the float16 code with its own infinity: it runs
  /// every check float16 does, against the same reference (its values are exact doubles).
  enum DType: CaseIterable { case float16, float32, float64, bfloat16 }

  /// How a row's scores are drawn.
  enum Flavor: CaseIterable {
    /// Uniform in [-1, 1): few ties.
    case uniform
    /// A handful of distinct values, ±0.0 and ±inf among them.
    case ties
    /// Uniform with NaNs (random sign and payload) and infinities mixed in.
    case nans
    /// Any bit pattern: subnormals, NaN payloads, infinities.
    case bits
    /// Ascending: every block beats the running threshold.
    case ascending
    /// Uniform in [0, 1) with a few scores lifted by 0.5 (like a model's labels).
    case boosted
  }

  /// One row: the raw scores of a dtype and the same scores as doubles (exact).
  struct Row {
    var values: [Double] = []
    var raw: [UInt64] = []
  }

  static func value(_ dtype: DType, bits: UInt64) -> Double {
    switch dtype {
    case .float16: return Double(Float16(bitPattern: UInt16(truncatingIfNeeded: bits)))
    case .float32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
    case .float64: return Double(bitPattern: bits)
    case .bfloat16: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits & 0xFFFF) << 16))
    }
  }

  static func bits(_ dtype: DType, _ x: Double) -> UInt64 {
    switch dtype {
    case .float16: return UInt64(Float16(x).bitPattern)
    case .float32: return UInt64(Float(x).bitPattern)
    case .float64: return x.bitPattern
    // Truncated to the top 16 bits (finite stays finite, NaN stays NaN); `values` are read back from the bits.
    case .bfloat16: return UInt64(Float(x).bitPattern >> 16)
    }
  }

  static func nanBits(_ dtype: DType, _ rng: inout SplitMix64) -> UInt64 {
    let r = rng.next()
    switch dtype {
    case .float16: return UInt64(0x7C00 | (r & 0x8000) | max(1, r >> 20 & 0x3FF))
    case .float32: return (0x7F80_0000 | (r & 0x8000_0000) | max(1, r >> 40 & 0x7F_FFFF))
    case .float64: return 0x7FF0_0000_0000_0000 | (r & 0x8000_0000_0000_0000) | max(1, r >> 12 & 0xF_FFFF_FFFF_FFFF)
    case .bfloat16: return UInt64(0x7F80 | (r & 0x8000) | max(1, r >> 20 & 0x7F))
    }
  }

  static func makeRow(_ dtype: DType, _ flavor: Flavor, classes c: Int, _ rng: inout SplitMix64) -> Row {
    var row = Row()
    row.raw.reserveCapacity(c)
    let unit = { (rng: inout SplitMix64) -> Double in Double(rng.next() >> 11) / Double(1 << 53) }
    let palette: [Double] = [-1, -0.0, 0.0, 0.25, 0.5, 1, -.infinity, .infinity]
    let distinct = 2 + Int(rng.next() % 4)
    let nanRate = [0.001, 0.02, 0.3][Int(rng.next() % 3)]
    var ascending = -1.0
    for _ in 0..<c {
      var b: UInt64
      switch flavor {
      case .uniform: b = bits(dtype, unit(&rng) * 2 - 1)
      case .ties: b = bits(dtype, palette[Int(rng.next() % UInt64(distinct)) + (palette.count - distinct) / 2])
      case .nans:
        let u = unit(&rng)
        if u < nanRate {
          b = nanBits(dtype, &rng)
        } else if u < nanRate * 1.5 {
          b = bits(dtype, rng.next() & 1 == 0 ? .infinity : -.infinity)
        } else {
          b = bits(dtype, unit(&rng) * 2 - 1)
        }
      case .bits:
        b = rng.next()
        if dtype == .float16 || dtype == .bfloat16 { b &= 0xFFFF } else if dtype == .float32 { b &= 0xFFFF_FFFF }
      case .ascending:
        ascending += unit(&rng) * 4 / Double(c)
        b = bits(dtype, ascending)
      case .boosted:
        b = bits(dtype, unit(&rng) + (rng.next() % 50 == 0 ? 0.5 : 0))
      }
      row.raw.append(b)
      row.values.append(value(dtype, bits: b))
    }
    return row
  }

  /// Runs `body` on the row's scores laid out as the dtype's bits.
  static func withScores<R>(_ dtype: DType, _ rows: [Row], _ body: (UnsafeRawPointer) throws -> R) rethrows -> R {
    switch dtype {
    case .float16, .bfloat16:
      return try rows.flatMap { $0.raw.map { UInt16(truncatingIfNeeded: $0) } }.withUnsafeBytes { try body($0.baseAddress!) }
    case .float32: return try rows.flatMap { $0.raw.map { UInt32(truncatingIfNeeded: $0) } }.withUnsafeBytes { try body($0.baseAddress!) }
    case .float64: return try rows.flatMap { $0.raw }.withUnsafeBytes { try body($0.baseAddress!) }
    }
  }

  static let policies: [NaNScorePolicy] = [.largest, .lowest]

  // MARK: - select and rankClasses

  /// The selector's ranking and label ranks for one row, under one policy.
  struct Found: Equatable {
    var ranking: [Int]
    var nanCount: Int
    var firstNaN: Int
    var ranks: [Int]
  }

  static func runSelector(_ dtype: DType, _ row: Row, k: Int, policy: NaNScorePolicy, labels: [Int32]) -> Found {
    func run<Bits: RowScanning>(_: Bits.Type) -> Found {
      let selector = TopKSelector<Bits>(k: k, classes: row.raw.count, nanPolicy: policy)
      let bits = row.raw.map { Bits(truncatingIfNeeded: $0) }
      return bits.withUnsafeBufferPointer { p in
        let selected = selector.select(p.baseAddress!)
        let ranking = (0..<k).map { Int(selector.ranking[$0]) }
        let ranked = labels.withUnsafeBufferPointer { selector.rankClasses(p.baseAddress!, $0.baseAddress!, count: labels.count) }
        precondition(ranked.nanCount == selected.nanCount && ranked.firstNaN == selected.firstNaN,
                     "rankClasses and select disagree on NaN")
        let ranks = (0..<selector.hitCount).map { Int(selector.hitRanks[$0]) }.sorted()
        return Found(ranking: ranking, nanCount: selected.nanCount, firstNaN: selected.firstNaN, ranks: ranks)
      }
    }
    switch dtype {
    case .float16: return run(UInt16.self)
    case .float32: return run(UInt32.self)
    case .float64: return run(UInt64.self)
    case .bfloat16: return run(BFloat16Bits.self)
    }
  }

  /// What the selector must find, from the reference's full ranking of the row.
  static func expected(_ row: Row, full: [Int], k: Int, policy: NaNScorePolicy, labels: [Int32]) -> Found {
    let nanCount = row.values.filter(\.isNaN).count
    let firstNaN = row.values.firstIndex(where: \.isNaN) ?? -1
    if policy == .error && nanCount > 0 {
      return Found(ranking: [], nanCount: 1, firstNaN: firstNaN, ranks: [])
    }
    var rankOf = [Int: Int]()
    for (r, c) in full.prefix(k).enumerated() { rankOf[c] = r + 1 }
    let ranks = labels.compactMap { rankOf[Int($0)] }.sorted()
    return Found(ranking: Array(full.prefix(k)), nanCount: nanCount, firstNaN: firstNaN, ranks: ranks)
  }

  /// Distinct classes to rank: some from the reference's top (hits), some at random.
  static func labels(classes c: Int, k: Int, full: [Int], _ rng: inout SplitMix64) -> [Int32] {
    let count = [0, 1, 2, 3, 5, 8, 70][Int(rng.next() % 7)]
    var chosen = Set<Int32>()
    var tries = 0
    while chosen.count < min(count, c) && tries < 4 * count {
      tries += 1
      if rng.next() & 1 == 0 {
        chosen.insert(Int32(full[Int(rng.next() % UInt64(min(c, k + 2)))]))
      } else {
        chosen.insert(Int32(rng.next() % UInt64(c)))
      }
    }
    return Array(chosen).shuffled(using: &rng)
  }

  /// Checks one random row of `flavor` for every k in `ks` and every NaN policy.
  func checkRow(_ dtype: DType, _ flavor: Flavor, classes c: Int, ks: [Int], seed: UInt64, _ rng: inout SplitMix64) {
    checkRow(Self.makeRow(dtype, flavor, classes: c, &rng), dtype, "\(flavor)", ks: ks, seed: seed, &rng)
  }

  /// Checks `row` for every k in `ks` and every NaN policy.
  func checkRow(_ row: Row, _ dtype: DType, _ flavor: String, ks: [Int], seed: UInt64, _ rng: inout SplitMix64) {
    let c = row.raw.count
    for policy in Self.policies + [.error] {
      // The reference's full sort, once per row and policy (`.error` rows without NaN rank as `.largest`).
      let full = ReferenceMAP.ranking(row.values, nan: policy == .error ? .largest : policy)
      for k in ks {
        let labels = Self.labels(classes: c, k: k, full: full, &rng)
        let found = Self.runSelector(dtype, row, k: k, policy: policy, labels: labels)
        let want = Self.expected(row, full: full, k: k, policy: policy, labels: labels)
        if policy == .error && want.nanCount > 0 {
          #expect(found.nanCount == 1, "\(SIMDPath.active) seed \(seed) \(dtype) \(flavor) C=\(c) k=\(k) error: NaN count")
          #expect(found.firstNaN == want.firstNaN, "\(SIMDPath.active) seed \(seed) \(dtype) \(flavor) C=\(c) k=\(k) error: first NaN")
          continue
        }
        #expect(found == want, "\(SIMDPath.active) seed \(seed) \(dtype) \(flavor) C=\(c) k=\(k) \(policy) labels \(labels)")
      }
    }
  }

  @Test(arguments: [1, 2, 3] as [UInt64])
  func selectAndRanksMatchFullSort(seed: UInt64) {
    onEveryPath {
      // Shapes around every block size (8, 16, 32 lanes), tails, and large rows.
      let shapes = [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 50, 63, 64, 65, 100, 127, 129, 255, 300, 1000, 1024]
      var rng = SplitMix64(seed: seed)
      for c in shapes {
        for flavor in Flavor.allCases {
          for dtype in DType.allCases {
            // k: 1, 2, C, and random ones (some large enough for the group bound's shortcuts).
            var ks = Set([1, min(2, c), c, 1 + Int(rng.next() % UInt64(c)), max(1, c / 16), max(1, c / 5)])
            if c > 64 { ks.insert(1 + Int(rng.next() % 40)) }
            checkRow(dtype, flavor, classes: c, ks: ks.sorted(), seed: seed, &rng)
          }
        }
      }
    }
  }

  /// Every row length of the short-row path (float16 and float32 keys
  /// counted per label; rows with NaN fall back), against the reference.
  @Test(arguments: [30, 31] as [UInt64])
  func shortRowsMatchFullSort(seed: UInt64) {
    #expect(TopKSelector<UInt32>(k: 2, classes: ShortRows.maxClasses, nanPolicy: .largest).shortKeys != nil)
    #expect(TopKSelector<UInt16>(k: 1, classes: 1, nanPolicy: .largest).shortKeys != nil)
    #expect(TopKSelector<BFloat16Bits>(k: 1, classes: 1, nanPolicy: .largest).shortKeys != nil)
    #expect(TopKSelector<UInt32>(k: 2, classes: ShortRows.maxClasses + 1, nanPolicy: .largest).shortKeys == nil)
    #expect(TopKSelector<UInt64>(k: 2, classes: 50, nanPolicy: .largest).shortKeys == nil)
    var rng = SplitMix64(seed: seed)
    for c in 1...ShortRows.maxClasses {
      for flavor in [Flavor.ties, .uniform, .bits, .boosted, .ascending] {
        for dtype in [DType.float16, .float32, .bfloat16] {
          let ks = Set([2, 1 + Int(rng.next() % UInt64(c)), min(c, 5), c]).filter { $0 <= c }
          checkRow(dtype, flavor, classes: c, ks: ks.sorted(), seed: seed, &rng)
        }
      }
    }
  }

  @Test(arguments: [10, 11] as [UInt64])
  func largeRows(seed: UInt64) {
    onEveryPath {
      var rng = SplitMix64(seed: seed)
      for c in [2000, 5000] {
        for flavor in [Flavor.uniform, .ties, .nans, .boosted] {
          for dtype in DType.allCases {
            checkRow(dtype, flavor, classes: c, ks: [1, 10, 100, 1 + Int(rng.next() % UInt64(c)), c], seed: seed, &rng)
          }
        }
      }
    }
  }

  /// float32 and float16 rows long enough for the bound pass, whose NaN check
  /// (float32: lane sums that a NaN makes NaN) decides whether 1 or 2
  /// surviving labels are counted directly: one NaN anywhere (first block,
  /// middle, the overlapping tail), both infinities without NaN (a sum of
  /// NaN, and no NaN), and sums overflowing to infinity.
  @Test(arguments: [13, 14] as [UInt64])
  func boundPassNaNCheck(seed: UInt64) {
    onEveryPath {
      var rng = SplitMix64(seed: seed)
      for dtype in [DType.float32, .float16, .bfloat16] {
        for c in [1000, 1003] {
          var cases: [(String, [Int: Double])] = [("none", [:]), ("infinities", [7: .infinity, c - 2: -.infinity])]
          for p in [0, 17, c / 2, c - 1] { cases.append(("NaN at \(p)", [p: .nan])) }
          // bfloat16: 3e38 is finite with bits above float16's infinity (0x7C00), which the C NaN test flags.
          cases.append(("overflow", Dictionary(uniqueKeysWithValues: (0..<40).map { ($0 * 20, dtype == .float16 ? 6e4 : 3e38) })))
          for (name, patches) in cases {
            var row = Self.makeRow(dtype, .boosted, classes: c, &rng)
            for (p, x) in patches {
              row.raw[p] = x.isNaN ? Self.nanBits(dtype, &rng) : Self.bits(dtype, x)
              row.values[p] = Self.value(dtype, bits: row.raw[p])
            }
            checkRow(row, dtype, "boosted, \(name)", ks: [2, 5, 10, 100], seed: seed, &rng)
          }
        }
      }
    }
  }

  /// float16 rows longer than 16-bit lane arithmetic reaches (32,768): the
  /// direct count's tail block with a label far before it.
  @Test(arguments: [12] as [UInt64])
  func float16RowsBeyond16BitIndices(seed: UInt64) {
    onEveryPath {
      var rng = SplitMix64(seed: seed)
      for flavor in [Flavor.ties, .boosted] {
        checkRow(.float16, flavor, classes: 40_007, ks: [40_007], seed: seed, &rng)
        checkRow(.bfloat16, flavor, classes: 40_007, ks: [40_007], seed: seed, &rng)
      }
    }
  }

  // MARK: - Per-row AP and sums through RowEvaluator

  /// Rows of scores and their labels in one layout.
  struct Batch {
    var dtype: DType
    var classes: Int
    var rows: [Row]
    var values: [Int64]
    /// Explicit row offsets (sparse rows of any length), or nil: `width` per row.
    var offsets: [Int64]?
    var width: Int
    var semantics: LabelSemantics

    func labels(ofRow r: Int) -> [Int] {
      let range = offsets.map { Int($0[r])..<Int($0[r + 1]) } ?? (r * width)..<((r + 1) * width)
      return values[range].map { Int($0) }
    }
  }

  /// A random label value: a class, -1, out of range (>= C), a repeat of the last, another negative.
  static func label(classes c: Int, last: Int64?, _ rng: inout SplitMix64) -> Int64 {
    switch rng.next() % 8 {
    case 0: return -1
    case 1: return Int64(c) + Int64(rng.next() % 3)
    case 2: return last ?? 0
    case 3: return -2 - Int64(rng.next() % 3)
    default: return Int64(rng.next() % UInt64(c))
    }
  }

  static func makeBatch(_ dtype: DType, classes c: Int, rows count: Int, layout: Int, _ rng: inout SplitMix64) -> Batch {
    let flavor = Flavor.allCases[Int(rng.next() % UInt64(Flavor.allCases.count))]
    let rows = (0..<count).map { _ in makeRow(dtype, flavor, classes: c, &rng) }
    var batch = Batch(dtype: dtype, classes: c, rows: rows, values: [], offsets: nil, width: 1 + Int(rng.next() % 6),
                      semantics: layout == 0 ? .dense : .sparse)
    if layout == 2 {
      // Sparse rows of 0 to 90 labels (long rows take the sort and the many-labels paths).
      var offsets: [Int64] = [0]
      for _ in 0..<count {
        let length = [0, 1, 3, 20, 90][Int(rng.next() % 5)]
        for _ in 0..<length { batch.values.append(label(classes: c, last: batch.values.last, &rng)) }
        offsets.append(Int64(batch.values.count))
      }
      batch.offsets = offsets
    } else {
      for _ in 0..<count * batch.width { batch.values.append(label(classes: c, last: batch.values.last, &rng)) }
    }
    return batch
  }

  /// Evaluates a batch; per-row APs are written when `perRow` is true.
  func evaluate(_ batch: Batch, _ configuration: MAPConfiguration, weights: [Double]?, perRow: Bool) throws
    -> (MAPState, [Double])
  {
    let evaluator = try RowEvaluator(configuration: configuration, classes: batch.classes, scoreType: scoreType(batch.dtype))
    var state = MAPState(configuration: configuration)
    var out = [Double](repeating: -7, count: batch.rows.count * configuration.metrics.count * configuration.ks.count)
    let rows = batch.rows.count
    try Self.withScores(batch.dtype, batch.rows) { base in
      try batch.values.withUnsafeBufferPointer { v in
        try (batch.offsets ?? [0]).withUnsafeBufferPointer { o in
          try (weights ?? [1]).withUnsafeBufferPointer { w in
            try out.withUnsafeMutableBufferPointer { sink in
              let labels = LabelRows(
                rows: rows, offsets: batch.offsets == nil ? .uniform(width: batch.width) : .explicit(o.baseAddress!),
                values: .int64(v.baseAddress ?? UnsafePointer(bitPattern: 8)!), semantics: batch.semantics)
              let scores = ScoreMatrix(base: base, rows: rows, classes: batch.classes, type: scoreType(batch.dtype))
              let rowWeights = try weights == nil
                ? RowWeights.none : RowWeights(storage: .float64(w.baseAddress!), weightShape: [rows], rowShape: [rows])
              try evaluator.evaluate(rows: 0..<rows, scores: scores, labels: labels, weights: rowWeights, into: &state,
                                     perRow: perRow ? PerRowSink(base: sink.baseAddress!) : nil)
            }
          }
        }
      }
    }
    return (state, out)
  }

  /// Per-row values of every metric bit for bit, and the exact sums (with and
  /// without weights, with and without per-row output, every empty-row
  /// policy) against states built from the reference's values.
  @Test(arguments: [20, 21, 22, 23, 24, 25] as [UInt64])
  func rowEvaluatorMatchesReference(seed: UInt64) throws {
    try onEveryPath {
      var rng = SplitMix64(seed: seed)
      for dtype in DType.allCases {
        for layout in 0..<3 {
          let c = [1, 5, 16, 33, 50, 100, 333][Int(rng.next() % 7)]
          let batch = Self.makeBatch(dtype, classes: c, rows: 10, layout: layout, &rng)
          let ks = Array(Set([1, c, 1 + Int(rng.next() % UInt64(c)), min(c, 10)])).sorted()
          let weights = (0..<batch.rows.count).map { _ in Double(rng.next() % 9) / 4 }
          for policy in Self.policies {
            // Every metric at once: each its own rule for rows without labels and its own denominator.
            let metrics = Metric.allCases
            let columns = metrics.count * ks.count
            let context = "\(SIMDPath.active) seed \(seed) \(dtype) layout \(layout) C=\(c) ks \(ks) \(policy) \(batch.semantics)"
            for empty in EmptyRowPolicy.allCases {
              let configuration = try MAPConfiguration(ks: ks, metrics: metrics, emptyRows: empty, nanScores: policy)
              for weighted in [false, true] {
                // The expected state, summed exactly from the reference's values.
                let (expected, want) = try ReferenceMAP.expectedState(
                  configuration, scores: batch.rows.map(\.values), labels: (0..<batch.rows.count).map(batch.labels(ofRow:)),
                  semantics: batch.semantics, weights: weighted ? weights : nil)
                let (withRows, perRow) = try evaluate(batch, configuration, weights: weighted ? weights : nil, perRow: true)
                let (plain, _) = try evaluate(batch, configuration, weights: weighted ? weights : nil, perRow: false)
                #expect(withRows == expected, "\(context) \(empty) weighted \(weighted): state with per-row output")
                #expect(plain == expected, "\(context) \(empty) weighted \(weighted): state")
                for r in 0..<batch.rows.count {
                  for j in 0..<columns {
                    let got = perRow[r * columns + j], w = want[r * columns + j]
                    #expect(got.bitPattern == w.bitPattern || (got.isNaN && w.isNaN),
                            "\(context) row \(r) \(metrics[j / ks.count]) k=\(ks[j % ks.count]): \(got) vs \(w)")
                  }
                }
              }
            }
            // TensorFlow's AP@k alone (the pattern-counting path when the ks are small).
            for empty in EmptyRowPolicy.allCases {
              let configuration = try MAPConfiguration(ks: ks, emptyRows: empty, nanScores: policy)
              let (expected, want) = try ReferenceMAP.expectedState(
                configuration, scores: batch.rows.map(\.values), labels: (0..<batch.rows.count).map(batch.labels(ofRow:)),
                semantics: batch.semantics)
              let (withRows, perRow) = try evaluate(batch, configuration, weights: nil, perRow: true)
              let (plain, _) = try evaluate(batch, configuration, weights: nil, perRow: false)
              #expect(withRows == expected && plain == expected, "\(context) \(empty): AP alone")
              #expect(zip(perRow, want).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) },
                      "\(context) \(empty): AP alone, per row")
            }
          }
          // Under `.error`, the first NaN (lowest row, then lowest class) is reported.
          let firstRow = batch.rows.firstIndex { $0.values.contains(where: \.isNaN) }
          do {
            _ = try evaluate(batch, try MAPConfiguration(ks: ks), weights: nil, perRow: false)
            #expect(firstRow == nil, "\(SIMDPath.active) seed \(seed) \(dtype): a NaN went unreported")
          } catch MAPKError.nanScore(let row, let classIndex) {
            #expect(row == firstRow, "\(SIMDPath.active) seed \(seed) \(dtype): NaN row")
            #expect(classIndex == firstRow.flatMap { batch.rows[$0].values.firstIndex(where: \.isNaN) },
                    "\(SIMDPath.active) seed \(seed) \(dtype): NaN class")
          }
        }
      }
    }
  }

  func scoreType(_ dtype: DType) -> ScoreType {
    switch dtype {
    case .float16: return .float16
    case .float32: return .float32
    case .float64: return .float64
    case .bfloat16: return .bfloat16
    }
  }
}
