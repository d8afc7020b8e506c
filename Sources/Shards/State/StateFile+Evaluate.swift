import Dispatch

extension StateFile {
  /// Evaluates one shard (or all rows) of opened inputs and returns its
  /// state, ready to ``write(to:protecting:)`` and merge.
  ///
  /// This is what `mapk eval --shard I/N --state FILE` does: the rows of
  /// `shard` are evaluated in parallel, the inputs' sizes are checked again
  /// afterwards (``EvaluationInputs/checkUnchanged()``), and the files are
  /// fingerprinted.
  ///
  /// - Parameters:
  ///   - inputs: The opened files.
  ///   - configuration: The ks and policies.
  ///   - shard: The rows to evaluate (default: all of them).
  ///   - evaluator: The parallel evaluator (default: all active processors).
  /// - Throws: ``MAPKError`` from the evaluation, ``FileError`` if an input changed.
  public init(evaluating inputs: EvaluationInputs, configuration: MAPConfiguration, shard: Shard? = nil,
              evaluator: Evaluator = Evaluator()) throws {
    let clock = Stopwatch()
    let rows = shard?.rows(of: inputs.rows) ?? 0..<inputs.rows
    let state = try evaluator.evaluate(inputs, configuration: configuration, rows: rows)
    try inputs.checkUnchanged()
    let seconds = clock.seconds
    try self.init(state: state, rows: rows, totalRows: inputs.rows, shard: shard, classes: inputs.classes,
                  inputs: Inputs(of: inputs), threads: evaluator.threads, seconds: seconds)
  }
}
