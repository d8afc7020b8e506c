import Synchronization

/// The one chunk-claiming protocol of mapk's parallel loops (the evaluator's
/// rows, the text parser's chunks): workers claim chunks in increasing
/// order from a shared counter, and nobody claims once a failure is known.
///
/// Why the lowest error wins whatever the threads: a chunk is claimed only
/// while no failure is known, and chunks are claimed in order, so when the
/// run ends every chunk before the lowest failing one was claimed and
/// finished (a failure there would be lower still). The failure reported,
/// the one at the lowest position, is the one a single thread would meet first.
package final class ChunkClaimer: Sendable {
  /// The number of chunks.
  package let chunkCount: Int
  private let next = Atomic<Int>(0)
  /// The lowest position of any failure so far (Int.max: none).
  private let lowestFailure = Atomic<Int>(Int.max)

  /// A claimer of chunks `0 ..< chunkCount`.
  package init(chunkCount: Int) {
    self.chunkCount = chunkCount
  }

  /// The next chunk, or nil when there is none left or a failure is known.
  package func claim() -> Int? {
    let c = next.add(1, ordering: .relaxed).oldValue
    guard c < chunkCount, lowestFailure.load(ordering: .relaxed) == Int.max else { return nil }
    return c
  }

  /// Records a failure at `position` (a row or a chunk index: any key in
  /// the chunks' order); no chunk is claimed afterwards.
  package func fail(at position: Int) {
    var current = lowestFailure.load(ordering: .relaxed)
    while position < current {
      let (exchanged, original) = lowestFailure.compareExchange(
        expected: current, desired: position, ordering: .relaxed)
      if exchanged { break }
      current = original
    }
  }

  /// The lowest failure position recorded, or nil; read after the run.
  package var lowestFailurePosition: Int? {
    let p = lowestFailure.load(ordering: .relaxed)
    return p == Int.max ? nil : p
  }
}
