import Foundation
import MAPKShards
import TestSupport
import Testing

/// `mapk eval --like LIB` prints each library's own numbers on the cases
/// that library produced (Tests/ShardsTests/Fixtures/metrics), and the
/// outputs of several metrics: human names, JSON results, per-row columns
/// (.npy and .tsv), shards merged, states of other metrics refused.
@Suite struct MetricConventionTests {
  struct Case: Decodable {
    let name: String
    let predictions: String
    let labels: String
    let weights: String?
    let ks: [Int]
    let expected: [String: [String: [String: Double?]]]
  }

  struct Cases: Decodable { let cases: [Case] }

  /// The fixtures of the ShardsTests target, read from the source tree.
  static let directory = FixtureFolder("metrics").url

  static func load() throws -> [Case] { try FixtureFolder("metrics").load(Cases.self).cases }

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test(arguments: ["tensorflow", "trec_eval", "ranx", "torchmetrics"])
  func likeLibraryPrintsItsNumbers(library: String) throws {
    let tolerance = library == "torchmetrics" ? 2e-5 : 1e-12
    var compared = 0
    for c in try Self.load() {
      guard let expected = c.expected[library] else { continue }
      let dir = Self.directory.path
      var args = ["eval", "--predictions", "\(dir)/\(c.predictions)", "--labels", "\(dir)/\(c.labels)",
                  "-k", c.ks.map(String.init).joined(separator: ","), "--like", library, "--json"]
      if let w = c.weights { args += ["--weights", "\(dir)/\(w)"] }
      let run = try ProcessRunner.mapk(args)
      #expect(run.status == 0, "\(run.stderr)")
      let object = try Self.json(run.stdout)
      #expect(object["convention"] as? String == library)
      let results = try #require(object["results"] as? [[String: Any]])
      for (name, byK) in expected {
        let metric = ["precision_at_top_k": "precision", "recall_at_top_k": "recall"][name] ?? name
        for (k, want) in byK {
          let result = try #require(results.first { $0["metric"] as? String == metric && $0["k"] as? Int == Int(k) },
                                    "\(c.name) \(library) \(metric)@\(k) missing")
          let got = result["value"] as? Double
          if let want {
            let g = try #require(got, "\(c.name) \(library) \(metric)@\(k): null")
            #expect(abs(g - want) <= tolerance * max(abs(want), 1e-300),
                    "\(c.name) \(library) \(metric)@\(k): got \(g), expected \(want)")
          } else {
            #expect(result["value"] is NSNull, "\(c.name) \(library) \(metric)@\(k): expected null")
          }
          compared += 1
        }
      }
    }
    #expect(compared >= 2 * 4 * 3)
  }

  @Test func humanNamesAndLibraryNames() throws {
    let dir = Self.directory.path
    let run = try ProcessRunner.mapk(["eval", "--predictions", "\(dir)/sparse.pred.npy", "--labels",
                                      "\(dir)/sparse.labels.txt", "-k", "10", "--like", "trec_eval"])
    #expect(run.status == 0, "\(run.stderr)")
    let lines = run.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "like trec_eval: trec_eval (pytrec_eval): queries without relevant labels are left out")
    let names = lines.dropFirst().prefix(6).map { String($0.prefix { $0 != " " }) }
    #expect(names == ["MAP(trec)@10", "P@10", "R(macro)@10", "nDCG@10", "MRR@10", "Hit@10"])
    #expect(lines[1].hasSuffix("(map_cut_10)") && lines[4].hasSuffix("(ndcg_cut_10)"), "\(lines)")
    let all = try ProcessRunner.mapk(["eval", "--predictions", "\(dir)/sparse.pred.npy", "--labels",
                                      "\(dir)/sparse.labels.txt", "-k", "10", "--metric", "all"])
    #expect(all.status == 0)
    let allNames = all.stdout.split(separator: "\n").dropLast().map { String($0.prefix { $0 != " " }) }
    #expect(allNames == ["MAP@10", "MAP(trec)@10", "MAP(torch)@10", "P@10", "P(torch)@10", "R@10", "R(macro)@10",
                         "R(torch)@10", "nDCG@10", "MRR@10", "MRR(torch)@10", "Hit@10"])
    let bad = try ProcessRunner.mapk(["eval", "--predictions", "\(dir)/sparse.pred.npy", "--labels",
                                      "\(dir)/sparse.labels.txt", "-k", "10", "--metric", "map,p@10"])
    #expect(bad.status != 0 && bad.stderr.contains("'p@10' is not a metric"), "\(bad.stderr)")
  }

  @Test func defaultRunKeepsItsJSONAndNamedRunsNameEveryField() throws {
    let dir = Self.directory.path
    let base = ["eval", "--predictions", "\(dir)/dense.pred.npy", "--labels", "\(dir)/dense.labels.npy", "-k", "3",
                "--empty-rows", "zero", "--json"]
    let plain = try Self.json(try ProcessRunner.mapk(base).stdout)
    let plainResult = try #require((plain["results"] as? [[String: Any]])?.first)
    #expect(Set(plainResult.keys) == ["k", "map", "total", "max"])
    let named = try Self.json(try ProcessRunner.mapk(base + ["--metric", "map,recall"]).stdout)
    let results = try #require(named["results"] as? [[String: Any]])
    #expect(Set(results[0].keys) == ["metric", "k", "value", "map", "total", "max"])
    #expect(results[0]["value"] as? Double == plainResult["map"] as? Double)
    #expect(Set(results[1].keys) == ["metric", "k", "value", "numerator", "denominator"])
    let numerator = try #require(results[1]["numerator"] as? Double)
    let denominator = try #require(results[1]["denominator"] as? Double)
    #expect(results[1]["value"] as? Double == numerator / denominator)
    // The padding warning, only when recall reads padded dense labels.
    let human = try ProcessRunner.mapk(Array(base.dropLast()) + ["--metric", "recall"])
    #expect(human.stderr.contains("-1 padding, which TensorFlow's recall_at_k counts as one label never retrieved"))
    let noRecall = try ProcessRunner.mapk(Array(base.dropLast()) + ["--metric", "recall_macro"])
    #expect(!noRecall.stderr.contains("padding"))
  }

  /// Per-row output: the .npy has one column per (metric, k) in the JSON's
  /// column list; the .tsv the same values in shortest round-trip form.
  @Test func perRowColumnsInNPYAndTSV() throws {
    let tmp = try TemporaryDirectory()
    defer { tmp.remove() }
    let dir = Self.directory.path
    let base = ["eval", "--predictions", "\(dir)/sparse.pred.npy", "--labels", "\(dir)/sparse.labels.txt", "-k", "1,5",
                "--metric", "map,ndcg,recall", "--json", "--empty-rows", "zero"]
    let npy = try Self.json(try ProcessRunner.mapk(base + ["--per-row", "r.npy"], in: tmp.path).stdout)
    let columns = try #require(npy["per_row_columns"] as? [String])
    #expect(columns == ["map@1", "map@5", "recall@1", "recall@5", "ndcg@1", "ndcg@5"])
    let array = try NPYArray(path: tmp.file("r.npy"))
    #expect(array.shape == [50, 6])
    let run = try ProcessRunner.mapk(base + ["--per-row", "r.tsv"], in: tmp.path)
    #expect(run.status == 0, "\(run.stderr)")
    let lines = try String(contentsOfFile: tmp.file("r.tsv"), encoding: .utf8).split(separator: "\n").map(String.init)
    #expect(lines.count == 51)
    #expect(lines[0] == (["row"] + columns).joined(separator: "\t"))
    for r in 0..<50 {
      let fields = lines[r + 1].split(separator: "\t").map(String.init)
      #expect(fields[0] == String(r))
      for j in 0..<6 {
        let want = array.data.load(fromByteOffset: 8 * (r * 6 + j), as: Double.self)
        let got = Double(fields[j + 1]) ?? -1
        #expect(got.bitPattern == want.bitPattern || (got.isNaN && want.isNaN), "row \(r) \(columns[j])")
      }
    }
    // The values are the state's: their means are the results (no row is empty for ndcg here but row 1).
    let results = try #require(npy["results"] as? [[String: Any]])
    #expect(results.count == 6)
  }

  /// Shards with every metric merge to the bits of one run; a state of other metrics is refused.
  @Test func shardsOfEveryMetricMerge() throws {
    let tmp = try TemporaryDirectory()
    defer { tmp.remove() }
    let dir = Self.directory.path
    let base = ["eval", "--predictions", "\(dir)/sparse.pred.npy", "--labels", "\(dir)/sparse.labels.txt",
                "-k", "1,3,10", "--metric", "all", "--empty-rows", "skip", "--json"]
    let whole = try ProcessRunner.mapk(base, in: tmp.path)
    for i in 0..<3 {
      let shard = try ProcessRunner.mapk(base + ["--shard", "\(i)/3", "--state", "s\(i).json"], in: tmp.path)
      #expect(shard.status == 0, "\(shard.stderr)")
    }
    let merged = try ProcessRunner.mapk(["merge", "--json", "s2.json", "s0.json", "s1.json"], in: tmp.path)
    #expect(merged.status == 0, "\(merged.stderr)")
    func values(_ text: String) throws -> [String] {
      try #require(try Self.json(text)["results"] as? [[String: Any]]).map { r in
        "\(r["metric"] ?? "map")@\(r["k"]!)=\((r["value"] as? Double).map { String($0.bitPattern) } ?? "null")"
      }
    }
    let one = try values(whole.stdout)
    #expect(one.count == 12 * 3)
    #expect(try values(merged.stdout) == one)
    let other = try ProcessRunner.mapk(
      ["eval", "--predictions", "\(dir)/sparse.pred.npy", "--labels", "\(dir)/sparse.labels.txt", "-k", "1,3,10",
       "--metric", "map,ndcg", "--empty-rows", "skip", "--shard", "0/3", "--state", "o0.json"], in: tmp.path)
    #expect(other.status == 0, "\(other.stderr)")
    let refused = try ProcessRunner.mapk(["merge", "o0.json", "s1.json", "s2.json"], in: tmp.path)
    #expect(refused.status != 0 && refused.stderr.contains("metrics"), "\(refused.stderr)")
  }
}
