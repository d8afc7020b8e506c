/// A Poisson bootstrap of ratio statistics Σ w·v / Σ w (TensorFlow Model
/// Analysis' method), with exact, mergeable replicate sums.
///
/// Each row r gets, for every replicate b, an independent count
/// c ~ Poisson(1) that is a pure function of (seed, r, b) (`CounterHash`
/// and `PoissonBootstrap.poissonCount(_:)`): not of the thread, the
/// shard or the order of rows. Replicate b's numerator Σ c·w·v (one per
/// statistic, e.g. one per k or per system) and its shared denominator
/// Σ c·w are exact sums in the layout of ``ExactSum`` (w·v enters as the two
/// doubles of its error-free product), so any split of rows, merged, gives
/// the same replicate values bit for bit, and so the same interval.
///
/// The sums are kept replicate-minor: limb i of statistic s is a run of B
/// integers, and a row adds c_b·digit to the three limbs its value touches
/// for all b at once, a loop over b that vectorizes. The counts c_b ≤ 12,
/// so a limb grows by less than 2³⁸ per row and the limbs are normalized
/// every 2²⁴ rows.
///
/// A pooled statistic (TensorFlow's precision and recall, Σ w·hits / Σ w·n)
/// has its own denominator: replicate b's value is Σ c·w·hits / Σ c·w·n, both
/// exact sums of the same layout, kept after the shared denominator
/// (``pooled`` says which statistics have one).
public struct PoissonBootstrap: Sendable {
  /// B, the number of replicates.
  public let replicates: Int
  /// The seed of the counts.
  public let seed: UInt64
  /// The number of numerators (statistics sharing the row counts and the denominator).
  public let statistics: Int
  /// Per statistic, true when it is a pooled ratio with its own denominator
  /// Σ c·w·n, false when it is a weighted mean over the shared Σ c·w.
  public let pooled: [Bool]
  /// Per statistic, the index of its denominator's sum: ``statistics`` (the
  /// shared Σ c·w) for a mean, `statistics + 1 + q` for the q-th pooled one.
  let denominatorSum: [Int]
  /// The sums kept: the numerators, the shared denominator, the pooled statistics' own denominators.
  var sumCount: Int { denominatorSum.count + 1 + pooledCount }
  /// The number of pooled statistics.
  let pooledCount: Int
  /// The rows added (weight-0 rows included: they add nothing).
  public internal(set) var rows = 0
  /// Limb i of sum s (s = statistics is the shared denominator, above it the
  /// pooled statistics' own) for replicate b is
  /// `limbs[(s · ExactSum.limbCount + i) · replicates + b]`.
  var limbs: [Int64]
  var rowsSinceNormalize = 0
  static let normalizeEvery = 1 << 24

  /// Creates the bootstrap of no rows.
  ///
  /// - Precondition: `replicates` ≥ 1, `statistics` ≥ 1.
  public init(replicates: Int, seed: UInt64, statistics: Int = 1) {
    self.init(replicates: replicates, seed: seed, pooled: Array(repeating: false, count: statistics))
  }

  /// Creates the bootstrap of no rows with one statistic per element of
  /// `pooled`: a weighted mean (false) over the shared denominator, or a
  /// pooled ratio (true) with its own.
  ///
  /// - Precondition: `replicates` ≥ 1, at least one statistic.
  public init(replicates: Int, seed: UInt64, pooled: [Bool]) {
    precondition(replicates >= 1 && !pooled.isEmpty)
    self.replicates = replicates
    self.seed = seed
    statistics = pooled.count
    self.pooled = pooled
    var next = pooled.count + 1
    denominatorSum = pooled.map { p in
      if !p { return pooled.count }
      defer { next += 1 }
      return next
    }
    pooledCount = pooled.filter { $0 }.count
    limbs = Array(repeating: 0, count: (statistics + 1 + pooledCount) * ExactSum.limbCount * replicates)
  }

