/// One slot per iteration of a `DispatchQueue.concurrentPerform` run, each
/// written only by the iteration that owns it and read after the run.
///
/// Why it is safe without a lock: no two threads touch the same slot, and
/// `concurrentPerform` returns only after every iteration has finished, which
/// orders every write before the reads that follow. (A `Mutex` would also be
/// correct, but on Linux it locks with raw futex calls that ThreadSanitizer
/// cannot see, so it reports false races; this needs no suppression.)
package final class WorkerSlots<Value>: @unchecked Sendable {
  private let slots: UnsafeMutableBufferPointer<Value?>

  /// `count` empty slots.
  package init(count: Int) {
    slots = .allocate(capacity: max(1, count))
    slots.initialize(repeating: nil)
  }

  deinit {
    _ = slots.deinitialize()
    slots.deallocate()
  }

  /// Stores the value of slot `index`; call only from the iteration that owns it.
  package func store(_ value: Value, at index: Int) {
    slots[index] = value
  }

  /// The stored values in slot order; call only after the run has returned.
  package var values: [Value] { slots.compactMap { $0 } }
}
