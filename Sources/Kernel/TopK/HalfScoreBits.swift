/// A 16-bit score format: float16 (`UInt16`) and bfloat16 (`BFloat16Bits`),
/// both scanned by one implementation of `RowScanning` (RowScanning+Float16.swift):
/// they share the sign-magnitude layout, and only the magnitude of
/// infinity, which every NaN test there reads from the type, differs.
protocol HalfScoreBits: RowScanning where Key == Int16 {
  /// True when the C kernels' NaN test (a magnitude above float16's
  /// infinity, `0x7C00`) is exact for this format. For bfloat16 (infinity
  /// `0x7F80`, larger) a row the test finds NaN-free is NaN-free, but one it
  /// flags may not hold a NaN and is checked again.
  static var cNaNTestIsExact: Bool { get }
}

extension UInt16: HalfScoreBits {
  static var cNaNTestIsExact: Bool { true }
}

extension BFloat16Bits: HalfScoreBits {
  static var cNaNTestIsExact: Bool { false }
}
