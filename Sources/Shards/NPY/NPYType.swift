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
  /// `|u1` (numpy writes no byte order for one byte); ids and labels, read widened to int32.
  case uint8 = "|u1"
  /// `<u2`; ids and labels, read widened to int32.
  case uint16 = "<u2"
  /// `<u4`; ids and labels, read widened to int64.
  case uint32 = "<u4"
  /// `<u8`; ids and labels, read as int64 (values above 2^63 - 1 are refused).
  case uint64 = "<u8"
  /// bfloat16 scores, from a `.safetensors` `BF16` tensor only: numpy has
  /// no bfloat16 dtype (ml_dtypes saves one as `<V2`, raw bytes with no type),
  /// so no `.npy` header names it (the raw value is not a numpy descr, and
  /// the `.npy` reader and writer refuse it).
  case bfloat16 = "bfloat16"

  /// Bytes per element.
  package var byteWidth: Int {
    switch self {
    case .bool, .uint8: return 1
    case .float16, .uint16, .bfloat16: return 2
    case .float32, .int32, .uint32: return 4
    case .float64, .int64, .uint64: return 8
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
    case .uint8: return "uint8"
    case .uint16: return "uint16"
    case .uint32: return "uint32"
    case .uint64: return "uint64"
    case .bfloat16: return "bfloat16"
    }
  }


  /// The score type for a floating-point dtype.
  package var scoreType: ScoreType? {
    switch self {
    case .float16: return .float16
    case .float32: return .float32
    case .float64: return .float64
    case .bfloat16: return .bfloat16
    case .int32, .int64, .bool, .uint8, .uint16, .uint32, .uint64: return nil
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
    case .bfloat16: self = .bfloat16
    }
  }
}
