/// The sampled randomization test from exact per-replicate sums: the form a
/// compare state carries across shards (`mapk compare --shard I/N --state S`).
///
/// Within one process ``RandomizationSums`` keeps float sums and resolves the
/// rare replicate within its error bound by summing it again exactly over
/// all rows. A shard cannot: the bound depends on the observed sum of all
/// rows, which no shard knows, and the merge has no rows. So a shard keeps,
/// per replicate b, the exact sum Σ sᵢdᵢ of its rows (signs drawn exactly as
/// ``RandomizationSums`` draws them, keyed by the global row index); the
/// shards' exact sums add to the exact sums of all rows, and every
/// comparison |S_b| ≥ |S_obs| is then decided exactly. The single run decides
/// the same comparisons exactly too, so both count the same replicates and
/// give the same p, bit for bit.
extension RandomizationTest {
  /// Per replicate in `replicates`, the exact sum Σ sᵢdᵢ over rows
  /// `firstRow ..< firstRow + differences.count` (global indices, which key
  /// the signs as in ``RandomizationSums``). A zero difference adds nothing
  /// and is skipped.
  ///
  /// - Complexity: O(n·|replicates|), one hash per row and block of 64 replicates.
  public static func exactReplicateSums(differences: UnsafeBufferPointer<Double>, firstRow: Int,
                                        replicates: Range<Int>, seed: UInt64) -> [ExactSum] {
    var sums = [ExactSum](repeating: ExactSum(), count: replicates.count)
    guard !replicates.isEmpty else { return sums }
    let rows = differences.indices.filter { differences[$0] != 0 }
    if let fixed = FixedPoint(rows.map { differences[$0] }) {
      // Fast path: the rows' d as 128-bit integers in units of 2^scale, summed per replicate exactly.
      let values = fixed.values
      var b = replicates.lowerBound
      var lanes = [Int128](repeating: 0, count: 64)
      while b < replicates.upperBound {
        let block = b >> 6
        let end = min(replicates.upperBound, (block + 1) << 6)
        for j in lanes.indices { lanes[j] = 0 }
        lanes.withUnsafeMutableBufferPointer { acc in
          for (k, i) in rows.enumerated() {
            let v = values[k]
            let h = CounterHash.draw(CounterHash.rowStart(seed: seed, domain: CounterHash.signDomain, row: firstRow + i), block)
            for r in b..<end {
              // Bit r mod 64 set: −v (as `RandomizationSums.add` flips the sign bit), branch-free.
              let negative = Int128(truncatingIfNeeded: -Int64((h >> UInt64(r & 63)) & 1))
              acc[r & 63] &+= (v ^ negative) &- negative
            }
          }
        }
        for r in b..<end { sums[r - replicates.lowerBound] = fixed.exactSum(lanes[r & 63]) }
        b = end
      }
      return sums
    }
    sums.withUnsafeMutableBufferPointer { out in
      var b = replicates.lowerBound
      while b < replicates.upperBound {
        // The replicates of one 64-lane block share a row's hash.
        let block = b >> 6
        let end = min(replicates.upperBound, (block + 1) << 6)
        for i in rows {
          let d = differences[i]
          let h = CounterHash.draw(CounterHash.rowStart(seed: seed, domain: CounterHash.signDomain, row: firstRow + i), block)
          for r in b..<end {
            // Bit r mod 64 of the hash is the sign, as in `RandomizationSums.add`.
            out[r - replicates.lowerBound].add(Double(bitPattern: d.bitPattern ^ ((h >> UInt64(r & 63)) << 63)))
          }
        }
        b = end
      }
    }
    return sums
  }

  /// Nonzero finite doubles as exact 128-bit integers in units of one power
  /// of two, when every sum of ± them fits: each is m·2^e with m < 2^53, so
  /// with `scale` the lowest set bit among them and `top` the highest, each
  /// is an integer below 2^(top − scale), and a sum of n of them is below
  /// n·2^(top − scale). Within 2^126 no sum can overflow, and an integer
  /// sum converts back to an `ExactSum` in pieces of 52 bits, each a double
  /// exactly (`exactSum(_:)`). Metric values' differences span some 60 to
  /// 80 bits, so this is the common case; otherwise (a non-finite d, or a
  /// span too wide) the caller adds each term to `ExactSum`s.
  struct FixedPoint {
    /// The power of two of one unit.
    let scale: Int
    /// The values, in units of 2^scale.
    let values: [Int128]

    init?(_ d: [Double]) {
      var low = Int.max, high = Int.min
      for x in d {
        guard x.isFinite, x != 0 else { return nil }
        let (m, e) = Self.parts(x)
        low = min(low, e + m.trailingZeroBitCount)
        high = max(high, e + 64 - m.leadingZeroBitCount)
      }
      guard !d.isEmpty else { return nil }
      // |sum| < n · 2^(high − low) ≤ 2^(bits of n + high − low) must stay below 2^126.
      let countBits = Int.bitWidth - d.count.leadingZeroBitCount
      guard high - low + countBits <= 126 else { return nil }
      scale = low
      values = d.map { x in
        let (m, e) = Self.parts(x)
        let v = Int128(m) << (e - low)
        return x < 0 ? -v : v
      }
    }

    /// x = m · 2^e with m the significand as an integer (x finite, nonzero).
    static func parts(_ x: Double) -> (m: UInt64, e: Int) {
      x.isNormal ? (x.significandBitPattern | (1 << 52), Int(x.exponentBitPattern) - 1075)
        : (x.significandBitPattern, -1074)
    }

    /// `sum` units of 2^scale as an exact sum: 52-bit pieces, each c · 2^(scale + 52·j)
    /// with c < 2^52, a double exactly (its lowest bit is at least 2^scale ≥ 2⁻¹⁰⁷⁴).
    func exactSum(_ sum: Int128) -> ExactSum {
      var s = ExactSum()
      let negative = sum < 0
      var magnitude = sum.magnitude
      var exponent = scale
      while magnitude != 0 {
        let piece = Double(UInt64(truncatingIfNeeded: magnitude & ((1 << 52) - 1)))
        if piece != 0 {
          let term = Double(sign: .plus, exponent: exponent, significand: piece)
          s.add(negative ? -term : term)
        }
        magnitude >>= 52
        exponent += 52
      }
      return s
    }
  }

  /// p = (1 + #{b : |S_b| ≥ |S_obs|}) / (1 + B) from exact sums, every
  /// comparison exact: what ``RandomizationSums/pValue(resolve:)`` gives for
  /// the same rows, seed and B.
  ///
  /// - Parameters:
  ///   - observed: Σ dᵢ over all rows in the test, exact.
  ///   - replicateSums: Per replicate, Σ sᵢdᵢ over the same rows, exact.
  /// - Returns: NaN if a difference was not finite (a sum has NaN or infinite terms).
  /// - Complexity: O(B · limbs).
  public static func pValue(observed: ExactSum, replicateSums: [ExactSum]) -> Double {
    if observed.hasSpecialTerms || replicateSums.contains(where: \.hasSpecialTerms) { return .nan }
    var extreme = 0
    for s in replicateSums where atLeast(s, observed) { extreme += 1 }
    return Double(1 + extreme) / Double(1 + replicateSums.count)
  }
}
