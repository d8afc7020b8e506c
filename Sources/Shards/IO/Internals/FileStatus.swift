/// What mapk needs to know about a file from the operating system: its
/// kind, its identity and its size (the typed form of a `stat` result, so
/// that no raw `st_*` field or `S_IF*` constant leaves `IO/Internals`).
struct FileStatus: Sendable, Equatable {
  /// What kind of file it is.
  enum Kind: Sendable, Equatable {
    /// A regular file.
    case regular
    /// A directory.
    case directory
    /// Anything else: a FIFO, a socket, a device.
    case other
  }

  /// The kind.
  let kind: Kind
  /// The device and inode: two paths name the same file exactly when they agree.
  let identity: FileIdentity
  /// The size in bytes.
  let size: Int
}
