/// Every file format mapk reads, in one table: how a file is recognised (by
/// its extension), what it can hold, and which reader reads it; the
/// `--labels-format` override names a ``LabelFormat``, which maps back here.
///
/// Every switch over formats is exhaustive, so a new case makes the compiler
/// list what it must handle: its extensions, its reader, what it holds.
///
/// Recognising a file by its content (the `\x93NUMPY` and `PK\x03\x04`
/// magic bytes) is deliberately not done: a labels file with an unknown
/// extension is refused today ("cannot tell the label format"), and a test
/// pins that; sniffing would make such a file evaluate instead.
package enum FileFormat: String, Sendable, CaseIterable {
  // (In the order the CLI lists them.)
  /// A numpy `.npy` array (`numpy.save`).
  case npy
  /// Text, one line of label ids per row.
  case text
  /// A ZIP of `.npy` members (`numpy.savez`, `scipy.sparse.save_npz`).
  case npz
  /// FAISS's `.ivecs`: vectors of int32, each after its int32 count.
  case ivecs
  /// Hugging Face's `.safetensors`: named tensors after a JSON header.
  case safetensors

  /// The file name extensions that select it, lowercase, with the dot.
  package var extensions: [String] {
    switch self {
    case .npy: return [".npy"]
    case .text: return [".txt"]
    case .npz: return [".npz"]
    case .ivecs: return [".ivecs"]
    case .safetensors: return [".safetensors"]
    }
  }

  /// The format a path's extension names, or nil.
  package static func inferred(fromPath path: String) -> FileFormat? {
    let lower = path.lowercased()
    return allCases.first { $0.extensions.contains { lower.hasSuffix($0) } }
  }

  /// The format to read the array (predictions, weights) at `path` as.
  ///
  /// A container of arrays (`.npz`, `.safetensors`) returns itself, and
  /// so does an `.ivecs` file (an int32 `[N, K + 1]` array, the ranked ids
  /// after each row's count); every other path reads as `.npy`, whose
  /// reader names what is wrong with a file that is not one (a misnamed
  /// file gets the same message as before the table existed).
  package static func arrayFormat(path: String) -> FileFormat {
    switch inferred(fromPath: path) {
    case .ivecs?: return .ivecs
    case .npz?: return .npz
    case .safetensors?: return .safetensors
    case .npy?, .text?, nil: return .npy
    }
  }

  /// Reads the dense array the file at `path` is, or its array `member`
  /// (for a container of several: an `.npz`, a `.safetensors`).
  ///
  /// This is the registration point of array readers: a new container is
  /// one case here calling its reader file.
  /// - Throws: ``FileError`` if the file is not a well-formed array of this
  ///   format, or the format holds no single array.
  package func readArray(path: String, member: String? = nil) throws -> StoredArray {
    switch self {
    case .npy:
      // A .npy file is one array: there is no member to choose (the CLI has no syntax for one yet).
      precondition(member == nil, "a .npy file has no members")
      return try NPYArray(path: path).stored
    case .ivecs:
      precondition(member == nil, "an .ivecs file has no members")
      return try IVecs.readArray(file: MappedFile(path: path))
    case .npz:
      return try NPZArrays(path: path).stored(member)
    case .safetensors:
      return try SafetensorsFile(path: path).stored(member)
    case .text:
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
    case .ivecs: return .ivecs
    case .safetensors: return .dense
    }
  }
}
