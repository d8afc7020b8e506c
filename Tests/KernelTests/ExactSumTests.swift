import MAPKKernel
import TestSupport
import XCTest

final class ExactSumTests: XCTestCase {
  func sum(_ values: [Double]) -> ExactSum {
    var s = ExactSum()
    for v in values { s.add(v) }
    return s
  }

  func testRightWhereANaiveSumIsWrong() {
    XCTAssertEqual(1e16 + 1 - 1e16, 0)  // the naive float64 sum loses the 1
    XCTAssertEqual(sum([1e16, 1, -1e16]).doubleValue, 1)
    XCTAssertEqual(sum([1e308, 1e308, -1e308, -1e308, 0.5]).doubleValue, 0.5)  // no overflow midway
    XCTAssertEqual(sum([0.1, 0.2, -0.3]).doubleValue, 0.1 + 0.2 - 0.3 == 0 ? 0 : 2.7755575615628914e-17)
    XCTAssertEqual(sum([.leastNonzeroMagnitude, .leastNonzeroMagnitude]).doubleValue, 2 * .leastNonzeroMagnitude)
    XCTAssertEqual(sum([]).doubleValue, 0)
  }

  func testTwoTermSumIsTheIEEESum() {
    // IEEE addition of two doubles is correctly rounded: an independent oracle.
    withEvery(seed: 1...20) { seed, rng in
      for _ in 0..<500 {
        let a = randomDouble(&rng), b = randomDouble(&rng)
        let expected = a + b
        let got = sum([a, b]).doubleValue
        XCTAssertTrue(got == expected || (got.isNaN && expected.isNaN), "seed \(seed): \(a) + \(b)")
      }
    }
  }

  func testQuotientIsTheIEEEQuotient() {
    // IEEE division is correctly rounded too, including subnormal results.
    withEvery(seed: 21...40) { seed, rng in
      for _ in 0..<300 {
        let a = abs(randomDouble(&rng)), b = abs(randomDouble(&rng))
        guard b != 0, a.isFinite, b.isFinite else { continue }
        XCTAssertEqual(ExactSum.quotient(sum([a]), sum([b])), a / b, "seed \(seed): \(a) / \(b)")
        XCTAssertEqual(ExactSum.quotient(sum([-a]), sum([b])), -a / b, "seed \(seed): -\(a) / \(b)")
      }
    }
    XCTAssertEqual(ExactSum.quotient(sum([1]), sum([3])), 1.0 / 3.0)
    XCTAssertEqual(ExactSum.quotient(sum([.leastNormalMagnitude]), sum([1e10])), Double.leastNormalMagnitude / 1e10)
    XCTAssertEqual(ExactSum.quotient(sum([.greatestFiniteMagnitude]), sum([0.5])), .infinity)
  }

  func testDivNoNan() {
    XCTAssertEqual(ExactSum.quotient(sum([.nan]), sum([])), 0)  // max == 0 gives 0, even over NaN
    XCTAssertEqual(ExactSum.quotient(sum([1, 2]), sum([0, 0])), 0)
    XCTAssertTrue(ExactSum.quotient(sum([.nan, 1]), sum([2])).isNaN)
    XCTAssertEqual(ExactSum.quotient(sum([0]), sum([2])), 0)
  }

  func testSpecialValues() {
    XCTAssertTrue(sum([1, .nan]).doubleValue.isNaN)
    XCTAssertEqual(sum([1, .infinity]).doubleValue, .infinity)
    XCTAssertEqual(sum([1, -.infinity]).doubleValue, -.infinity)
    XCTAssertTrue(sum([.infinity, -.infinity]).doubleValue.isNaN)
    XCTAssertEqual(sum([.greatestFiniteMagnitude, .greatestFiniteMagnitude]).doubleValue, .infinity)
  }

  func testTiesRoundToEven() {
    let big = 9007199254740992.0  // 2^53
    XCTAssertEqual(sum([big, 1]).doubleValue, big)  // exactly halfway: to even
    XCTAssertEqual(sum([big, 1, 1e-300]).doubleValue, big + 2)  // just above halfway: up
    XCTAssertEqual(sum([big, 3]).doubleValue, big + 4)  // halfway between 2^53+2 and +4: to even
  }

  func testAnyMergeTreeAndOrderGivesTheSameBits() {
    withEvery(seed: 100...110) { seed, rng in
      let values = (0..<2000).map { _ in randomDouble(&rng, finite: true) }
      let reference = sum(values)
      for _ in 0..<10 {
        // Random split into parts, each summed in a shuffled order, merged in random order and shape.
        var shuffled = values
        shuffled.shuffle(using: &rng)
        var parts: [ExactSum] = []
        var i = 0
        while i < shuffled.count {
          let n = Int.random(in: 1...300, using: &rng)
          parts.append(sum(Array(shuffled[i..<min(i + n, shuffled.count)])))
          i += n
        }
        while parts.count > 1 {
          let a = parts.remove(at: Int.random(in: 0..<parts.count, using: &rng))
          let j = Int.random(in: 0..<parts.count, using: &rng)
          parts[j].merge(a)
        }
        XCTAssertEqual(parts[0], reference, "seed \(seed)")
        XCTAssertEqual(parts[0].doubleValue.bitPattern, reference.doubleValue.bitPattern, "seed \(seed)")
      }
    }
  }

  func testManyAdditionsKeepExactness() {
    // Enough additions to force several lazy carry propagations of one limb.
    var s = ExactSum()
    let x = 4294967295.0  // 2^32 - 1: fills a whole limb each time
    for _ in 0..<3_000 { s.add(x); s.add(0.25) }
    XCTAssertEqual(s.doubleValue, 3_000 * x + 750)
  }

  /// Doubles over the whole exponent range, subnormals, zeros and specials.
  func randomDouble(_ rng: inout SplitMix64, finite: Bool = false) -> Double {
    switch Int.random(in: 0..<20, using: &rng) {
    case 0: return 0
    case 1: return Double(bitPattern: UInt64.random(in: 1..<(1 << 52), using: &rng))  // subnormal
    case 2 where !finite: return [.infinity, -.infinity, .nan][Int.random(in: 0..<3, using: &rng)]
    case 3..<10: return Double.random(in: -1...1, using: &rng)
    default:
      let bits = UInt64.random(in: 0..<(0x7FF0_0000_0000_0000), using: &rng)
      let sign: UInt64 = Bool.random(using: &rng) ? 1 << 63 : 0
      return Double(bitPattern: bits | sign)
    }
  }
}
