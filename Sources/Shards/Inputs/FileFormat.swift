/// Every file format mapk reads, in one table: how a file is recognised (by
/// its extension, then by its first bytes where they are unambiguous), what
/// it can hold, and which reader reads it.
///
/// Every switch over formats is exhaustive, so a new case makes the compiler
/// list what it must handle: its extensions, its magic bytes, its reader.
package enum FileFormat: String, Sendable, CaseIterable {
  /// A numpy `.npy` array (`numpy.save`).
  case npy
  /// A ZIP of `.npy` members (`numpy.savez`, `scipy.sparse.save_npz`).
  case npz
  /// Text, one line of label ids per row.
  case text

  /// The file name extensions that select it, lowercase, with the dot.
  package var extensions: [String] {
    switch self {
    case .npy: return [".npy"]
    case .npz: return [".npz"]
    case .text: return [".txt"]
    }
  }

  /// The first bytes every file of the format starts with, if it has such
  /// bytes (text has none, so it is recognised by its extension only).
  package var magic: [[UInt8]] {
    switch self {
    case .npy: return [[0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]]  // \x93NUMPY
    case .npz: return [[0x50, 0x4B, 0x03, 0x04], [0x50, 0x4B, 0x05, 0x06]]  // a local header; an empty archive
    case .text: return []
    }
  }

  /// The format a path's extension names, or nil.
  package static func inferred(fromPath path: String) -> FileFormat? {
    let lower = path.lowercased()
    return allCases.first { $0.extensions.contains { lower.hasSuffix($0) } }
  }

  /// The format of a file whose extension names none, from its first bytes,
  /// when exactly one format's magic matches; nil otherwise (and for a file
  /// that cannot be read: its reader will say why).
  package static func sniffed(path: String) -> FileFormat? {
    guard let file = try? MappedFile(path: path, sequential: false) else { return nil }
    let matches = allCases.filter { format in
      format.magic.contains { file.bytes.count >= $0.count && file.bytes.prefix($0.count).elementsEqual($0) }
    }
    return matches.count == 1 ? matches[0] : nil
  }

  /// The format of the file at `path`: its extension's, or else its content's.
  package static func detected(path: String) -> FileFormat? {
    inferred(fromPath: path) ?? sniffed(path: path)
  }

  /// The format to read the array (predictions, weights) at `path` as.
  ///
  /// Arrays come in one format today, so every path reads as `.npy`, whose
  /// reader names what is wrong with a file that is not one (a misnamed
  /// file gets the same message as before the table existed). A format that
  /// holds arrays (`.safetensors`) returns itself here.
  package static func arrayFormat(path: String) -> FileFormat {
    switch inferred(fromPath: path) {
    case .npy?, .npz?, .text?, nil: return .npy
    }
  }

  /// Reads the dense array the file at `path` is.
  ///
  /// - Throws: ``FileError`` if the file is not a well-formed array of this
  ///   format, or the format holds no single array.
  package func readArray(path: String) throws -> StoredArray {
    switch self {
    case .npy: return try NPYArray(path: path).stored
    case .npz, .text:
      throw FileError(path: path, problem: "a .\(rawValue) file is not one array (expected a .npy)",
                      kind: .unsupportedType)
    }
  }

  /// The label format a file of this format holds.
  package var labelFormat: LabelFormat {
    switch self {
    case .npy: return .dense
    case .npz: return .csr
    case .text: return .text
    }
  }
}
