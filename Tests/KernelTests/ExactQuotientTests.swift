@testable import MAPKKernel
import TestSupport
import XCTest

/// The fast rounding of exact sums (`doubleValue`: the top 64 bits and a
/// sticky bit) and of their quotients (one 128-by-64-bit estimate, then an
/// exact correction) gives the bits of the old bit-by-bit long division,
/// kept as `BigMagnitude.referenceQuotient`, on seeded random sums over the whole
/// exponent range and on the cases where an estimate or a rounding is most
/// easily wrong: exact multiples, remainders one unit from 0 or from the
/// divisor, ties, subnormal and overflowing results.
final class ExactQuotientTests: XCTestCase {
  func sum(_ values: [Double]) -> ExactSum {
    var s = ExactSum()
    for v in values { s.add(v) }
    return s
  }

  /// `s` merged into itself to `m · s` (exact: merging adds the integers).
  func times(_ s: ExactSum, _ m: Int) -> ExactSum {
    var out = ExactSum()
    for _ in 0..<m { out.merge(s) }
    return out
  }

  func assertSame(_ got: Double, _ expected: Double, _ message: @autoclosure () -> String,
                  file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(got.bitPattern, expected.bitPattern, "\(message()): \(got) vs \(expected)", file: file, line: line)
  }

  /// A finite double: zero, subnormal, in [-1, 1], or any bit pattern.
  func randomDouble(_ rng: inout SplitMix64) -> Double {
    switch Int.random(in: 0..<10, using: &rng) {
    case 0: return 0
    case 1: return Double(bitPattern: UInt64.random(in: 1..<(1 << 52), using: &rng))
    case 2..<5: return Double.random(in: -1...1, using: &rng)
    case 5: return Double(Int.random(in: 0...1_000_000, using: &rng))  // counts, as weight sums are
    default:
      let bits = UInt64.random(in: 0..<0x7FF0_0000_0000_0000, using: &rng)
      return Double(bitPattern: bits | (Bool.random(using: &rng) ? 1 << 63 : 0))
    }
  }

  /// A sum of 1 to 40 doubles, of nearby or of far apart exponents (wide
  /// sums have hundreds of significant bits).
  func randomSum(_ rng: inout SplitMix64) -> ExactSum {
    let n = Int.random(in: 1...40, using: &rng)
    if Bool.random(using: &rng) { return sum((0..<n).map { _ in randomDouble(&rng) }) }
    let scale = Int.random(in: -960...960, using: &rng)  // every term finite and normal
    return sum((0..<n).map { _ in
      Double(sign: Bool.random(using: &rng) ? .minus : .plus, exponent: scale + Int.random(in: -60...60, using: &rng),
             significand: Double.random(in: 1..<2, using: &rng))
    })
  }

  func testSumsRoundAsTheLongDivisionDid() {
    withEvery(seed: 1...10) { seed, rng in
      for i in 0..<200 {
        let s = randomSum(&rng)
        assertSame(s.doubleValue, BigMagnitude.referenceValue(of: s), "seed \(seed) case \(i): \(s.hexadecimal)")
      }
    }
    // Ties to even and just past them, at and beyond 64 significant bits.
    let big = 9007199254740992.0  // 2^53
    for terms in [[big, 1], [big, 3], [big, 1, 0x1p-1074], [big, 3, -0x1p-1074], [0x1p80, 0x1p27],
                  [0x1p80, 0x1p27, 0x1p-1000], [0x1p80, 0x1p28, 0x1p27], [-0x1p1023, -0x1p970],
                  [0x1p1023, 0x1p1023], [0x1p-1022, -0x1p-1074], [.greatestFiniteMagnitude, 0x1p970]] {
      let s = sum(terms)
      assertSame(s.doubleValue, BigMagnitude.referenceValue(of: s), "\(terms)")
    }
  }

  func testQuotientsRoundAsTheLongDivisionDid() {
    withEvery(seed: 31...40) { seed, rng in
      for i in 0..<200 {
        let a = randomSum(&rng), b = randomSum(&rng)
        guard !b.isFiniteZero else { continue }
        assertSame(ExactSum.quotient(a, b), BigMagnitude.referenceQuotient(a, b),
                   "seed \(seed) case \(i): \(a.hexadecimal) / \(b.hexadecimal)")
      }
    }
  }

