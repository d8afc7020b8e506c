import Foundation
import MAPKShards
import TestSupport
import Testing

/// Version-1 state files (written before metrics existed) still load, as
/// AP@k, and merge with the version-2 states this build writes.
@Suite struct StateFileVersionTests {
  /// Shard 1/3 of the `crank3` conformance dump, ks 1 and 3, byte for byte
  /// as the version-1 writer produced it (also `Fuzz/corpus/state_file/shard.json`).
  static let version1 = #"""
{
  "classes" : 9,
  "counts" : {
    "empty_rows" : 0,
    "nan_scores" : 0,
    "rows" : 10
  },
  "empty_rows_policy" : "nan",
  "format" : "mapk-state",
  "inputs" : {
    "labels" : {
      "dtype" : "<i8",
      "format" : "dense",
      "name" : "crank3.labels.npy",
      "sample" : "d57604aa5bf1016b",
      "shape" : [
        6,
        5,
        3
      ],
      "size" : 848
    },
    "predictions" : {
      "dtype" : "<f4",
      "format" : "npy",
      "name" : "crank3.pred.npy",
      "sample" : "ea4b973776a5b34d",
      "shape" : [
        6,
        5,
        9
      ],
      "size" : 1208
    }
  },
  "ks" : [
    1,
    3
  ],
  "nan_policy" : "error",
  "rows" : {
    "lower" : 10,
    "total" : 30,
    "upper" : 20
  },
  "run" : {
    "seconds" : 0.00058978,
    "threads" : 2
  },
  "shard" : {
    "count" : 3,
    "index" : 1
  },
  "totals" : [
    {
      "exact" : "0x80000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
      "nan" : 0,
      "negative_infinity" : 0,
      "positive_infinity" : 0
    },
    {
      "exact" : "0x98e38e38e38e38800000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
      "nan" : 0,
      "negative_infinity" : 0,
      "positive_infinity" : 0
    }
  ],
  "version" : 1,
  "weight_sum" : {
    "exact" : "0x280000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "nan" : 0,
    "negative_infinity" : 0,
    "positive_infinity" : 0
  }
}
"""#

  static func fixture(_ name: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/conformance/\(name)").path
  }

  @Test func version1LoadsAsAveragePrecisionAndMergesWithVersion2() throws {
    let old = try StateFile(decoding: Array(Self.version1.utf8), path: "v1.json")
    #expect(old.state.configuration == (try MAPConfiguration(ks: [1, 3])))
    #expect(old.state.configuration.metrics == [.averagePrecision])
    #expect(old.rows == 10..<20 && old.totalRows == 30 && old.classes == 9)
    #expect(old.shard == StateFile.Shard(index: 1, count: 3))

    let inputs = try EvaluationInputs(predictions: Self.fixture("crank3.pred.npy"),
                                      labels: Self.fixture("crank3.labels.npy"))
    let configuration = try MAPConfiguration(ks: [1, 3])
    // Today's evaluation of the same rows has the same exact sums.
    let same = try StateFile(evaluating: inputs, configuration: configuration, shard: old.shard)
    #expect(same.state == old.state)

    // Shards 0 and 2 written (version 2) and read back, merged with the version-1 shard 1.
    var parts: [(path: String, state: StateFile)] = [("v1.json", old)]
    for i in [0, 2] {
      let written = try StateFile(evaluating: inputs, configuration: configuration,
                                  shard: StateFile.Shard(index: i, count: 3))
      let text = String(decoding: written.encoded(), as: UTF8.self)
      #expect(text.contains("\"version\" : 2"))
      #expect(text.contains("\"metrics\" : [\n    \"map\"\n  ]"))
      #expect(!text.contains("\"totals\" : [\n    {"), "version 2 keeps the totals inside 'sums'")
      parts.append(("s\(i).json", try StateFile(decoding: written.encoded(), path: "s\(i).json")))
    }
    let merged = try StateFile.merge(parts)
    let whole = try StateFile(evaluating: inputs, configuration: configuration)
    #expect(merged.state == whole.state)
    #expect(merged.state.values.map(\.bitPattern) == whole.state.values.map(\.bitPattern))

    // Re-encoded, the version-1 state is a version-2 file of the same state.
    let again = try StateFile(decoding: old.encoded(), path: "again.json")
    #expect(again == old)
  }

  /// Broken version-2 files, each refused with its problem.
  @Test func version2IsStrict() throws {
    let inputs = try EvaluationInputs(predictions: Self.fixture("crank3.pred.npy"),
                                      labels: Self.fixture("crank3.labels.npy"))
    let state = try StateFile(evaluating: inputs, configuration: try MAPConfiguration(ks: [1, 3]),
                              shard: StateFile.Shard(index: 1, count: 3))
    let text = String(decoding: state.encoded(), as: UTF8.self)
    let cases: [(String, String)] = [
      (text.replacingOccurrences(of: "\"metric\" : \"map\"", with: "\"metric\" : \"p\""), "sums are for metrics [\"p\"]"),
      (text.replacingOccurrences(of: "\"metrics\" : [\n    \"map\"\n  ]", with: "\"metrics\" : [\"p\"]"),
       "metric 'p' is not one of map"),
      (text.replacingOccurrences(of: "\"metrics\" : [\n    \"map\"\n  ]", with: "\"metrics\" : []"), "metrics [] must be"),
      (text.replacingOccurrences(of: "\"ks\" : [\n        1,\n        3\n      ]", with: "\"ks\" : [1, 2]"),
       "sums[0] (map) are for ks [1, 2], not [1, 3]"),
      (text.replacingOccurrences(of: "\"sums\"", with: "\"summs\""), "missing key 'sums'"),
      (text.replacingOccurrences(of: "\"sums\"", with: "\"totals\""), "missing key 'totals[0].exact'"),
      (text.replacingOccurrences(of: "\"version\" : 2", with: "\"version\" : 3"), "unsupported state version 3"),
      (Self.version1.replacingOccurrences(of: "\"totals\"", with: "\"sums\""), "missing key 'sums[0].metric'"),
      (Self.version1.replacingOccurrences(of: "\"totals\"", with: "\"totalz\""), "missing key 'totals'"),
    ]
    for (bad, needle) in cases {
      #expect(bad != text && bad != Self.version1, "\(needle): the replacement matched nothing")
      #expect {
        try StateFile(decoding: Array(bad.utf8), path: "x.json")
      } throws: { error in
        guard let e = error as? FileError else { return false }
        return e.problem.contains(needle) && !e.problem.contains("\n")
      }
    }
  }
}
