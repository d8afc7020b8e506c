/// The kinds of label file mapk reads.
public enum LabelFormat: String, Sendable, CaseIterable {
  /// `.npy` int32/int64 `[D1..DN, L]` or `[D1..DN]`, -1 padding: TensorFlow's dense rules.
  case dense
  /// `.txt`, one line of label ids per row: TensorFlow's `SparseTensor` rules.
  case text
  /// `.npz` from `scipy.sparse.save_npz` (CSR): TensorFlow's `SparseTensor` rules.
  case csr
  /// `.ivecs` (FAISS), one vector of label ids per row: TensorFlow's `SparseTensor` rules.
  case ivecs
  /// `.npy` `[D1..DN, C]` multi-hot: a row's labels are its true (1) columns,
  /// a set, with `SparseTensor` rules. A bool `.npy` is read as this whatever
  /// the format asked; an int32/int64 0/1 array only when this is asked.
  case multihot

  /// The format a file's extension implies, or nil (read from the one table of formats, `FileFormat`).
  public static func inferred(fromPath path: String) -> LabelFormat? {
    FileFormat.inferred(fromPath: path)?.labelFormat
  }

  /// The file format labels of this format are stored in.
  package var fileFormat: FileFormat {
    switch self {
    case .dense: return .npy
    case .text: return .text
    case .csr: return .npz
    case .ivecs: return .ivecs
    case .multihot: return .npy
    }
  }
}
