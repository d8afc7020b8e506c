/// The element type of a `.npy` array, as far as mapk reads it.
package enum NPYType: String, Sendable, Equatable, CaseIterable {
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
  /// `|b1` (numpy's bool: one byte, 0 or 1); multi-hot labels.
  case bool = "|b1"

  /// Bytes per element.
  package var byteWidth: Int {
    switch self {
    case .bool: return 1
    case .float16: return 2
    case .float32, .int32: return 4
    case .float64, .int64: return 8
    }
  }

  /// The numpy name (`float32`), the one naming of element types (the
  /// kernel's ``ScoreType`` uses the same names as its raw values).
  package var name: String {
    switch self {
    case .float16: return "float16"
    case .float32: return "float32"
    case .float64: return "float64"
    case .int32: return "int32"
    case .int64: return "int64"
    case .bool: return "bool"
    }
  }


  /// The score type for a floating-point dtype.
  package var scoreType: ScoreType? {
    switch self {
    case .float16: return .float16
    case .float32: return .float32
    case .float64: return .float64
    case .int32, .int64, .bool: return nil
    }
  }
}

extension NPYType {
  /// The `.npy` dtype of a score type.
  package init(_ scoreType: ScoreType) {
    switch scoreType {
    case .float16: self = .float16
    case .float32: self = .float32
    case .float64: self = .float64
    }
  }
}
