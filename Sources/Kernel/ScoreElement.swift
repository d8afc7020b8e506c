/// A floating-point type the kernel ranks directly: `Float`, `Double` and,
/// where the platform has it, `Float16`.
public protocol ScoreElement: BinaryFloatingPoint, Sendable {
  /// The element type the kernel reads.
  static var scoreType: ScoreType { get }
}

extension Float: ScoreElement {
  /// `float32`.
  public static var scoreType: ScoreType { .float32 }
}

extension Double: ScoreElement {
  /// `float64`.
  public static var scoreType: ScoreType { .float64 }
}

#if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
extension Float16: ScoreElement {
  /// `float16`.
  public static var scoreType: ScoreType { .float16 }
}
#endif
