import Foundation

/// A minimal `.npy` writer for tests: numpy's version 1.0 layout, written
/// here by hand so tests build their inputs without Python (and can build
/// broken ones on purpose). Independent of the reader under test.
public enum NPYTestWriter {
  /// The header: magic, version 1.0, length, and the dict padded with spaces
  /// and a newline so the data starts at a multiple of 64 bytes.
  public static func header(descr: String, shape: [Int], fortranOrder: Bool = false) -> [UInt8] {
    let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
    var dict = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': (\(dims)), }"
    let unpadded = 10 + dict.utf8.count + 1
    dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    let length = dict.utf8.count
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dict.utf8)
  }

  /// The little-endian bytes of `values` (the machine's order on every supported platform).
  public static func bytes<T>(_ values: [T]) -> [UInt8] {
    values.withUnsafeBytes { Array($0) }
  }

  /// Writes a whole `.npy` file: header then data.
  public static func write(_ path: String, descr: String, shape: [Int], data: [UInt8], fortranOrder: Bool = false) throws {
    try Data(header(descr: descr, shape: shape, fortranOrder: fortranOrder) + data).write(to: URL(fileURLWithPath: path))
  }

  /// Writes `<f4` scores.
  public static func write(_ path: String, shape: [Int], float32 values: [Float]) throws {
    try write(path, descr: "<f4", shape: shape, data: bytes(values))
  }

  /// Writes `<f8` values.
  public static func write(_ path: String, shape: [Int], float64 values: [Double]) throws {
    try write(path, descr: "<f8", shape: shape, data: bytes(values))
  }

  /// Writes `<i8` labels.
  public static func write(_ path: String, shape: [Int], int64 values: [Int64]) throws {
    try write(path, descr: "<i8", shape: shape, data: bytes(values))
  }
}
