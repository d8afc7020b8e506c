import Dispatch
import Foundation
import MAPKShards

// label-timing P.npy LABELS... [-k K] [--repeat N] [--threads T]
// For each labels file: the fastest of N runs of opening the inputs (which
// parses text/CSR labels; dense .npy labels are only mapped) and of evaluating.

/// The value of `--name N`, removed from `args`.
func option(_ name: String, _ args: inout [String]) -> Int? {
  guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return nil }
  args.removeSubrange(i...(i + 1))
  return v
}
var args = Array(CommandLine.arguments.dropFirst())
let k = option("-k", &args) ?? 10
let repeats = option("--repeat", &args) ?? 5
let threads = option("--threads", &args) ?? Evaluator.activeProcessorCount
guard args.count >= 2 else {
  print("usage: label-timing P.npy LABELS... [-k K] [--repeat N] [--threads T]")
  exit(2)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now()
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

let predictions = args[0]
print("labels\tformat\topen_s\teval_s\topen/eval\tMAP@\(k)")
for labels in args.dropFirst() {
  var open = Double.infinity, eval = Double.infinity
  var map = Double.nan
  var format = ""
  for _ in 0..<repeats {
    var inputs: EvaluationInputs? = nil
    open = min(open, try seconds { inputs = try EvaluationInputs(predictions: predictions, labels: labels, threads: threads) })
    let i = inputs!
    format = i.labelFormat.rawValue
    eval = min(eval, try seconds {
      map = try Evaluator(threads: threads).evaluate(
        scores: i.scores, labels: i.labels, configuration: MAPConfiguration(ks: [k])).values[0]
    })
  }
  print("\(labels)\t\(format)\t\(open)\t\(eval)\t\(open / eval)\t\(map)")
}
