/// The element type of a `.npy` array, as far as mapk reads it.
public enum NPYType: String, Sendable, Equatable, CaseIterable {
  /// `<f2`
  case float16 = "<f2"
  /// `<f4`
  case float32 = "<f4"
  /// `<f8`
  case float64 = "<f8"
  /// `<i4`
  case int32 = "<i4"
  /// `<i8`
  case int64 = "<i8"

  /// Bytes per element.
  public var byteWidth: Int {
    switch self {
    case .float16: return 2
    case .float32, .int32: return 4
    case .float64, .int64: return 8
    }
  }

  /// The score type for a floating-point dtype.
  public var scoreType: ScoreType? {
    switch self {
    case .float16: return .float16
    case .float32: return .float32
    case .float64: return .float64
    case .int32, .int64: return nil
    }
  }
}

extension NPYType {
  /// The `.npy` dtype of a score type.
  public init(_ scoreType: ScoreType) {
    switch scoreType {
    case .float16: self = .float16
    case .float32: self = .float32
    case .float64: self = .float64
    }
  }
}
