import Foundation
import MAPKShards
import TestSupport
import Testing

/// `mapk eval`, `inspect` and `generate` on bfloat16 scores: the BF16
/// `.safetensors` fixtures (written by safetensors' own serializer,
/// Scripts/oracle/bf16_cases.py) print what the same values as float32
/// `.npy` files print, and what cannot hold bfloat16 is refused in one line.
@Suite struct BFloat16CLITests {
  /// The ShardsTests fixtures, read from the source tree (this target has no resources).
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("ShardsTests/Fixtures/safetensors").path

  /// The printed values (`MAP@10 = ...`), not the line of timings.
  func values(_ outcome: ProcessOutcome) -> [Substring] { outcome.stdout.split(separator: "\n").filter { $0.contains(" = ") } }

  @Test func evalPrintsWhatTheFloat32NPYPrints() throws {
    let f = Self.fixtures
    for (tensor, npy) in [("scores", "bf16_edge_scores.npy"), ("nan", "bf16_edge_nan.npy")] {
      for nan in ["largest", "lowest"] {
        let args = ["--labels", f + "/bf16_edge_labels.npy", "-k", "1,3,10,300", "--metric", "all",
                    "--nan", nan]
        let bf16 = try ProcessRunner.mapk(["eval", "--predictions", f + "/bf16_edge.safetensors:" + tensor] + args)
        let f32 = try ProcessRunner.mapk(["eval", "--predictions", f + "/" + npy] + args)
        #expect(bf16.status == 0 && f32.status == 0, "\(bf16.stderr) \(f32.stderr)")
        #expect(!values(f32).isEmpty && values(bf16) == values(f32), "\(tensor) --nan \(nan):\n\(bf16.stdout)\n\(f32.stdout)")
      }
    }
    // Without --nan, the NaN is an error naming the same row and class.
    let bf16 = try ProcessRunner.mapk(["eval", "--predictions", f + "/bf16_edge.safetensors:nan",
                                       "--labels", f + "/bf16_edge_labels.npy", "-k", "5"])
    let f32 = try ProcessRunner.mapk(["eval", "--predictions", f + "/bf16_edge_nan.npy",
                                      "--labels", f + "/bf16_edge_labels.npy", "-k", "5"])
    #expect(bf16.status == 1 && f32.status == 1)
    // The same line once each names its file as FILE.
    let named = bf16.stderr.replacingOccurrences(of: f + "/bf16_edge.safetensors:nan", with: "FILE")
      .replacingOccurrences(of: f + "/bf16_edge.safetensors", with: "FILE")
    #expect(named.contains("NaN") && named == f32.stderr.replacingOccurrences(of: f + "/bf16_edge_nan.npy", with: "FILE"),
            "\(bf16.stderr)\n\(f32.stderr)")
  }

  @Test func inspectDescribesTheTensorAsEvalReadsIt() throws {
    let f = Self.fixtures
    let r = try ProcessRunner.mapk(["inspect", f + "/bf16_edge.safetensors:nan", f + "/bf16_edge_nan.npy"])
    #expect(r.status == 0, "\(r.stderr)")
    let parts = r.stdout.components(separatedBy: "\n\n")
    guard parts.count >= 2 else { Issue.record("\(r.stdout)"); return }
    // (safetensors writes the tensors sorted by name.)
    #expect(parts[0].contains(".safetensors file, 76,952 bytes, 2 arrays: nan (BF16 [64, 300]), scores (BF16 [64, 300])"))
    #expect(parts[0].contains("  reading \"nan\" in place\n  dtype    bfloat16\n  shape    [64, 300]"))
    #expect(parts[0].contains("  as predictions: 64 rows x 300 classes\n"))
    // The same range, NaN and infinity counts as the float32 copy.
    for line in parts[1].split(separator: "\n") where line.hasPrefix("  scores ") || line.hasPrefix("  NaN ")
      || line.hasPrefix("  +-inf ") {
      #expect((parts[0] + "\n").contains(line + "\n"), "\(line)")
    }
  }

  @Test func generateWritesBF16SafetensorsAndRefusesNPY() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try ProcessRunner.mapk(["generate", "--rows", "300", "--classes", "70", "--labels-per-row", "4",
                                    "--dtype", "bf16", "--safetensors", "--out", "b", "--seed", "4"], in: dir.path)
    #expect(g.status == 0, "\(g.stderr)")
    #expect(g.stdout.hasPrefix("wrote b.pred.safetensors (bfloat16 [300, 70])\n"), "\(g.stdout)")
    let tensors = try SafetensorsFile(path: dir.file("b.pred.safetensors"))
    #expect(tensors.tensors.map(\.dtype) == ["BF16"] && tensors.tensors[0].shape == [300, 70])
    // The same values as a float32 .npy (each bfloat16 widened exactly), written here.
    let array = try FileFormat.readArray(naming: dir.file("b.pred.safetensors"))
    let widened = (0..<array.count).map { Float(bitPattern: UInt32(array.data.load(fromByteOffset: 2 * $0, as: UInt16.self)) << 16) }
    #expect(widened.allSatisfy { $0 >= 0 && $0 <= 1 })
    try NPYBytes.write(widened, descr: "<f4", shape: [300, 70], to: dir.file("w.npy"))
    let args = ["--labels", "b.labels.npy", "-k", "1,5,20", "--metric", "map,recall,ndcg"]
    let bf16 = try ProcessRunner.mapk(["eval", "--predictions", "b.pred.safetensors"] + args, in: dir.path)
    let f32 = try ProcessRunner.mapk(["eval", "--predictions", "w.npy"] + args, in: dir.path)
    #expect(bf16.status == 0 && f32.status == 0 && !values(f32).isEmpty && values(bf16) == values(f32),
            "\(bf16.stdout)\n\(f32.stdout)")

    for extra in [[], ["--predictions-format", "ids"]] {
      let refused = try ProcessRunner.mapk(["generate", "--rows", "3", "--classes", "5", "--labels-per-row", "1",
                                            "--dtype", "bf16", "--out", "n"] + extra, in: dir.path)
      #expect(refused.status == 2)
      #expect(refused.stderr.hasPrefix("mapk: error: --dtype bf16 needs --safetensors (numpy has no bfloat16 dtype: "
                                       + "a .npy cannot hold it)\n"), "\(refused.stderr)")
      #expect(!FileManager.default.fileExists(atPath: dir.file("n.pred.npy")))
    }
  }

  @Test func aTypelessTwoByteNPYIsOneLineOfError() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try NPYBytes.write([UInt16](repeating: 0x3F80, count: 6), descr: "<V2", shape: [2, 3], to: dir.file("v2.npy"))
    try NPYBytes.write([Int64](arrayLiteral: 0, 1), descr: "<i8", shape: [2], to: dir.file("l.npy"))
    let r = try ProcessRunner.mapk(["eval", "--predictions", "v2.npy", "--labels", "l.npy", "-k", "1"], in: dir.path)
    #expect(r.status == 1)
    #expect(r.stderr == "mapk: error: v2.npy: void dtype '<V2' is raw 2-byte data with no type (ml_dtypes saves bfloat16 "
            + "this way): mapk reads bfloat16 scores from .safetensors (BF16), or convert with .astype(np.float32)\n")
  }
}
