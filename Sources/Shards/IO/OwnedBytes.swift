/// Bytes mapk allocated and owns (an inflated `.npz` member, or a copy of a
/// stored one that was not aligned for its element type), freed when the
/// last view holding this object is gone.
package final class OwnedBytes: @unchecked Sendable {
  // Sendable: written once while being made, read-only afterwards.

  /// The bytes (64-byte aligned, so any element type can be read in place).
  package let bytes: UnsafeMutableRawBufferPointer

  /// `count` uninitialized bytes.
  package init(count: Int) {
    bytes = .allocate(byteCount: max(1, count), alignment: 64)
  }

  /// A copy of `source`.
  package convenience init(copying source: UnsafeRawBufferPointer) {
    self.init(count: source.count)
    if let base = source.baseAddress, source.count > 0 {
      bytes.baseAddress!.copyMemory(from: base, byteCount: source.count)
    }
  }

  deinit { bytes.deallocate() }

  /// The first `count` bytes, read-only.
  package func prefix(_ count: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: bytes[0..<count])
  }
}
