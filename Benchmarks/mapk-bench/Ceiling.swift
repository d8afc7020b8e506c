import Dispatch
import MAPKShards
import MAPKTooling

/// The bandwidth ceiling: the fastest plain SIMD read of a mapping with T
/// threads, a lane-wise max over 32 floats at a time (two independent
/// accumulators, no branch), the same work as `Benchmarks/ceiling/bw.c` in C
/// (AVX2), which cross-checks this ceiling outside Swift.
/// Any evaluation of the same bytes must read them at least once, so this is
/// as fast as an evaluation can go on this machine.
enum Ceiling {
  /// The mapped bytes, shared read-only by the scanning threads.
  struct Bytes: @unchecked Sendable {
    // Sendable: the memory is only read, and outlives the scan.
    let base: UnsafeRawPointer
    let count: Int
  }

  /// Seconds of the fastest of `repeats` scans of `bytes` by `threads` workers.
  static func measure(_ bytes: Bytes, threads: Int, repeats: Int) -> Double {
    var best = Double.infinity
    for _ in 0..<max(1, repeats) {
      let (sink, seconds) = Stopwatch.measure { scan(bytes, threads: threads) }
      // Use the result, so that the scan cannot be optimized away.
      if sink.isNaN { print("", terminator: "") }
      best = min(best, seconds)
    }
    return best
  }

  /// One scan: each worker reads its contiguous part and returns its maximum.
  static func scan(_ bytes: Bytes, threads: Int) -> Float {
    let parts = max(1, threads)
    let blocks = bytes.count / 128
    var maxima = [Float](repeating: 0, count: parts)
    maxima.withUnsafeMutableBufferPointer { out in
      let results = Results(base: out.baseAddress!)
      DispatchQueue.concurrentPerform(iterations: parts) { p in
        let first = p * blocks / parts, last = (p + 1) * blocks / parts
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
