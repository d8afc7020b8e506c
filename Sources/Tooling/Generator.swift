import MAPKShards

/// A synthetic multi-label dump that looks like a real model's output:
/// scores correlated with the labels, rows of varying difficulty, and ties.
///
/// Every row is a pure function of `(seed, row)` (a counter-based random
/// stream, no state carried from row to row), so rows can be made in any
/// order on any number of threads and the same seed always gives the same
/// bytes.
///
/// The model, per row `r`:
/// - `1 ... labelsPerRow` distinct labels (uniform count), uniform over the
///   classes, sorted ascending;
/// - a difficulty `h` uniform in [0, 1);
/// - a logit per class, about normal with mean 0 for other classes and
///   `1 + 5h` for the row's labels (a sum of four uniforms, scaled to unit
///   variance: cheap, and bell-shaped enough);
/// - score = clamp((logit + 4) / 12, 0, 1), rounded to a multiple of 1/1024,
///   so that nearby scores tie (about one tie in the top 10 of a row of 1000
///   classes). Multiples of 1/1024 in [0, 1] are exact in float16, float32
///   and float64, so every dtype ranks the same.
///
/// With 1000 classes and up to 5 labels per row, MAP@10 is about 0.66.
package struct Generator: Sendable {
  /// The number of rows.
  package let rows: Int
  /// The number of classes.
  package let classes: Int
  /// The most labels a row has (each row has 1 to this many).
  package let labelsPerRow: Int
  /// The seed.
  package let seed: UInt64

  /// Scores are multiples of 1 / `scoreSteps`.
  package static let scoreSteps = 1024

  /// The most labels a row may have (4,096): drawing a row's labels costs
  /// O(labels²) and its scratch O(labels) per worker.
  package static let maximumLabelsPerRow = 4096

  /// Creates a generator.
  /// - Throws: ``MAPKError/shapeMismatch(_:)`` naming a count out of range
  ///   (rows >= 0, 1 <= classes < 2^31, 1 <= labelsPerRow <= classes).
  package init(rows: Int, classes: Int, labelsPerRow: Int, seed: UInt64) throws {
    guard rows >= 0 else { throw MAPKError.shapeMismatch("rows must be >= 0 (got \(rows))") }
    guard classes >= 1, classes <= Int(Int32.max) else {
      throw MAPKError.shapeMismatch("classes must be between 1 and 2^31 - 1 (got \(classes))")
    }
    guard labelsPerRow >= 1, labelsPerRow <= min(classes, Self.maximumLabelsPerRow) else {
      throw MAPKError.shapeMismatch("labels per row must be between 1 and the classes, \(classes), and at most "
                                    + "\(Self.maximumLabelsPerRow) (got \(labelsPerRow))")
    }
    self.rows = rows
    self.classes = classes
    self.labelsPerRow = labelsPerRow
    self.seed = seed
  }

  /// A 64-bit mixing function (the finalizer of SplitMix64): a bijection
  /// whose outputs for consecutive inputs look independent.
  @inline(__always)
  static func mix(_ x: UInt64) -> UInt64 {
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// The key of row `r`'s random stream.
  @inline(__always)
  func key(ofRow r: Int) -> UInt64 {
    Generator.mix(seed &* 0x9E37_79B9_7F4A_7C15 &+ Generator.mix(UInt64(r) &+ 0x632B_E59B_D9B4_E019))
  }

  /// The `i`-th random 64 bits of the stream `key`.
  @inline(__always)
  static func bits(_ key: UInt64, _ i: UInt64) -> UInt64 { mix(key &+ i &* 0x9E37_79B9_7F4A_7C15) }

  /// A uniform double in [0, 1) from 64 random bits.
  @inline(__always)
  static func unit(_ bits: UInt64) -> Double { Double(bits >> 11) * 0x1p-53 }

  /// The number of labels of row `r`, 1 ... ``labelsPerRow``.
  package func labelCount(ofRow r: Int) -> Int {
    1 + Int(Generator.bits(key(ofRow: r), 0) % UInt64(labelsPerRow))
  }

  /// Writes row `r`'s labels, distinct and ascending, to `out` (room for
  /// ``labelsPerRow``) and returns how many there are.
  ///
  /// - Complexity: O(m²) for m labels (Floyd's sampling with a sorted insert; m is small).
  package func labels(ofRow r: Int, into out: UnsafeMutablePointer<Int32>) -> Int {
    let key = key(ofRow: r)
    let m = labelCount(ofRow: r)
    var n = 0
    // Floyd's algorithm: m distinct values of 0..<classes, each subset equally likely.
    for j in (classes - m)..<classes {
      let t = Int32(Generator.bits(key, UInt64(2 + j - (classes - m))) % UInt64(j + 1))
      let value = contains(out, n, t) ? Int32(j) : t
      var i = n
      while i > 0 && out[i - 1] > value {
        out[i] = out[i - 1]
        i -= 1
      }
      out[i] = value
      n += 1
    }
    return n
  }

  private func contains(_ p: UnsafeMutablePointer<Int32>, _ n: Int, _ v: Int32) -> Bool {
    for i in 0..<n where p[i] == v { return true }
    return false
  }

  /// Writes row `r`'s scores for every class to `out`, as multiples of
  /// 1 / ``scoreSteps`` in [0, 1], given the row's labels (ascending).
  ///
  /// - Complexity: O(classes).
  package func scores(ofRow r: Int, labels: UnsafeBufferPointer<Int32>, into out: UnsafeMutablePointer<Float>) {
    scores(ofRow: r, labels: labels, columns: 0..<classes, into: out)
  }

  /// The scores of classes `columns` of row `r` into `out[0 ..< columns.count]`:
  /// the same values as those columns of ``scores(ofRow:labels:into:)``
  /// (each class's score depends only on the row, the class and whether it
  /// is a label), so a row too long for memory is made in pieces.
  package func scores(ofRow r: Int, labels: UnsafeBufferPointer<Int32>, columns: Range<Int>,
                      into out: UnsafeMutablePointer<Float>) {
    let key = key(ofRow: r)
    let difficulty = Generator.unit(Generator.bits(key, 1))
    let shift = 1 + 5 * difficulty
    // The labels are sorted: skip those before the columns.
    var next = 0
    while next < labels.count && Int(labels[next]) < columns.lowerBound { next += 1 }
    // Class c's logit uses the stream's bits at index 2^32 + c, far from the label draws.
    for c in columns {
      var z = Generator.bellCurve(Generator.bits(key, 0x1_0000_0000 &+ UInt64(c)))
      if next < labels.count && Int(labels[next]) == c {
        z += shift
        next += 1
      }
      let s = min(max((z + 4) / 12, 0), 1)
      out[c - columns.lowerBound] = Float((s * Double(Generator.scoreSteps)).rounded()) / Float(Generator.scoreSteps)
    }
  }

  /// About a standard normal from 64 bits: four 16-bit uniforms summed
  /// (Irwin-Hall), centred and scaled to unit variance.
  @inline(__always)
  static func bellCurve(_ bits: UInt64) -> Double {
    let a = Double(bits & 0xFFFF), b = Double((bits >> 16) & 0xFFFF)
    let c = Double((bits >> 32) & 0xFFFF), d = Double(bits >> 48)
    let sum = (a + b + c + d + 2) / 65536  // each term (x + 0.5) / 65536, in (0, 1)
    return (sum - 2) * 1.7320508075688772  // sqrt(12 / 4): variance 4/12 -> 1
  }
}
