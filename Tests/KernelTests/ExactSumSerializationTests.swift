import MAPKKernel
import TestSupport
import XCTest

/// The lossless text form of `ExactSum`: hand-computed spellings, round trips
/// of random sums, and the malformed texts it must refuse.
final class ExactSumSerializationTests: XCTestCase {
  func sum(_ terms: [Double]) -> ExactSum {
    var s = ExactSum()
    for t in terms { s.add(t) }
    return s
  }

  func testHandComputedSpellings() {
    // 1 = 2^1074 units of 2^-1074 = 0x4 · 16^268.
    XCTAssertEqual(sum([1]).hexadecimal, "0x4" + String(repeating: "0", count: 268))
    // 0.5 = 2^1073 = 0x2 · 16^268, negated.
    XCTAssertEqual(sum([-0.5]).hexadecimal, "-0x2" + String(repeating: "0", count: 268))
    // The smallest subnormal is one unit.
    XCTAssertEqual(sum([.leastNonzeroMagnitude]).hexadecimal, "0x1")
    XCTAssertEqual(sum([.leastNonzeroMagnitude, -.leastNonzeroMagnitude * 3]).hexadecimal, "-0x2")
    XCTAssertEqual(sum([]).hexadecimal, "0x0")
    XCTAssertEqual(sum([1e16, 1, -1e16, -1]).hexadecimal, "0x0")
    // The largest double: (2^53 - 1) · 2^971 = (2^53 - 1) · 2^2045 units; 2045 = 4·511 + 1.
    let expected = String((UInt64(1) << 53 - 1) << 1, radix: 16) + String(repeating: "0", count: 511)
    XCTAssertEqual(sum([.greatestFiniteMagnitude]).hexadecimal, "0x" + expected)
  }

  func testRoundTripIsExact() throws {
    try withEvery(seed: 1...40) { seed, rng in
      var terms: [Double] = []
      for _ in 0..<Int.random(in: 0...60, using: &rng) {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0:
          let x = Double(bitPattern: rng.next())
          terms.append(x.isFinite ? x : 1)
        case 1: terms.append(Double.random(in: -1...1, using: &rng))
        case 2: terms.append(Double.random(in: -1e300...1e300, using: &rng))
        case 3: terms.append(Double(sign: .plus, exponent: -1074 + Int.random(in: 0...60, using: &rng), significand: 1))
        case 4: terms.append(-Double.greatestFiniteMagnitude)
        default: terms.append([Double.nan, .infinity, -.infinity][Int.random(in: 0..<3, using: &rng)])
        }
      }
      let s = sum(terms)
      let back = try ExactSum(
        hexadecimal: s.hexadecimal, nanCount: s.nanCount, positiveInfinityCount: s.positiveInfinityCount,
        negativeInfinityCount: s.negativeInfinityCount)
      XCTAssertEqual(back, s, "seed \(seed)")
      XCTAssertEqual(back.hexadecimal, s.hexadecimal, "seed \(seed)")
      XCTAssertEqual(back.doubleValue.bitPattern, s.doubleValue.bitPattern, "seed \(seed)")
      // A decoded state merges like the original.
      var a = back
      a.merge(s)
      var b = s
      b.merge(s)
      XCTAssertEqual(a, b, "seed \(seed)")
    }
  }

  func testSpecialCountsTravel() throws {
    let s = try ExactSum(hexadecimal: "-0x1", nanCount: 2, positiveInfinityCount: 3, negativeInfinityCount: 0)
    XCTAssertEqual(s.nanCount, 2)
    XCTAssertEqual(s.positiveInfinityCount, 3)
    XCTAssertTrue(s.doubleValue.isNaN)
    let inf = try ExactSum(hexadecimal: "0x0", positiveInfinityCount: 1)
    XCTAssertEqual(inf.doubleValue, .infinity)
  }

  func testMalformedTextIsRefused() {
    let tooLong = "0x1" + String(repeating: "0", count: 600)
    for bad in ["", "0x", "-", "-0x", "0X1", "1", "x1", "0x01", "-0x0", "0xg", "0xA", " 0x1", "0x1 ", "+0x1",
                "0x１", "0x-1", tooLong] {
      XCTAssertThrowsError(try ExactSum(hexadecimal: bad), "'\(bad)'") { error in
        XCTAssertFalse(String(describing: error).contains("\n"))
      }
    }
    XCTAssertThrowsError(try ExactSum(hexadecimal: "0x1", nanCount: -1))
    // The largest accepted magnitude still merges without overflow.
    let limit = "0x" + String(repeating: "f", count: (69 * 32 - 14) / 4)
    XCTAssertNoThrow(try {
      var a = try ExactSum(hexadecimal: limit)
      a.merge(try ExactSum(hexadecimal: limit))
      XCTAssertEqual(a.doubleValue, .infinity)
    }())
  }
}
