import Foundation
import MAPKShards

/// The warning `--exclude` adds when some labels are also excluded.
enum ExclusionWarning {
  /// Prints, if any label of `inputs` is one of its row's exclusions, how
  /// many: they can never be hit, and still count in `n` (docs/semantics.md).
  static func report(_ inputs: EvaluationInputs) {
    guard let exclusions = inputs.exclusions else { return }
    let classes: Int? = inputs.predictions.kind == .rankedIDs ? inputs.rankedIDReading?.classes : inputs.classes
    let count = ExcludedLabels.count(labels: inputs.labels, exclusions: exclusions, classes: classes)
    guard count > 0 else { return }
    let message = "mapk: warning: \(count) label\(count == 1 ? " is" : "s are") also excluded (--exclude): "
      + "they can never be hit and still count in n, as RecBole and Microsoft Recommenders count them\n"
    FileHandle.standardError.write(Data(message.utf8))
  }
}
