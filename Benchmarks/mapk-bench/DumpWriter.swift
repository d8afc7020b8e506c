import Foundation
import MAPKShards

/// Writes a synthetic dump as `.npy` files, a few MB at a time (bounded
/// memory whatever the size), like the oracle's `gen.py`: scores uniform in
/// [0, 1), plus 0.5 on each row's labels (so the metric is not chance), and
/// 1 to 5 labels per row as int64 `[rows, 5]` padded with -1.
enum DumpWriter {
  /// The labels' width.
  static let labelsPerRow = 5

  /// A small, fast generator (wyrand): the dump is a benchmark input, not a test oracle.
  struct Generator {
    var state: UInt64

    mutating func next() -> UInt64 {
      state &+= 0xA076_1D64_78BD_642F
      let product = state.multipliedFullWidth(by: state ^ 0xE703_7ED1_A0B4_28DB)
      return product.high ^ product.low
    }

    /// Uniform in [0, 1) with 24 random bits (exact in float32).
    mutating func unit() -> Float { Float(next() >> 40) * 0x1p-24 }
  }

  /// The `.npy` (version 1.0) header for a C-order array of `descr` and `shape`,
  /// padded so that the data starts at a multiple of 64 bytes.
  static func header(descr: String, shape: [Int]) -> [UInt8] {
    let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(dims), }"
    let unpadded = 10 + dict.utf8.count + 1
    dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    let length = UInt16(dict.utf8.count)
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dict.utf8)
  }

  /// Writes `predictions` and `labels` for `rows x classes` scores of `type`.
  static func write(predictions: String, labels: String, rows: Int, classes: Int, type: ScoreType, seed: UInt64) throws {
    guard FileManager.default.createFile(atPath: predictions, contents: nil),
      FileManager.default.createFile(atPath: labels, contents: nil),
      let scoreFile = FileHandle(forWritingAtPath: predictions),
      let labelFile = FileHandle(forWritingAtPath: labels)
    else { throw Options.Failure(description: "cannot create \(predictions) or \(labels)") }
    defer {
      try? scoreFile.close()
      try? labelFile.close()
    }
    let descr: String
    switch type {
    case .float16: descr = "<f2"
    case .float32: descr = "<f4"
    case .float64: descr = "<f8"
    }
    try scoreFile.write(contentsOf: header(descr: descr, shape: [rows, classes]))
    try labelFile.write(contentsOf: header(descr: "<i8", shape: [rows, labelsPerRow]))

    var generator = Generator(state: seed)
    let rowBytes = classes * type.byteWidth
    let chunkRows = max(1, (4 << 20) / rowBytes)
    var scores = [UInt8](repeating: 0, count: chunkRows * rowBytes)
    var rowScores = [Float](repeating: 0, count: classes)
    var rowLabels = [Int64](repeating: -1, count: chunkRows * labelsPerRow)
    var start = 0
    while start < rows {
      let count = min(chunkRows, rows - start)
      scores.withUnsafeMutableBytes { out in
        for r in 0..<count {
          for c in 0..<classes { rowScores[c] = generator.unit() }
          let n = 1 + Int(generator.next() % UInt64(labelsPerRow))
          for j in 0..<labelsPerRow {
            if j < n {
              let label = Int64(generator.next() % UInt64(classes))
              // A label listed twice is lifted once, as numpy's `+=` with repeated indices does.
              let repeated = (0..<j).contains { rowLabels[r * labelsPerRow + $0] == label }
              rowLabels[r * labelsPerRow + j] = label
              if !repeated { rowScores[Int(label)] += 0.5 }
            } else {
              rowLabels[r * labelsPerRow + j] = -1
            }
          }
          let row = out.baseAddress! + r * rowBytes
          switch type {
          case .float16:
            for c in 0..<classes { row.storeBytes(of: Float16(rowScores[c]).bitPattern.littleEndian, toByteOffset: 2 * c, as: UInt16.self) }
          case .float32:
            for c in 0..<classes { row.storeBytes(of: rowScores[c].bitPattern.littleEndian, toByteOffset: 4 * c, as: UInt32.self) }
          case .float64:
            for c in 0..<classes { row.storeBytes(of: Double(rowScores[c]).bitPattern.littleEndian, toByteOffset: 8 * c, as: UInt64.self) }
          }
        }
      }
      try scoreFile.write(contentsOf: scores[0..<(count * rowBytes)])
      try rowLabels.withUnsafeBytes { try labelFile.write(contentsOf: Data($0[0..<(count * labelsPerRow * 8)])) }
      start += count
    }
  }
}
