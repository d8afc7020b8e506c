extension MAPKError {
  /// The row an error is about, if it is about one.
  var row: Int? {
    if case .nanScore(let r, _) = self { return r }
    if case .duplicateID(let r, _) = self { return r }
    if case .invalidID(let r, _, _) = self { return r }
    return nil
  }
}
