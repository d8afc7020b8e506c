/// A file's device and inode: two paths name the same file exactly when they agree.
struct FileIdentity: Hashable {
  let device: UInt64
  let inode: UInt64
}