  /// round(F(k)·2⁶⁴), F the Poisson(1) CDF, k = 0 … 19 (F(19) is the last
  /// below 1 − 2⁻⁶⁴); made with mpmath by `Scripts/oracle/stats_cases.py`.
  /// The counts use `thresholds32`, rounded from these.
  static let thresholds: [UInt64] = [
    0x5E2D_58D8_B3BC_DF1B, 0xBC5A_B1B1_6779_BE35, 0xEB71_5E1D_C158_2DC3, 0xFB23_9797_34A2_52F2,
    0xFF10_25F5_9174_DC3E, 0xFFD9_0F3B_A405_5E1A, 0xFFFA_8B71_FC72_C914, 0xFFFF_540C_0914_B3CA,
    0xFFFF_ED1F_4AA8_F120, 0xFFFF_FE21_6E64_1463, 0xFFFF_FFD4_D85D_3183, 0xFFFF_FFFC_6DA2_62B5,
    0xFFFF_FFFF_BA12_D179, 0xFFFF_FFFF_FB07_C64D, 0xFFFF_FFFF_FFAB_8EA5, 0xFFFF_FFFF_FFFA_BE22,
    0xFFFF_FFFF_FFFF_B11A, 0xFFFF_FFFF_FFFF_FBA1, 0xFFFF_FFFF_FFFF_FFC5, 0xFFFF_FFFF_FFFF_FFFD,
  ]

  /// round(F(k)·2³²), k = 0 … 11 (F(11) is the last below 1 − 2⁻³³), from
  /// ``thresholds``: F(k)·2³² is T_k/2³² within 2⁻³², so rounding T_k/2³²
  /// gives round(F(k)·2³²) wherever T_k's low 32 bits are not within 1 of
  /// 2³¹ (none is; tested).
  static let thresholds32: [UInt32] = thresholds.compactMap { t in
    let rounded = (t >> 32) + ((t >> 31) & 1)
    return rounded < 1 << 32 ? UInt32(rounded) : nil
  }

  /// A Poisson(1) count from 32 uniform bits by the inverse CDF: the number
  /// of thresholds `bits` reaches, so P(k) = (T_k − T_(k−1))/2³², Poisson(1)
  /// to within 2⁻³² per value (0 … 12; P(c > 12) = 1e-10 is given to 12).
  static func poissonCount(_ bits: UInt32) -> UInt32 {
    thresholds32.withUnsafeBufferPointer { poissonCount(bits, $0) }
  }

  /// ``poissonCount(_:)`` with the table's storage at hand (the hot loop's form).
  @inline(__always)
  static func poissonCount(_ bits: UInt32, _ t: UnsafeBufferPointer<UInt32>) -> UInt32 {
    var k: UInt32 = 0
    for x in t { k += bits >= x ? 1 : 0 }
    return k
  }

  /// The Poisson count of row `row` in replicate `replicate` under `seed`:
  /// one 64-bit counter-based draw gives two replicates' counts, replicate
  /// 2p from its low 32 bits and 2p + 1 from its high 32 bits.
  public static func count(seed: UInt64, row: Int, replicate: Int) -> Int {
    let draw = CounterHash.draw(CounterHash.rowStart(seed: seed, domain: CounterHash.poissonDomain, row: row), replicate >> 1)
    return Int(poissonCount(UInt32(truncatingIfNeeded: replicate & 1 == 0 ? draw : draw >> 32)))
  }

  /// Adds rows `firstRow ..< firstRow + n` (global indices, which key the
  /// counts): `values` holds n·statistics values row-major (row i's are
  /// `values[i·statistics ..< (i+1)·statistics]`), `weights` n weights or nil
  /// for weight 1. Rows of weight 0 are skipped (they add nothing).
  ///
  /// - Precondition: values and weights finite.
  /// - Complexity: O(n·B·(statistics + 1)).
  public mutating func add(values: UnsafeBufferPointer<Double>, weights: UnsafeBufferPointer<Double>?, firstRow: Int) {
    add(values: values, denominators: nil, weights: weights, meansDefined: nil, firstRow: firstRow)
  }

