import Foundation
import MAPKShards
import TestSupport
import XCTest

extension TruncatedInputs {
  /// In a child process: runs `prepare` (what must exist when the fault
  /// comes, kept alive until it does), maps the inputs in `directory` with a
  /// SIGBUS reported as one error line (exit 1), truncates the predictions
  /// to one page behind the mapping's back and evaluates them, which must
  /// end the process before it returns.
  ///
  /// `prepare` runs first because the SIGBUS report must be the last SIGBUS
  /// handler installed: `TemporaryFiles.removeAllOnTermination()` in it
  /// would otherwise replace the report by its crash handler.
  static func evaluateTruncated<Held>(in directory: String, after prepare: () throws -> Held) throws {
    let held = try prepare()
    let inputs = try EvaluationInputs(predictions: directory + "/" + predictions, labels: directory + "/" + labels)
    inputs.reportTruncationAsError()
    XCTAssertEqual(truncate(directory + "/" + predictions, 4096), 0)
    _ = try Evaluator(threads: 2).evaluate(
      scores: inputs.scores, labels: inputs.labels, configuration: try MAPConfiguration(ks: [5]))
    withExtendedLifetime(held) { XCTFail("the evaluation read truncated pages without a SIGBUS") }
  }
}
