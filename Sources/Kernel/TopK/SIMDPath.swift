internal import CMAPKSIMD

/// The instruction set of the innermost loops of the top-k row scan.
///
/// One binary runs on any x86-64 and on arm64: the baseline is the portable
/// Swift SIMD code (SSE2 on x86-64, NEON on arm64), and on an x86-64 CPU with
/// AVX2 or AVX-512 the hottest passes (the float32 bound pass and its k-th
/// largest group maximum, threshold scan and rank counts, the k = 1 argmax
/// and runs of short rows; the float16 rank counts; the NaN checks) run as C loops
/// compiled per instruction set, picked at the first evaluation from the
/// CPU's features. Every path computes the same counts and the same group
/// maxima, so results have the same bits on every path; TensorFlow's tie
/// order and the NaN policies hold in each.
///
/// By default the path is the CPU's best up to ``SIMDPath/avx2``: the AVX-512 loops
/// are taken only when asked for, until the differential test has run them
/// on a CPU that has AVX-512. The environment variable `MAPK_SIMD`
/// (`baseline`, `avx2` or `avx512`), read once at the first evaluation, or
/// ``SIMDPath/use(_:)`` forces a path; a path the CPU lacks is never taken.
public enum SIMDPath: Int, Sendable, CaseIterable, CustomStringConvertible {
  /// The portable Swift SIMD code (SSE2 on x86-64, NEON on arm64).
  case baseline = 0
  /// 256-bit vectors (x86-64 with AVX2, BMI2 and POPCNT).
  case avx2 = 1
  /// 512-bit vectors and mask registers (x86-64 with AVX-512 F and BW).
  case avx512 = 2

  /// The path evaluations use now.
  public static var active: SIMDPath { SIMDPath(rawValue: Int(mapk_simd_level())) ?? .baseline }

  /// The fastest path this CPU and its operating system support.
  public static var best: SIMDPath { SIMDPath(rawValue: Int(mapk_simd_best_level())) ?? .baseline }

  /// Every path this CPU supports, baseline first.
  public static var supported: [SIMDPath] { allCases.filter { $0.rawValue <= best.rawValue } }

  /// Makes later evaluations use `path`, if this CPU supports it.
  ///
  /// Meant for tests and benchmarks; call it between evaluations, not while
  /// one runs (every path gives the same results, but a switch mid-run is
  /// not synchronized).
  /// - Returns: false (and nothing changes) if the CPU lacks `path`.
  @discardableResult
  public static func use(_ path: SIMDPath) -> Bool { mapk_simd_set_level(Int32(path.rawValue)) == 0 }

  /// `baseline`, `avx2` or `avx512` (the values `MAPK_SIMD` accepts).
  public var description: String { String(cString: mapk_simd_level_name(Int32(rawValue))) }

  /// True when the C loops replace the Swift baseline (one relaxed load).
  @inline(__always)
  static var usesC: Bool { mapk_simd_level() != 0 }
}
