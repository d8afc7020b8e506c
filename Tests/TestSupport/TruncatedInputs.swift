/// The inputs of the tests of a mapped file truncated while it is read:
/// `p.npy`, 1000 × 64 float32 scores (256 KB, many pages past the first
/// one it is cut to), and `l.npy`, one int64 label per row.
public enum TruncatedInputs {
  /// The predictions' name in the directory.
  public static let predictions = "p.npy"
  /// The labels' name in the directory.
  public static let labels = "l.npy"

  /// Writes both files into `directory`, the scores drawn from `seed`.
  public static func write(in directory: TemporaryDirectory, seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    try NPYBytes.write((0..<64000).map { _ in Float.random(in: 0..<1, using: &rng) }, descr: "<f4", shape: [1000, 64],
                       to: directory.file(predictions))
    try NPYBytes.write((0..<1000).map { Int64($0 % 64) }, descr: "<i8", shape: [1000], to: directory.file(labels))
  }
}
