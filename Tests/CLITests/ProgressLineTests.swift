@testable import mapk
import MAPKShards
import XCTest

final class ProgressLineTests: XCTestCase {
  func testShownOnlyOnATerminalWithoutNoProgressOrJSON() {
    XCTAssertTrue(ProgressLine.shouldShow(stderrIsTerminal: true, disabled: false, json: false))
    XCTAssertFalse(ProgressLine.shouldShow(stderrIsTerminal: false, disabled: false, json: false))
    XCTAssertFalse(ProgressLine.shouldShow(stderrIsTerminal: true, disabled: true, json: false))
    XCTAssertFalse(ProgressLine.shouldShow(stderrIsTerminal: true, disabled: false, json: true))
  }
}

extension ProgressLineTests {
  func testTextAfterTheDelay() {
    var line = ProgressLine(total: 1000, bytesPerUnit: 4e6, unit: "rows", delay: 1)
    XCTAssertNil(line.text(done: 10, elapsed: 0.5))
    XCTAssertEqual(line.text(done: 500, elapsed: 2), "\r\u{1B}[Kmapk: 50% of 1000 rows, 1.0 GB/s, 2 s left")
    XCTAssertEqual(line.text(done: 0, elapsed: 1.5), "\r\u{1B}[Kmapk: 0% of 1000 rows")
    XCTAssertEqual(line.text(done: 1000, elapsed: 4), "\r\u{1B}[Kmapk: 100% of 1000 rows, 1.0 GB/s, 0 s left")
    var empty = ProgressLine(total: 0, bytesPerUnit: 0, unit: "rows", delay: 0)
    XCTAssertNil(empty.text(done: 0, elapsed: 5))
  }

  /// Issue 10: a slow start (2 s before the first rows) does not slow the
  /// estimate for the rest of the run; the rate is that of the last seconds.
  func testTheEstimateUsesRecentProgressNotTheStart() {
    var line = ProgressLine(total: 1000, bytesPerUnit: 1e7, unit: "rows", delay: 0)
    XCTAssertEqual(line.text(done: 0, elapsed: 1), "\r\u{1B}[Kmapk: 0% of 1000 rows")
    _ = line.text(done: 100, elapsed: 2)
    // 100 rows a second since the first rows: 700 left is 7 s (the average since the start said 9.3 s).
    XCTAssertEqual(line.text(done: 300, elapsed: 4), "\r\u{1B}[Kmapk: 30% of 1000 rows, 1.0 GB/s, 7 s left")
    // Later, 50 rows a second, then 200 in the last second: the rate is over the last 5 s,
    // (900 - 500) / (13 - 8) = 80 rows/s, 0.8 GB/s (the average since the start: 0.7).
    for t in 5...12 { _ = line.text(done: 300 + (t - 4) * 50, elapsed: Double(t)) }
    XCTAssertEqual(line.text(done: 900, elapsed: 13), "\r\u{1B}[Kmapk: 90% of 1000 rows, 0.8 GB/s, 2 s left")
  }

  func testDurations() {
    XCTAssertEqual(ProgressLine.duration(0.2), "1 s")
    XCTAssertEqual(ProgressLine.duration(59), "59 s")
    XCTAssertEqual(ProgressLine.duration(61), "1 min 01 s")
    XCTAssertEqual(ProgressLine.duration(3725), "1 h 02 min")
    XCTAssertEqual(ProgressLine.duration(.infinity), "?")
  }

  func testDelayFromTheEnvironment() {
    XCTAssertEqual(ProgressLine.delay(environment: [:]), 1)
    XCTAssertEqual(ProgressLine.delay(environment: ["MAPK_PROGRESS_DELAY": "0"]), 0)
    XCTAssertEqual(ProgressLine.delay(environment: ["MAPK_PROGRESS_DELAY": "soon"]), 1)
  }
}
