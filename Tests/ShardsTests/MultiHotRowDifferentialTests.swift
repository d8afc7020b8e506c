import CMAPKSIMD
import MAPKShards
import TestSupport
import Testing

/// The C row scans of multi-hot labels (`mapk_multihot_row_u8` / `_i32` /
/// `_i64`, Sources/CSIMD/multihot.c) against the rule written plainly here,
/// on every instruction set this CPU has (the level is an argument, so the
/// baseline is forced without touching the process-wide choice): random
/// widths 1...300 (around the 8-, 32- and 64-column steps too), densities
/// from 0 to 1, all-false and all-true rows, bool bytes other than 1, rows
/// starting at any byte (or element), and integers with stray values (2, -1,
/// the sign bit, a high bit of an int64) whose first column must be the one
/// returned.
@Suite struct MultiHotRowDifferentialTests {
  /// The rule: a bool byte is true iff nonzero.
  static func reference(_ row: [UInt8]) -> [Int32] {
    row.indices.filter { row[$0] != 0 }.map { Int32($0) }
  }

  /// The rule: an integer is true iff 1; the first value that is neither 0
  /// nor 1 gives -1 - its column.
  static func reference<T: FixedWidthInteger>(_ row: [T]) -> (result: Int64, columns: [Int32]) {
    var columns: [Int32] = []
    for (c, v) in row.enumerated() {
      if v != 0 && v != 1 { return (-1 - Int64(c), columns) }
      if v == 1 { columns.append(Int32(c)) }
    }
    return (Int64(columns.count), columns)
  }

  static let widths = [1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 300]

  /// A row of `width` flags: all false, all true, or true with a random density.
  static func flags(width: Int, rng: inout SplitMix64) -> [Bool] {
    switch Int.random(in: 0..<6, using: &rng) {
    case 0: return [Bool](repeating: false, count: width)
    case 1: return [Bool](repeating: true, count: width)
    default:
      let density = [0.0, 0.01, 0.1, 0.5, 0.9, 1.0, Double.random(in: 0...1, using: &rng)].randomElement(using: &rng)!
      return (0..<width).map { _ in Double.random(in: 0..<1, using: &rng) < density }
    }
  }

  static func width(_ rng: inout SplitMix64) -> Int {
    Bool.random(using: &rng) ? widths.randomElement(using: &rng)! : Int.random(in: 1...300, using: &rng)
  }

  static var levels: ClosedRange<Int32> { MAPK_SIMD_BASELINE...mapk_simd_best_level() }

  @Test(arguments: [21, 22] as [UInt64])
  func boolRowsMatchTheRule(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    for trial in 0..<3_000 {
      let width = Self.width(&rng)
      // Any nonzero byte is true, not only 1.
      let row = Self.flags(width: width, rng: &rng).map { $0 ? (Bool.random(using: &rng) ? 1 : UInt8.random(in: 1...255, using: &rng)) : 0 }
      let expected = Self.reference(row)
      // The row at a random byte offset, followed by nonzero bytes a scan must not read as the row's.
      let offset = Int.random(in: 0..<64, using: &rng)
      let storage = [UInt8](repeating: 7, count: offset) + row + [UInt8](repeating: 1, count: 64)
      for level in Self.levels {
        var columns = [Int32](repeating: -9, count: width)
        let count = storage.withUnsafeBufferPointer { s in
          columns.withUnsafeMutableBufferPointer { c in
            mapk_multihot_row_u8(level, s.baseAddress! + offset, Int64(width), c.baseAddress!)
          }
        }
        #expect(count == Int64(expected.count), "seed \(seed), trial \(trial), width \(width), level \(level)")
        if count == Int64(expected.count) {
          #expect(Array(columns[0..<Int(count)]) == expected, "seed \(seed), trial \(trial), level \(level)")
        }
      }
    }
  }

