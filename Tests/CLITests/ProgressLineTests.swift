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
    let line = ProgressLine(total: 1000, bytesPerUnit: 4e6, unit: "rows", delay: 1)
    XCTAssertNil(line.text(done: 10, elapsed: 0.5))
    XCTAssertEqual(line.text(done: 500, elapsed: 2), "\r\u{1B}[Kmapk: 50% of 1000 rows, 1.0 GB/s, 2 s left")
    XCTAssertEqual(line.text(done: 0, elapsed: 1.5), "\r\u{1B}[Kmapk: 0% of 1000 rows")
    XCTAssertEqual(line.text(done: 1000, elapsed: 4), "\r\u{1B}[Kmapk: 100% of 1000 rows, 1.0 GB/s, 0 s left")
    XCTAssertNil(ProgressLine(total: 0, bytesPerUnit: 0, unit: "rows", delay: 0).text(done: 0, elapsed: 5))
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