  /// Adds rows `firstRow ..< firstRow + n` with pooled statistics: as
  /// ``add(values:weights:firstRow:)``, where a pooled statistic's entry of
  /// `values` is the row's numerator (hits) and the same entry of
  /// `denominators` its denominator (n), and `meansDefined`, when given,
  /// says per row whether the weighted means (and the shared denominator)
  /// take the row (a row without labels under `skip` or `nan`: not). A
  /// pooled statistic takes every row of nonzero weight (its parts as the
  /// metric's sums take them).
  ///
  /// - Precondition: `denominators` given (n·statistics) when a statistic
  ///   is pooled; the values the row adds finite.
  /// - Complexity: O(n·B·(statistics + 1 + pooled)).
  public mutating func add(values: UnsafeBufferPointer<Double>, denominators: UnsafeBufferPointer<Double>?,
                           weights: UnsafeBufferPointer<Double>?, meansDefined: UnsafeBufferPointer<Bool>?,
                           firstRow: Int) {
    let s = statistics
    precondition(values.count % s == 0, "values must hold a whole number of rows")
    let n = values.count / s
    precondition(weights == nil || weights!.count == n, "one weight per row")
    precondition(meansDefined == nil || meansDefined!.count == n, "one flag per row")
    precondition(pooledCount == 0 || denominators?.count == values.count, "pooled statistics need their denominators")
    // In pieces of at most `normalizeEvery` rows between normalizations, so
    // no limb can overflow however many rows one call brings.
    var done = 0
    while done < n {
      let piece = min(n - done, Self.normalizeEvery - rowsSinceNormalize)
      addPiece(values: UnsafeBufferPointer(rebasing: values[(done * s)..<((done + piece) * s)]),
               denominators: denominators.map { UnsafeBufferPointer(rebasing: $0[(done * s)..<((done + piece) * s)]) },
               weights: weights.map { UnsafeBufferPointer(rebasing: $0[done..<(done + piece)]) },
               meansDefined: meansDefined.map { UnsafeBufferPointer(rebasing: $0[done..<(done + piece)]) },
               firstRow: firstRow + done)
      done += piece
    }
  }