  /// Integer rows: 0/1 flags, a third of them with 1 to 3 stray values.
  func integerRows<T: FixedWidthInteger & SignedInteger>(
    _ type: T.Type, seed: UInt64,
    scan: (Int32, UnsafePointer<T>, Int64, UnsafeMutablePointer<Int32>) -> Int64
  ) {
    var rng = SplitMix64(seed: seed)
    var strays: [T] = [2, -1, 3, T.min, T.max, -2]
    if T.bitWidth == 64 { strays += [T(truncatingIfNeeded: Int64(1) << 32), T(truncatingIfNeeded: (Int64(1) << 32) | 1)] }
    for trial in 0..<3_000 {
      let width = Self.width(&rng)
      var row = Self.flags(width: width, rng: &rng).map { $0 ? T(1) : T(0) }
      if Int.random(in: 0..<3, using: &rng) == 0 {
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
          row[Int.random(in: 0..<width, using: &rng)] = strays.randomElement(using: &rng)!
        }
      }
      let expected = Self.reference(row)
      let offset = Int.random(in: 0..<16, using: &rng)
      let storage = [T](repeating: 5, count: offset) + row + [T](repeating: 1, count: 16)
      for level in Self.levels {
        var columns = [Int32](repeating: -9, count: width)
        let result = storage.withUnsafeBufferPointer { s in
          columns.withUnsafeMutableBufferPointer { c in scan(level, s.baseAddress! + offset, Int64(width), c.baseAddress!) }
        }
        #expect(result == expected.result, "seed \(seed), trial \(trial), width \(width), level \(level), \(T.self)")
        if result >= 0 && result == expected.result {
          #expect(Array(columns[0..<Int(result)]) == expected.columns, "seed \(seed), trial \(trial), level \(level)")
        }
      }
    }
  }

  @Test(arguments: [23, 24] as [UInt64])
  func int32RowsMatchTheRule(seed: UInt64) {
    integerRows(Int32.self, seed: seed) { mapk_multihot_row_i32($0, $1, $2, $3) }
  }

  @Test(arguments: [25, 26] as [UInt64])
  func int64RowsMatchTheRule(seed: UInt64) {
    integerRows(Int64.self, seed: seed) { mapk_multihot_row_i64($0, $1, $2, $3) }
  }

  /// Through `MultiHotLabels`, at the process-wide level: an array with
  /// stray values in several rows is refused naming the first in row-major
  /// order, whatever the threads and chunks.
  @Test(arguments: [27, 28] as [UInt64])
  func firstStrayInRowMajorOrderIsNamed(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    for trial in 0..<6 {
      let (rows, width) = (Int.random(in: 1...400, using: &rng), Self.width(&rng))
      var values = (0..<(rows * width)).map { _ in Int64(Int.random(in: 0...1, using: &rng)) }
      var bad: [Int] = []
      for _ in 0..<Int.random(in: 1...4, using: &rng) {
        let at = Int.random(in: 0..<values.count, using: &rng)
        values[at] = [2, -1, 7][Int.random(in: 0..<3, using: &rng)]
        bad.append(at)
      }
      let first = bad.min()!
      let (row, column) = (first / width, first % width)
      let i64 = try NPYBytes.write(values, descr: "<i8", shape: [rows, width], to: dir.file("i8-\(trial).npy"))
      let i32 = try NPYBytes.write(values.map { Int32($0) }, descr: "<i4", shape: [rows, width],
                                   to: dir.file("i4-\(trial).npy"))
      for path in [i64, i32] {
        let array = try FileFormat.npy.readArray(path: path)
        for (threads, chunkBytes) in [(1, 1 << 20), (2, 1), (3, 64), (4, 4_096)] {
          #expect {
            _ = try MultiHotLabels(array, threads: threads, chunkBytes: chunkBytes)
          } throws: { error in
            (error as? FileError)?.problem
              == "multi-hot labels must hold only 0 and 1: row \(row), column \(column) holds \(values[first])"
          }
        }
      }
    }
  }
}
