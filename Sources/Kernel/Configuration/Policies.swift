/// What to do with a row that has no relevant label (`n = 0`).
///
/// TensorFlow divides by `min(n, k) = 0` and the row's AP is NaN, which makes
/// the whole metric NaN; that stays the default.
public enum EmptyRowPolicy: String, Sendable, CaseIterable, Codable {
  /// The row's AP is NaN, as in TensorFlow (the result becomes NaN).
  case nan
  /// The row is left out of both `total` and `max`.
  case skip
  /// The row's AP is 0 and it counts in `max`.
  case zero
}

/// What to do with a NaN score.
///
/// TensorFlow's TopK has no consistent order for NaN, so the default refuses it.
public enum NaNScorePolicy: String, Sendable, CaseIterable, Codable {
  /// Stop with ``MAPKError/nanScore(row:classIndex:)`` naming the first NaN.
  case error
  /// NaN ranks above `+inf`; among NaNs the lower class index first (as `torch.topk`).
  case largest
  /// NaN ranks below `-inf`; among NaNs the lower class index first.
  case lowest
}

/// How a row's labels are counted: TensorFlow's dense `Tensor` or its `SparseTensor` rules.
public enum LabelSemantics: String, Sendable, Codable {
  /// Dense labels (`.npy`): `n` counts every entry in `0..<C`, duplicates included;
  /// negatives and labels `>= C` are ignored.
  case dense
  /// Sparse labels (`.txt`, `.npz`): `n` counts distinct values, negatives
  /// included; labels `>= C` all become one `-1`.
  case sparse
}
