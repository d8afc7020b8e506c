import Foundation
import Synchronization

/// Resident memory of this process from `/proc/self/status` (Linux).
enum Memory {
  /// The value of a `kB` field (`RssAnon`, `VmHWM`, ...) in bytes, if present.
  static func field(_ name: String) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
      let digits = line.dropFirst(name.count + 1).filter(\.isNumber)
      return Int(digits).map { $0 * 1024 }
    }
    return nil
  }

  /// Hands freed heap memory back to the system (glibc's `malloc_trim`, found
  /// at run time: Swift's Glibc module does not export it), so that RssAnon
  /// shows what evaluating holds, not what generating a dump left behind.
  static func releaseFreedHeap() {
    typealias Trim = @convention(c) (Int) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
    _ = unsafeBitCast(symbol, to: Trim.self)(0)
  }

  /// Samples `RssAnon` (current anonymous memory: heap, stacks, not the
  /// mapped file) every few milliseconds on its own thread and keeps the peak.
  final class Sampler: @unchecked Sendable {
    // Sendable: the peak and the flag are atomics.
    private let peakBytes = Atomic<Int>(0)
    private let running = Atomic<Bool>(true)
    private let done = DispatchSemaphore(value: 0)

    init() {
      let thread = Thread { [self] in
        while running.load(ordering: .relaxed) {
          sample()
          usleep(2_000)
        }
        done.signal()
      }
      thread.start()
    }

    /// Takes one sample now (also called after each run).
    func sample() {
      if let anon = Memory.field("RssAnon") { peakBytes.max(anon, ordering: .relaxed) }
    }

    /// Forgets the peak: the next samples start a new one.
    func reset() {
      peakBytes.store(0, ordering: .relaxed)
      sample()
    }

    /// The peak since the last reset.
    var peak: Int { peakBytes.load(ordering: .relaxed) }

    /// Stops the sampling thread.
    func stop() {
      running.store(false, ordering: .relaxed)
      done.wait()
    }
  }
}