  /// ``add(values:denominators:weights:meansDefined:firstRow:)`` for at most
  /// the rows left before the next normalization.
  mutating func addPiece(values: UnsafeBufferPointer<Double>, denominators: UnsafeBufferPointer<Double>?,
                         weights: UnsafeBufferPointer<Double>?, meansDefined: UnsafeBufferPointer<Bool>?,
                         firstRow: Int) {
    let s = statistics
    let n = values.count / s
    let B = replicates, L = ExactSum.limbCount, seed = self.seed
    let table = Self.thresholds32, cells = Self.countTable
    let pooled = self.pooled, denominatorSum = self.denominatorSum, anyPooled = pooledCount > 0
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: B) { buffer in
      let counts = UnsafePointer(buffer.baseAddress!)
      table.withUnsafeBufferPointer { table in
      cells.withUnsafeBufferPointer { cells in
      limbs.withUnsafeMutableBufferPointer { limbs in
        for i in 0..<n {
          let w = weights?[i] ?? 1
          precondition(w.isFinite, "bootstrap weights must be finite")
          let means = meansDefined?[i] ?? true
          // A row no statistic takes adds nothing.
          if w == 0 || (!means && !anyPooled) { continue }
          let start = CounterHash.rowStart(seed: seed, domain: CounterHash.poissonDomain, row: firstRow + i)
          // Two replicates per draw (`count(seed:row:replicate:)`).
          for p in 0..<(B >> 1) {
            let draw = CounterHash.draw(start, p)
            buffer[2 * p] = Self.tabledCount(UInt32(truncatingIfNeeded: draw), cells.baseAddress!, table)
            buffer[2 * p + 1] = Self.tabledCount(UInt32(truncatingIfNeeded: draw >> 32), cells.baseAddress!, table)
          }
          if B & 1 == 1 {
            buffer[B - 1] = Self.tabledCount(UInt32(truncatingIfNeeded: CounterHash.draw(start, B >> 1)),
                                             cells.baseAddress!, table)
          }
          for j in 0..<s {
            if anyPooled && pooled[j] {
              // The pooled ratio's parts: w·hits to its numerator, w·n to its own denominator.
              let v = values[i * s + j], d = denominators![i * s + j]
              precondition(v.isFinite && d.isFinite, "bootstrap values must be finite")
              Self.scatterProduct(w, v, counts, limbs.baseAddress! + j * L * B, B)
              Self.scatterProduct(w, d, counts, limbs.baseAddress! + denominatorSum[j] * L * B, B)
              continue
            }
            if !means { continue }
            let v = values[i * s + j]
            precondition(v.isFinite, "bootstrap values must be finite")
            let high = w * v
            Self.scatter(high, counts, limbs.baseAddress! + j * L * B, B)
            if w != 1 { Self.scatter((-high).addingProduct(w, v), counts, limbs.baseAddress! + j * L * B, B) }
          }
          if means { Self.scatter(w, counts, limbs.baseAddress! + s * L * B, B) }
        }
      }
      }
      }
    }
    rows += n
    rowsSinceNormalize += n
    if rowsSinceNormalize >= Self.normalizeEvery { normalize() }
  }

  /// Propagates carries in every replicate's sums (the value is unchanged).
  mutating func normalize() {
    let B = replicates, L = ExactSum.limbCount, sums = sumCount
    limbs.withUnsafeMutableBufferPointer { l in
      for sum in 0..<sums {
        let base = sum * L * B
        for b in 0..<B {
          var carry: Int64 = 0
          for i in 0..<(L - 1) {
            let v = l[base + i * B + b] &+ carry
            l[base + i * B + b] = v & 0xFFFF_FFFF
            carry = v >> 32
          }
          l[base + (L - 1) * B + b] &+= carry
        }
      }
    }
    rowsSinceNormalize = 0
  }

  /// Adds another partial bootstrap of the same design (other rows).
  ///
  /// - Precondition: the same replicates, seed and statistics.
  /// - Complexity: O(B·statistics·limbs).
  public mutating func merge(_ other: PoissonBootstrap) {
    precondition(replicates == other.replicates && seed == other.seed && statistics == other.statistics
                   && pooled == other.pooled, "merging different bootstraps")
    normalize()
    var other = other
    other.normalize()
    for i in limbs.indices { limbs[i] &+= other.limbs[i] }
    rows += other.rows
    normalize()
  }

  /// Replicate b's exact sum `sum` (a statistic's numerator, or the
  /// denominator when `sum == statistics`), minus `minus`'s when given.
  func exactSum(_ sum: Int, minus: Int? = nil, replicate b: Int) -> ExactSum {
    var e = ExactSum()
    let L = ExactSum.limbCount, B = replicates
    for i in 0..<L {
      e.limbs[i] = limbs[(sum * L + i) * B + b]
      if let m = minus { e.limbs[i] &-= limbs[(m * L + i) * B + b] }
    }
    e.normalize()
    return e
  }

  /// Replicate b's numerator of `statistic`, Σ c·w·v, exactly.
  public func numerator(statistic: Int, replicate: Int) -> ExactSum { exactSum(statistic, replicate: replicate) }

  /// Replicate b's denominator, Σ c·w, exactly.
  public func denominator(replicate: Int) -> ExactSum { exactSum(statistics, replicate: replicate) }

  /// Replicate b's denominator of `statistic`: Σ c·w·n for a pooled one, else the shared Σ c·w.
  public func denominator(statistic: Int, replicate: Int) -> ExactSum {
    exactSum(denominatorSum[statistic], replicate: replicate)
  }

  /// The B replicate values of `statistic`, Σ c·w·v / Σ c·w, or of the
  /// difference `statistic − minus` of two statistics over the same counts
  /// (the paired bootstrap of a difference); 0 when a replicate's
  /// denominator is 0 (the metric's `div_no_nan`).
  ///
  /// Each value is fl(N / D) where N and D are the exact sums each correctly
  /// rounded to a double: within 1.5 ulp of the exact ratio and, above all, a
  /// function of the exact sums only, so the same bits for any split (an
  /// exactly rounded big-integer division per replicate would cost more than
  /// the interval is worth).
  ///
  /// - Complexity: O(B·limbs).
  public func replicateValues(statistic: Int, minus: Int? = nil) -> [Double] {
    let L = ExactSum.limbCount, B = replicates
    if pooled[statistic] || minus.map({ pooled[$0] }) == true {
      // A pooled ratio has its own denominator: the difference of two ratios,
      // each fl(N/D) of its exact sums, is rounded once more.
      let a = ratios(statistic)
      guard let minus else { return a }
      let b = ratios(minus)
      return (0..<B).map { a[$0] - b[$0] }
    }
    return [Double](unsafeUninitializedCapacity: B) { out, initialized in
      withUnsafeTemporaryAllocation(of: Int64.self, capacity: L) { column in
        limbs.withUnsafeBufferPointer { l in
          for b in 0..<B {
            for i in 0..<L {
              column[i] = l[(statistic * L + i) * B + b]
              if let m = minus { column[i] &-= l[(m * L + i) * B + b] }
            }
            let numerator = Self.roundedValue(column)
            for i in 0..<L { column[i] = l[(statistics * L + i) * B + b] }
            let denominator = Self.roundedValue(column)
            out[b] = denominator == 0 ? 0 : numerator / denominator
          }
        }
      }
      initialized = B
    }
  }

  /// Statistic `statistic`'s B replicate ratios fl(N/D) over its own
  /// denominator (0 when D = 0).
  func ratios(_ statistic: Int) -> [Double] {
    let L = ExactSum.limbCount, B = replicates, d = denominatorSum[statistic]
    return [Double](unsafeUninitializedCapacity: B) { out, initialized in
      withUnsafeTemporaryAllocation(of: Int64.self, capacity: L) { column in
        limbs.withUnsafeBufferPointer { l in
          for b in 0..<B {
            for i in 0..<L { column[i] = l[(statistic * L + i) * B + b] }
            let numerator = Self.roundedValue(column)
            for i in 0..<L { column[i] = l[(d * L + i) * B + b] }
            let denominator = Self.roundedValue(column)
            out[b] = denominator == 0 ? 0 : numerator / denominator
          }
        }
      }
      initialized = B
    }
  }

  /// The value of ``ExactSum``-layout limbs (any carries pending), correctly
  /// rounded to a double: carries propagated, the sign taken, then the top
  /// 64 bits of the magnitude and a sticky bit for the rest rounded once.
  ///
  /// - Complexity: O(limbs).
  static func roundedValue(_ limbs: UnsafeMutableBufferPointer<Int64>) -> Double {
    let L = limbs.count
    var carry: Int64 = 0
    for i in 0..<(L - 1) {
      let v = limbs[i] &+ carry
      limbs[i] = v & 0xFFFF_FFFF
      carry = v >> 32
    }
    limbs[L - 1] &+= carry
    let negative = limbs[L - 1] < 0
    if negative {
      var borrow: Int64 = 1  // two's complement over base-2^32 digits
      for i in 0..<L {
        let v = (~limbs[i] & 0xFFFF_FFFF) &+ borrow
        limbs[i] = v & 0xFFFF_FFFF
        borrow = v >> 32
      }
    }
    var top = L - 1
    while top >= 0 && limbs[top] == 0 { top -= 1 }
    if top < 0 { return 0 }
    func digit(_ i: Int) -> UInt64 { i >= 0 ? UInt64(limbs[i]) : 0 }
    let width = 64 - digit(top).leadingZeroBitCount  // 1 … 32
    // The top 64 bits: digit(top) · 2^(64−width) + digit(top−1) · 2^(32−width) + digit(top−2) / 2^width.
    let q = (digit(top) << UInt64(64 - width)) | (digit(top - 1) << UInt64(32 - width)) | (digit(top - 2) >> UInt64(width))
    var sticky = digit(top - 2) & ((1 << UInt64(width)) - 1) != 0
    var i = top - 3
    while !sticky && i >= 0 { sticky = limbs[i] != 0; i -= 1 }
    let magnitude = BigMagnitude.roundToDouble(q, sticky: sticky, exponent: 32 * top - 64 + width - ExactSum.bias)
    return negative ? -magnitude : magnitude
  }

  /// The percentile interval at `level` of `statistic` (or of `statistic − minus`).
  ///
  /// With the B replicate values sorted, θ₍₁₎ ≤ … ≤ θ₍B₎, and α = 1 − level,
  /// the interval is [θ₍ⱼ₎, θ₍B+1−ⱼ₎] with j = ⌊(B + 1)·α/2⌋ clamped to
  /// 1 … ⌊(B + 1)/2⌋ (Davison & Hinkley's (B + 1) rule, symmetric in the
  /// order statistics): B = 999 at 95% uses θ₍₂₅₎ and θ₍₉₇₅₎, B = 1000 uses
  /// θ₍₂₅₎ and θ₍₉₇₆₎. The floor allows 1e-9 for the rounding of α
  /// (1 − 0.95 is not 0.05 in doubles).
  ///
  /// - Precondition: 0 < level < 1.
  public func percentileInterval(level: Double, statistic: Int, minus: Int? = nil) -> (lower: Double, upper: Double) {
    let sorted = replicateValues(statistic: statistic, minus: minus).sorted()
    let (j, k) = Self.orderStatistics(replicates: replicates, level: level)
    return (sorted[j - 1], sorted[k - 1])
  }

  /// The 1-based order statistics (j, B + 1 − j) of the percentile interval.
  public static func orderStatistics(replicates B: Int, level: Double) -> (lower: Int, upper: Int) {
    precondition(level > 0 && level < 1, "the level must be in (0, 1)")
    let alpha = 1 - level
    var j = Int((Double(B + 1) * alpha / 2 + 1e-9).rounded(.down))
    j = min(max(j, 1), (B + 1) / 2)
    return (j, B + 1 - j)
  }
}

extension PoissonBootstrap: Equatable {
  /// The same design and the same exact replicate sums.
  public static func == (a: PoissonBootstrap, b: PoissonBootstrap) -> Bool {
    guard a.replicates == b.replicates && a.seed == b.seed && a.pooled == b.pooled && a.rows == b.rows else {
      return false
    }
    var x = a, y = b
    x.normalize(); y.normalize()
    return x.limbs == y.limbs
  }
}
