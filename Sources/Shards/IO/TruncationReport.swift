import Synchronization

/// The table the SIGBUS handler reads: address ranges and ready-made messages.
///
/// The handler may run on any thread at any moment, so it only reads memory
/// prepared beforehand and calls `write` and `_exit`. A table is never freed:
/// a handler could still be reading it when a new one replaces it (a few
/// hundred bytes per call; the CLI makes one call).
enum TruncationReport {
  struct Entry {
    var start: UInt
    var end: UInt
    var message: UnsafeMutableBufferPointer<UInt8>
  }

  struct Table {
    var entries: UnsafeMutableBufferPointer<Entry>
    /// For a SIGBUS outside every range.
    var fallback: UnsafeMutableBufferPointer<UInt8>
  }

  /// The address of the current table (0: none), published with release
  /// ordering so the handler sees it whole. Held as bits because `Atomic`
  /// of a pointer is not `Sendable`; the table is immutable once published.
  static let current = Atomic<UInt>(0)

  static func install(files: [MappedFile]) {
    func bytes(_ text: String) -> UnsafeMutableBufferPointer<UInt8> {
      let utf8 = Array(text.utf8)
      let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: utf8.count)
      _ = buffer.initialize(from: utf8)
      return buffer
    }
    let entries = UnsafeMutableBufferPointer<Entry>.allocate(capacity: files.count)
    for (i, f) in files.enumerated() {
      let start = f.base.map { UInt(bitPattern: $0) } ?? 0
      entries.initializeElement(at: i, to: Entry(
        start: start, end: start + UInt(f.size),
        message: bytes("mapk: error: \(FileError.oneLine(f.path)): bus error (SIGBUS) reading the mapped file: "
                       + "it shrank while being read, or the device failed; no result\n")))
    }
    let names = files.map { FileError.oneLine($0.path) }.joined(separator: ", ")
    let table = UnsafeMutablePointer<Table>.allocate(capacity: 1)
    table.initialize(to: Table(
      entries: entries,
      fallback: bytes("mapk: error: bus error (SIGBUS) while reading \(names): did an input shrink?\n")))
    current.store(UInt(bitPattern: table), ordering: .releasing)
    _ = reporting.load(ordering: .relaxed)  // initialize the globals before any signal can read them
    _ = TemporaryFiles.slots.count
    System.handleBusErrors(handle)
  }

  /// Set by the first thread to fault: several workers can hit lost pages at
  /// once, and the process must print one line, not one per thread.
  static let reporting = Atomic<Bool>(false)

  /// The SIGBUS handler: find the file by the faulting address, say so, exit 1.
  static let handle: System.FaultHandler = { _, info, _ in
    // A later thread waits (in the kernel) for the first one's `_exit`, which ends them all.
    if TruncationReport.reporting.exchange(true, ordering: .acquiringAndReleasing) { System.waitForever() }
    // The run's output temporaries go first: the exit below unwinds nothing.
    TemporaryFiles.removeAllFromSignalHandler()
    guard let table = UnsafeMutablePointer<Table>(bitPattern: TruncationReport.current.load(ordering: .acquiring))
    else {
      let text: StaticString = "mapk: error: bus error (SIGBUS)\n"
      System.failFromSignalHandler(text.utf8Start, count: text.utf8CodeUnitCount, status: 1)
    }
    let address = System.faultAddress(info)
    var message = table.pointee.fallback
    for entry in table.pointee.entries where entry.start <= address && address < entry.end {
      message = entry.message
    }
    System.failFromSignalHandler(message.baseAddress!, count: message.count, status: 1)
  }
}
