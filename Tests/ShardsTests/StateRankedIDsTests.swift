import Foundation
import MAPKShards
import MAPKKernel
import TestSupport
import Testing

/// A state of ranked-id predictions records how the ids were read (pad,
/// duplicate rule, classes), keeps it through its file, and a merge refuses
/// shards read otherwise; states without the record still merge.
@Suite struct StateRankedIDsTests {
  static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/ranked-ids").path
  let configuration = try! MAPConfiguration(ks: [1, 3, 5], emptyRows: .zero)

  func shard(_ i: Int, _ reading: RankedIDReading) throws -> StateFile {
    let inputs = try EvaluationInputs(predictions: Self.fixtures + "/dense0.pred.npy",
                                      labels: Self.fixtures + "/dense0.labels.npy", rankedIDs: reading)
    return try StateFile(evaluating: inputs, configuration: configuration, shard: StateFile.Shard(index: i, count: 2))
  }

  @Test func theReadingIsRecordedAndRoundTrips() throws {
    let reading = RankedIDReading(pad: 100_000_000, duplicates: .first, classes: 12)
    let state = try shard(0, reading)
    #expect(state.inputs.rankedIDs == reading)
    let back = try StateFile(decoding: state.encoded(), path: "s.json")
    #expect(back.inputs.rankedIDs == reading)
    let text = String(decoding: state.encoded(), as: UTF8.self)
    #expect(text.contains(#""ranked_ids""#) && text.contains(#""duplicate_ids""#) && text.contains(#""first""#) && text.contains("100000000"))
    // Scores record none.
    let scores = try EvaluationInputs(predictions: Self.fixtures + "/../safetensors/scores_float32.npy",
                                      labels: Self.fixtures + "/../safetensors/labels.npy")
    #expect(try StateFile.Inputs(of: scores).rankedIDs == nil)
  }

  @Test func shardsReadAlikeMergeToTheWholeRun() throws {
    let reading = RankedIDReading(pad: 7, duplicates: .first)
    let merged = try StateFile.merge([("a", try shard(0, reading)), ("b", try shard(1, reading))])
    let inputs = try EvaluationInputs(predictions: Self.fixtures + "/dense0.pred.npy",
                                      labels: Self.fixtures + "/dense0.labels.npy", rankedIDs: reading)
    #expect(merged.state == (try StateFile(evaluating: inputs, configuration: configuration)).state)
  }

  @Test func shardsReadOtherwiseAreRefused() throws {
    func refusal(_ a: RankedIDReading, _ b: RankedIDReading) throws -> String? {
      do {
        _ = try StateFile.merge([("a.json", try shard(0, a)), ("b.json", try shard(1, b))])
        return nil
      } catch let e as FileError { return e.description }
    }
    let base = RankedIDReading()
    #expect(try refusal(base, RankedIDReading(pad: 7))
            == "b.json: cannot merge with a.json: other inputs (ranked ids: pad id 7 vs -1)")
    #expect(try refusal(base, RankedIDReading(duplicates: .first))
            == "b.json: cannot merge with a.json: other inputs (ranked ids: duplicate-id policy first vs error)")
    #expect(try refusal(RankedIDReading(duplicates: .first), RankedIDReading(duplicates: .first, classes: 12))
            == "b.json: cannot merge with a.json: other inputs (ranked ids: classes 12 vs none)")
  }

  @Test func statesWithoutTheRecordStillMerge() throws {
    // A state as written before the record existed: the same JSON without `ranked_ids`.
    func old(_ state: StateFile) throws -> StateFile {
      var object = try JSONSerialization.jsonObject(with: Data(state.encoded())) as! [String: Any]
      var inputs = object["inputs"] as! [String: Any]
      #expect(inputs.removeValue(forKey: "ranked_ids") != nil)
      object["inputs"] = inputs
      let bytes = try JSONSerialization.data(withJSONObject: object)
      let back = try StateFile(decoding: Array(bytes), path: "old.json")
      #expect(back.inputs.rankedIDs == nil)
      return back
    }
    let a = try shard(0, RankedIDReading()), b = try shard(1, RankedIDReading())
    let whole = try StateFile.merge([("a", a), ("b", b)]).state
    #expect(try StateFile.merge([("a", try old(a)), ("b", try old(b))]).state == whole)
    // An old state agrees with the default reading only.
    #expect(try StateFile.merge([("a", try old(a)), ("b", b)]).state == whole)
    #expect(throws: FileError.self) {
      _ = try StateFile.merge([("a", try old(a)), ("b", try shard(1, RankedIDReading(pad: 7)))])
    }
    // A recorded reading the format does not know is refused.
    var object = try JSONSerialization.jsonObject(with: Data(a.encoded())) as! [String: Any]
    var inputs = object["inputs"] as! [String: Any]
    inputs["ranked_ids"] = ["pad": -1, "duplicate_ids": "last", "classes": NSNull()]
    object["inputs"] = inputs
    #expect {
      _ = try StateFile(decoding: Array(try JSONSerialization.data(withJSONObject: object)), path: "x.json")
    } throws: { ($0 as? FileError)?.description.contains("duplicate_ids 'last' is not one of error, first") == true }
  }
}
