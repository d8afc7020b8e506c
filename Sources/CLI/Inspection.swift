import Dispatch
import MAPKShards

/// The facts `mapk inspect` prints about one file.
enum Inspection {
  /// The lines describing the file at `path`.
  /// - Throws: ``FileError`` if it cannot be read or is not a file mapk reads.
  static func describe(path: String, threads: Int) throws -> [String] {
    // The one format table decides; every format is handled here.
    switch FileFormat.inferred(fromPath: path) {
    case .npy?: return try describeNPY(path: path, threads: threads)
    case .text?: return try describeParsed(path: path, format: .text, kind: "text labels, one line per row", threads: threads)
    case .npz?:
      return try describeParsed(path: path, format: .csr, kind: "scipy sparse matrix (.npz) labels", threads: threads)
    case nil:
      let names = FileFormat.allCases.flatMap(\.extensions)
      throw FileError(path: path, problem: "unknown extension: mapk reads "
                      + names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1] + " files",
                      kind: .unknownFormat)
    }
  }

  static func describeParsed(path: String, format: LabelFormat, kind: String, threads: Int) throws -> [String] {
    let parsed = try ParsedLabels(path: path, format: format, rows: nil, threads: threads)
    return ["\(path): \(kind), \(grouped(parsed.fileSize)) bytes",
            "  as sparse labels: \(grouped(parsed.rows.rows)) rows (TensorFlow SparseTensor rules)"]
      + LabelStatistics(parsed.rows).lines
  }

  static func describeNPY(path: String, threads: Int) throws -> [String] {
    let array = try NPYArray(path: path)
    let h = array.header
    var lines = [
      "\(path): .npy version \(h.version.major).\(h.version.minor), \(grouped(array.file.size)) bytes",
      "  dtype    \(h.type.rawValue) (\(h.type.name))",
      "  shape    \(h.shape)  (\(grouped(h.count)) elements, data at byte \(h.dataOffset))",
    ]
    if let scoreType = h.type.scoreType {
      guard let classes = h.shape.last else {
        lines.append("  a scalar: usable as --weights")
        return lines
      }
      let rows = h.shape.dropLast().reduce(1, *)
      lines.append("  as predictions: \(grouped(rows)) rows x \(grouped(classes)) classes")
      let s = ScoreScan(ScoreMatrix(base: array.data, rows: rows, classes: classes, type: scoreType), threads: threads)
      if s.finite > 0 {
        lines.append("  scores   min \(s.minimum), max \(s.maximum)")
      }
      lines.append("  NaN      \(grouped(s.nan))" + (s.nan > 0 ? "  (mapk eval needs --nan largest|lowest)" : ""))
      if s.infinite > 0 { lines.append("  +-inf    \(grouped(s.infinite))") }
      if h.shape.count == 1 { lines.append("  or as --weights: \(grouped(classes)) rows") }
    } else {
      let width = h.shape.count >= 2 ? h.shape[h.shape.count - 1] : 1
      let rows = h.shape.count >= 2 ? h.shape.dropLast().reduce(1, *) : h.shape.first ?? 1
      let values: LabelRows.Values = h.type == .int64
        ? .int64(array.data.assumingMemoryBound(to: Int64.self))
        : .int32(array.data.assumingMemoryBound(to: Int32.self))
      let labels = LabelRows(rows: rows, offsets: .uniform(width: width), values: values, semantics: .dense)
      lines.append("  as dense labels: \(grouped(rows)) rows, up to \(width) label\(width == 1 ? "" : "s") per row"
                   + " (-1 pads)")
      lines += LabelStatistics(labels).lines
    }
    return lines
  }

  /// `1234567` as `1,234,567`.
  static func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return (n < 0 ? "-" : "") + out
  }
}

/// Per-row label counts: the range, the mean, empty rows, the values' range.
struct LabelStatistics: Equatable {
  /// Rows.
  var rows = 0
  /// Fewest and most labels (entries >= 0) in a row.
  var fewest = Int.max, most = 0
  /// Labels in all rows.
  var total = 0
  /// Rows without any label.
  var empty = 0
  /// Smallest and largest label value (entries >= 0).
  var smallest = Int64.max, largest = Int64.min
  /// Negative entries other than the -1 padding (ignored by dense rules).
  var otherNegatives = 0

  /// Scans every row.
  /// - Complexity: O(label entries).
  init(_ labels: LabelRows) {
    rows = labels.rows
    for r in 0..<labels.rows {
      var n = 0
      for i in labels.range(ofRow: r) {
        let v = labels.value(at: i)
        if v >= 0 {
          n += 1
          smallest = min(smallest, v)
          largest = max(largest, v)
        } else if v != -1 {
          otherNegatives += 1
        }
      }
      fewest = min(fewest, n)
      most = max(most, n)
      total += n
      if n == 0 { empty += 1 }
    }
  }

  var lines: [String] {
    guard rows > 0 else { return ["  no rows"] }
    var out = [
      "  labels per row  min \(fewest), max \(most), mean \(format(Double(total) / Double(rows), 2))",
      "  rows without labels  \(Inspection.grouped(empty))"
        + (empty > 0 ? "  (their AP is NaN, as in TensorFlow; see --empty-rows)" : ""),
    ]
    if total > 0 { out.append("  label values  \(smallest) ... \(largest)  (need classes > \(largest))") }
    if otherNegatives > 0 { out.append("  negative entries other than -1  \(Inspection.grouped(otherNegatives)) (ignored)") }
    return out
  }
}

/// A parallel pass over scores: range of the finite ones, NaN and infinity counts.
struct ScoreScan {
  var minimum = Double.infinity, maximum = -Double.infinity
  var finite = 0, nan = 0, infinite = 0

  init() {}

  /// Scans every score of `scores` on `threads` workers.
  init(_ scores: ScoreMatrix, threads: Int) {
    let count = scores.rows * scores.classes
    let parts = max(1, min(threads * 8, count / (1 << 16) + 1))
    let partials = WorkerSlots<ScoreScan>(count: parts)
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      var local = ScoreScan()
      let range = (count * part / parts)..<(count * (part + 1) / parts)
      switch scores.type {
      case .float16:
        let p = scores.base.assumingMemoryBound(to: UInt16.self)
        for i in range { local.see(ScoreScan.double(half: p[i])) }
      case .float32:
        let p = scores.base.assumingMemoryBound(to: Float.self)
        for i in range { local.see(Double(p[i])) }
      case .float64:
        let p = scores.base.assumingMemoryBound(to: Double.self)
        for i in range { local.see(p[i]) }
      }
      partials.store(local, at: part)
    }
    var total = ScoreScan()
    for p in partials.values { total.merge(p) }
    self = total
  }

  @inline(__always)
  mutating func see(_ x: Double) {
    if x.isNaN {
      nan += 1
    } else if x.isInfinite {
      infinite += 1
    } else {
      finite += 1
      if x < minimum { minimum = x }
      if x > maximum { maximum = x }
    }
  }

  mutating func merge(_ o: ScoreScan) {
    minimum = min(minimum, o.minimum)
    maximum = max(maximum, o.maximum)
    finite += o.finite
    nan += o.nan
    infinite += o.infinite
  }

  /// The value of IEEE binary16 bits (exact: every float16 is a double).
  static func double(half bits: UInt16) -> Double {
    let sign = bits & 0x8000 != 0 ? -1.0 : 1.0
    let exponent = Int((bits >> 10) & 0x1F), fraction = Double(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24  // subnormal
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
    }
  }
}
