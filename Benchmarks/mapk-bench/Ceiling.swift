import CMAPKSIMD
import Dispatch
import MAPKShards
import MAPKTooling

/// The bandwidth ceiling: the fastest plain read of a mapping with T threads
/// on this CPU, a lane-wise max with no branch. Two readers are timed in
/// every round and the faster counts: the Swift SIMD loop (32 floats at a
/// time, two accumulators; SSE2 code on x86-64) and the C loop of
/// `CMAPKSIMD` at the CPU's best level (AVX2: four 8-lane accumulators, as
/// `Benchmarks/ceiling/bw.c`; AVX-512: two 16-lane ones).
/// Any evaluation of the same bytes must read them at least once, so this is
/// as fast as an evaluation can go on this machine.
enum Ceiling {
  /// The mapped bytes, shared read-only by the scanning threads.
  struct Bytes: @unchecked Sendable {
    // Sendable: the memory is only read, and outlives the scan.
    let base: UnsafeRawPointer
    let count: Int
  }

  /// A plain reader.
  enum Reader: CaseIterable {
    case swift, c
    /// Its name in the report: `swift-simd` or `c-avx2` (the C loop's level).
    var name: String {
      switch self {
      case .swift: "swift-simd"
      case .c: "c-" + String(cString: mapk_simd_level_name(mapk_simd_best_level()))
      }
    }
  }

  /// Seconds of the fastest of `repeats` scans of `bytes` by `threads` workers with `reader`.
  static func measure(_ bytes: Bytes, threads: Int, repeats: Int, reader: Reader = .swift) -> Double {
    var best = Double.infinity
    for _ in 0..<max(1, repeats) {
      let (sink, seconds) = Stopwatch.measure { scan(bytes, threads: threads, reader: reader) }
      // Use the result, so that the scan cannot be optimized away.
      if sink.isNaN { print("", terminator: "") }
      best = min(best, seconds)
    }
    return best
  }

  /// One scan: each worker reads its contiguous part and returns its maximum.
  static func scan(_ bytes: Bytes, threads: Int, reader: Reader = .swift) -> Float {
    let parts = max(1, threads)
    let blocks = bytes.count / 128
    var maxima = [Float](repeating: 0, count: parts)
    maxima.withUnsafeMutableBufferPointer { out in
      let results = Results(base: out.baseAddress!)
      DispatchQueue.concurrentPerform(iterations: parts) { p in
        let first = p * blocks / parts, last = (p + 1) * blocks / parts
        if reader == .c {
          let floats = (bytes.base + first * 128).assumingMemoryBound(to: Float.self)
          results.base[p] = mapk_max_scan_f32(mapk_simd_best_level(), floats, Int64((last - first) * 32))
          return
        }
        var a = SIMD16<Float>(repeating: -.infinity), b = a
        var offset = first * 128
        let end = last * 128
        while offset < end {
          let x = bytes.base.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
          let y = bytes.base.loadUnaligned(fromByteOffset: offset + 64, as: SIMD16<Float>.self)
          a.replace(with: x, where: x .> a)
          b.replace(with: y, where: y .> b)
          offset &+= 128
        }
        a.replace(with: b, where: b .> a)
        results.base[p] = a.max()
      }
    }
    return maxima.max() ?? 0
  }

  /// Where workers write their maxima.
  struct Results: @unchecked Sendable {
    // Sendable: each worker writes only its own slot.
    let base: UnsafeMutablePointer<Float>
  }
}
