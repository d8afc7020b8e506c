import Dispatch
import TestSupport
import Testing

@testable import MAPKShards

/// The chunk-claiming protocol: chunks in increasing order, none after a
/// failure, so every chunk before the lowest failure is done and the lowest
/// failure is the one recorded, whatever the threads.
@Suite struct ChunkClaimerTests {
  @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
  func everyChunkBeforeTheLowestFailureIsDone(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let chunks = 200 + Int(rng.next() % 300)
    let failing = Set((0..<Int(rng.next() % 4)).map { _ in Int(rng.next() % UInt64(chunks)) })
    let workers = 1 + Int(rng.next() % 6)
    let claimer = ChunkClaimer(chunkCount: chunks)
    let done = WorkerSlots<[Int]>(count: workers)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      var mine: [Int] = []
      while let c = claimer.claim() {
        mine.append(c)
        if failing.contains(c) { claimer.fail(at: c) }
      }
      done.store(mine, at: worker)
    }
    let claimed = done.values.flatMap { $0 }
    #expect(claimed.count == Set(claimed).count, "a chunk claimed twice (seed \(seed))")
    for worker in done.values { #expect(worker == worker.sorted(), "claims out of order (seed \(seed))") }
    if let lowest = failing.min() {
      #expect(claimer.lowestFailurePosition == lowest, "seed \(seed)")
      #expect(Set(0...lowest).isSubset(of: Set(claimed)), "a chunk before the failure was skipped (seed \(seed))")
    } else {
      #expect(claimer.lowestFailurePosition == nil)
      #expect(Set(claimed) == Set(0..<chunks), "seed \(seed)")
    }
  }

  @Test func noChunkIsClaimedAfterAFailure() {
    let claimer = ChunkClaimer(chunkCount: 10)
    #expect(claimer.claim() == 0)
    #expect(claimer.claim() == 1)
    claimer.fail(at: 7)
    claimer.fail(at: 9)  // higher: the lowest stays
    #expect(claimer.claim() == nil)
    #expect(claimer.lowestFailurePosition == 7)
    claimer.fail(at: 3)
    #expect(claimer.lowestFailurePosition == 3)
  }
}