  func testExactMultiplesAndNearMultiples() {
    // Divisors of more than 64 bits (an estimate that may be one off) and of fewer.
    withEvery(seed: 61...70) { seed, rng in
      for i in 0..<40 {
        let b = randomSum(&rng)
        guard !b.isFiniteZero else { continue }
        let m = Int.random(in: 1...9, using: &rng)
        var multiple = times(b, m)
        var cases = [multiple]
        // One unit (2^-1074) above and below m·b: remainders of 1 and of |b| − 1.
        for unit in [Double.leastNonzeroMagnitude, -.leastNonzeroMagnitude] {
          var c = multiple
          c.add(unit)
          cases.append(c)
        }
        multiple.merge(sum([-.leastNonzeroMagnitude]))
        cases.append(times(multiple, 3))
        for (j, a) in cases.enumerated() {
          assertSame(ExactSum.quotient(a, b), BigMagnitude.referenceQuotient(a, b),
                     "seed \(seed) case \(i).\(j): \(a.hexadecimal) / \(b.hexadecimal)")
        }
      }
    }
  }

  func testQuotientTiesAndRangeEnds() {
    // d has 1,075 significant bits; n = d·(2^53 + 1) and n = d·(2^53 + 3) are exact
    // ties (to even: down, then up), and one unit more is past the tie.
    let d = [1.0, 0x1p-100]
    for (m, expected) in [(1.0, 0x1p53), (3.0, 0x1p53 + 4)] {
      var n = sum(d.map { $0 * 0x1p53 } + d.map { $0 * m })
      XCTAssertEqual(ExactSum.quotient(n, sum(d)), expected)
      assertSame(ExactSum.quotient(n, sum(d)), BigMagnitude.referenceQuotient(n, sum(d)), "tie \(m)")
      n.add(.leastNonzeroMagnitude)
      XCTAssertEqual(ExactSum.quotient(n, sum(d)), 0x1p53 + (m == 1 ? 2 : 4))
      assertSame(ExactSum.quotient(n, sum(d)), BigMagnitude.referenceQuotient(n, sum(d)), "past tie \(m)")
    }
    // A short divisor that is not a power of two: 3·(2^53 + 1) / (3·2^10) is a tie.
    XCTAssertEqual(ExactSum.quotient(sum([3 * 0x1p53, 3]), sum([3 * 0x1p10])), 0x1p43)
    // Subnormal, underflowing and overflowing quotients.
    for (a, b) in [([0x1p-1000], [0x1p60]), ([0x1p-1074], [3.0]), ([0x1p-1074], [1.5]), ([0x1p-1074], [0x1p60, 1]),
                   ([0x1p1023, 0x1p1022], [0x1p-2]), ([0x1p1023], [0.5, 0x1p-60]), ([-0x1p-1050], [0x1p24, 7])] {
      let q = ExactSum.quotient(sum(a), sum(b))
      assertSame(q, BigMagnitude.referenceQuotient(sum(a), sum(b)), "\(a) / \(b)")
      if a.count == 1 && b.count == 1 { XCTAssertEqual(q, a[0] / b[0], "IEEE \(a) / \(b)") }
    }
  }

  func testWideMagnitudesAsThePairedTTestDividesThem() {
    // Products of sums reach ~140 digits (`PairedTTest`); digits all ones or
    // all zeros but the top stress the estimate and the dropped-bit test.
    withEvery(seed: 81...90) { seed, rng in
      for i in 0..<60 {
        func magnitude() -> BigMagnitude {
          let count = Int.random(in: 1...150, using: &rng)
          let fill = Int.random(in: 0..<4, using: &rng)
          return BigMagnitude(digits: (0..<count).map { j in
            switch fill {
            case 0: UInt32.max
            case 1: j == count - 1 ? UInt32.random(in: 1...UInt32.max, using: &rng) : 0
            default: UInt32.random(in: 0...UInt32.max, using: &rng)
            }
          })
        }
        let a = magnitude(), b = magnitude()
        guard !b.isZero else { continue }
        for offset in [0, -b.bitWidth + a.bitWidth / 2, Int.random(in: -3000...3000, using: &rng)] {
          assertSame(BigMagnitude.roundedQuotient(a, b, exponentOffset: offset),
                     BigMagnitude.referenceQuotient(a, b, exponentOffset: offset),
                     "seed \(seed) case \(i): \(a.digits) / \(b.digits) · 2^\(offset)")
        }
      }
    }
  }
}
