import Dispatch
import MAPKShards

/// A parallel pass over scores: range of the finite ones, NaN and infinity counts.
struct ScoreScan {
  var minimum = Double.infinity, maximum = -Double.infinity
  var finite = 0, nan = 0, infinite = 0
  /// How many of the `infinite` are -inf.
  var negativeInfinite = 0

  /// The range of the non-NaN values, infinities included: `min -inf, max 0.9`; nil if there are none.
  var range: String? {
    guard finite + infinite > 0 else { return nil }
    let low = negativeInfinite > 0 ? "-inf" : "\(minimum)"
    let high = infinite > negativeInfinite ? "+inf" : "\(maximum)"
    return "min \(low), max \(high)"
  }

  init() {}

  /// Scans every score of `scores` on `threads` workers.
  init(_ scores: ScoreMatrix, threads: Int) {
    let count = scores.rows * scores.classes
    let parts = max(1, min(threads * 8, count / (1 << 16) + 1))
    let partials = WorkerSlots<ScoreScan>(count: parts)
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      var local = ScoreScan()
      let range = (count * part / parts)..<(count * (part + 1) / parts)
      switch scores.type {
      case .float16:
        let p = scores.base.assumingMemoryBound(to: UInt16.self)
        for i in range { local.see(ScoreScan.double(half: p[i])) }
      case .float32:
        let p = scores.base.assumingMemoryBound(to: Float.self)
        for i in range { local.see(Double(p[i])) }
      case .float64:
        let p = scores.base.assumingMemoryBound(to: Double.self)
        for i in range { local.see(p[i]) }
      case .bfloat16:
        // A bfloat16 is the top half of a float32: exact.
        let p = scores.base.assumingMemoryBound(to: UInt16.self)
        for i in range { local.see(Double(Float(bitPattern: UInt32(p[i]) << 16))) }
      }
      partials.store(local, at: part)
    }
    var total = ScoreScan()
    for p in partials.values { total.merge(p) }
    self = total
  }

  @inline(__always)
  mutating func see(_ x: Double) {
    if x.isNaN {
      nan += 1
    } else if x.isInfinite {
      infinite += 1
      if x < 0 { negativeInfinite += 1 }
    } else {
      finite += 1
      if x < minimum { minimum = x }
      if x > maximum { maximum = x }
    }
  }

  mutating func merge(_ o: ScoreScan) {
    minimum = min(minimum, o.minimum)
    maximum = max(maximum, o.maximum)
    finite += o.finite
    nan += o.nan
    infinite += o.infinite
    negativeInfinite += o.negativeInfinite
  }

  /// The value of IEEE binary16 bits (exact: every float16 is a double).
  static func double(half bits: UInt16) -> Double {
    let sign = bits & 0x8000 != 0 ? -1.0 : 1.0
    let exponent = Int((bits >> 10) & 0x1F), fraction = Double(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24  // subnormal
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
    }
  }
}
