import Foundation

/// Builds `.npy` files byte by byte for tests, from numpy's documented format
/// (magic, version, little-endian header length, dict, padding to 64), so that
/// tests can make valid and deliberately broken files without numpy.
public enum NPYBytes {
  /// The bytes of a `.npy` file.
  ///
  /// - Parameters:
  ///   - descr: The dtype string, e.g. `<f4`.
  ///   - shape: The shape; `[]` for a scalar.
  ///   - payload: The raw data bytes.
  ///   - version: 1, 2 or 3.
  ///   - fortran: The `fortran_order` flag.
  ///   - dict: A replacement for the whole header dict text, for broken headers.
  public static func file(descr: String, shape: [Int], payload: [UInt8], version: UInt8 = 1,
                          fortran: Bool = false, dict: String? = nil) -> [UInt8] {
    let shapeText = shape.isEmpty ? "()" : shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = dict ?? "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
    let prefix = version == 1 ? 10 : 12
    let total = (prefix + header.utf8.count + 1 + 63) / 64 * 64
    header += String(repeating: " ", count: total - prefix - header.utf8.count - 1) + "\n"
    var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    let n = header.utf8.count
    if version == 1 {
      out += [UInt8(n & 0xFF), UInt8(n >> 8)]
    } else {
      out += [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
    }
    return out + Array(header.utf8) + payload
  }

  /// The little-endian bytes of an array of fixed-width values.
  public static func bytes<T>(of values: [T]) -> [UInt8] {
    values.withUnsafeBytes { Array($0) }
  }

  /// Writes a `.npy` of `values` with `shape` into `directory` and returns its path.
  @discardableResult
  public static func write<T>(_ values: [T], descr: String, shape: [Int], to path: String) throws -> String {
    try Data(file(descr: descr, shape: shape, payload: bytes(of: values))).write(to: URL(fileURLWithPath: path))
    return path
  }
}
