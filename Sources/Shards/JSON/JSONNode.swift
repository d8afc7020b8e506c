/// One value of a parsed ``JSONDocument``, 16 bytes, in document order: a
/// container is followed by its members (an object's as key, value, key,
/// value), so a subtree is a contiguous run of nodes.
package struct JSONNode: Sendable {
  /// What a node holds.
  package enum Kind: UInt8, Sendable {
    case object, array, string, integer, number, bool, null
  }

  /// What the node is.
  package var kind: Kind
  /// A string: whether its text holds a backslash escape (else its bytes
  /// are its UTF-8, already validated). A bool: its value.
  package var flag: Bool
  /// An object: its members; an array: its elements; a string or a
  /// number: the length of its text in the file.
  package var count: UInt32
  /// An object or array: the index of the node after its subtree. A string
  /// (after its opening quote) or a number: the byte offset of its text. An
  /// integer: its value.
  package var payload: Int64

  /// Creates a node.
  @inline(__always)
  package init(kind: Kind, flag: Bool = false, count: UInt32 = 0, payload: Int64 = 0) {
    self.kind = kind
    self.flag = flag
    self.count = count
    self.payload = payload
  }
}
