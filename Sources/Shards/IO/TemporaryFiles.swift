import Synchronization

/// The output temporaries that exist right now, so that a run ended by a
/// signal removes them as an error does (an `AtomicOutputFile` removes its
/// own when dropped, but a signal unwinds nothing).
///
/// The signal handlers (``removeAllOnTermination()``'s and the SIGBUS
/// report's) may run on any thread at any moment, so the table is a fixed
/// set of atomic slots, each holding a NUL-terminated copy of a path's bytes
/// made beforehand; a handler only loads, `unlink`s and exits. A copy is
/// never freed once published (a handler could be reading it): a few dozen
/// bytes per output file. A process with more than ``capacity`` outputs
/// open at once leaves the extra ones unregistered (removed on errors, not
/// on signals).
package enum TemporaryFiles {
  /// Slots in the table.
  static let capacity = 64

  /// One slot: the address of a path's bytes, 0 when free.
  final class Slot: Sendable {
    let bits = Atomic<UInt>(0)
  }

  /// The table, made before any handler can read it (``register(_:)`` and
  /// ``removeAllOnTermination()`` touch it first).
  static let slots: [Slot] = (0..<capacity).map { _ in Slot() }

  /// Records `path` as a temporary to remove if a signal ends the process.
  /// - Returns: Its slot, for ``unregister(_:)``; nil if the table is full.
  static func register(_ path: String) -> Int? {
    let bytes = PathBytes.bytes(path) + [0]
    let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count)
    copy.initialize(from: bytes, count: bytes.count)
    let bits = UInt(bitPattern: copy)
    for (i, slot) in slots.enumerated()
    where slot.bits.compareExchange(expected: 0, desired: bits, ordering: .releasing).exchanged {
      return i
    }
    copy.deallocate()  // never published
    return nil
  }

  /// Forgets the temporary in `slot` (it was renamed or removed).
  static func unregister(_ slot: Int?) {
    guard let slot else { return }
    slots[slot].bits.store(0, ordering: .releasing)
  }

  /// From a signal handler: removes every registered temporary.
  static func removeAllFromSignalHandler() {
    for slot in slots {
      let bits = slot.bits.exchange(0, ordering: .acquiring)
      if let path = UnsafePointer<CChar>(bitPattern: bits) { System.removeFromSignalHandler(path) }
    }
  }

  /// Makes SIGINT, SIGTERM, SIGHUP and SIGPIPE remove the registered
  /// temporaries before the process ends by the signal as it would have
  /// (a signal the process was started with ignored stays ignored), and a
  /// crash (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT) remove them
  /// before it goes on as it would have (Swift's crash report included).
  /// A later `reportTruncationAsError()` takes SIGBUS over; its handler
  /// removes them too.
  package static func removeAllOnTermination() {
    _ = slots.count  // build the table before a handler can read it
    _ = System.previousCrashActions  // and the crash handler's saved actions
    System.handleTermination { signal in
      TemporaryFiles.removeAllFromSignalHandler()
      System.endBySignal(signal)
    }
    System.handleCrashes { signal, info, _ in
      TemporaryFiles.removeAllFromSignalHandler()
      System.resumeCrash(signal, info)
    }
  }
}
