extension FileFormat {
  /// Splits `FILE.npz:NAME` or `FILE.safetensors:NAME` into the file and the
  /// member (numpy's key `scores`, not `scores.npy`; a tensor's name); any
  /// other path is the file itself, with no member.
  ///
  /// The split is at the last `.npz:` or `.safetensors:` whose name part has
  /// no `/` (so a directory named `a.npz:b` is not mistaken for one), and a
  /// path that ends with the extension has no member.
  package static func splitMember(_ path: String) -> (path: String, member: String?) {
    let lowered = path.lowercased()
    if ([FileFormat.npz, .safetensors].flatMap(\.extensions).contains { lowered.hasSuffix($0) }) { return (path, nil) }
    let bytes = Array(path.utf8)
    func lower(_ b: UInt8) -> UInt8 { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b) ? b + 32 : b }
    for format in [FileFormat.npz, .safetensors] {
      for ext in format.extensions {
        let pattern = Array((ext + ":").utf8)
        var i = bytes.count - pattern.count
        while i >= 0 {
          if (0..<pattern.count).allSatisfy({ lower(bytes[i + $0]) == pattern[$0] }) {
            let name = bytes[(i + pattern.count)...]
            if !name.isEmpty && !name.contains(UInt8(ascii: "/")) {
              return (String(decoding: bytes[..<(i + ext.utf8.count)], as: UTF8.self),
                      String(decoding: name, as: UTF8.self))
            }
            break
          }
          i -= 1
        }
      }
    }
    return (path, nil)
  }

  /// Reads the array at `path`, which may name a member (`FILE.npz:NAME`).
  /// - Throws: ``FileError`` naming the file and the problem.
  package static func readArray(naming path: String) throws -> StoredArray {
    let (file, member) = splitMember(path)
    return try arrayFormat(path: file).readArray(path: file, member: member)
  }
}
