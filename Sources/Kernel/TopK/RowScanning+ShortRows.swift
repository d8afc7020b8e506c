extension RowScanning {
  /// True when ``shortRowKeys(_:count:into:)`` can hold this type's keys.
  static var hasShortRowKeys: Bool { Key.bitWidth <= 32 }

  /// The plain loop: each score's key, widened.
  @inline(__always)
  static func shortRowKeysScalar(_ row: UnsafePointer<Self>, from: Int, to n: Int, into keys: UnsafeMutablePointer<Int32>)
    -> Bool
  {
    var nan = false
    for j in from..<n {
      nan = nan || isNaN(row[j])
      keys[j] = Int32(truncatingIfNeeded: key(row[j]))
    }
    return !nan
  }
}
