import MAPKShards

/// The short score-type names the CLI and the bench take and print (`f16`,
/// `f32`, `f64`, `bf16`), once: `mapk generate --dtype`, `mapk-bench --dtype` and
/// the bench's dump names. Both switches are exhaustive, so a new
/// ``ScoreType`` does not compile until it has a short name.
package enum ScoreTypeName: String, CaseIterable, Sendable {
  case f16, f32, f64, bf16

  /// The short name of `type`.
  package init(_ type: ScoreType) {
    switch type {
    case .float16: self = .f16
    case .float32: self = .f32
    case .float64: self = .f64
    case .bfloat16: self = .bf16
    }
  }

  /// The score type it names.
  package var scoreType: ScoreType {
    switch self {
    case .f16: return .float16
    case .f32: return .float32
    case .f64: return .float64
    case .bf16: return .bfloat16
    }
  }
}
