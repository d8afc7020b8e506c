import Foundation
import MAPKShards
import TestSupport
import Testing

/// `mapk eval`, `inspect` and `generate` on multi-hot labels and on scores
/// inside `.npz` and `.safetensors` containers.
@Suite struct ContainerInputsCLITests {
  /// The ShardsTests fixtures, read from the source tree (this target has no resources).
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("ShardsTests/Fixtures/safetensors").path

  func value(_ outcome: ProcessOutcome) -> String? {
    outcome.stdout.split(separator: "\n").first.map { String($0.split(separator: " ")[2]) }
  }

  @Test func zeroOneLabelsWarnAndMultihotReadsThemAsBoolDoes() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let g = try ProcessRunner.mapk(["generate", "--rows", "300", "--classes", "20", "--labels-per-row", "4",
                                    "--labels-format", "multihot", "--out", "m", "--seed", "3"], in: dir.path)
    #expect(g.status == 0, "\(g.stderr)")
    _ = try ProcessRunner.mapk(["generate", "--rows", "300", "--classes", "20", "--labels-per-row", "4",
                                "--labels-format", "text", "--out", "t", "--seed", "3"], in: dir.path)
    // The same labels as int64 0/1: what made mapk silently wrong before.
    let bools = try NPYArray(path: dir.file("m.labels.npy"))
    #expect(bools.type == .bool && bools.shape == [300, 20])
    let ints = (0..<(300 * 20)).map { Int64(bools.data.load(fromByteOffset: $0, as: UInt8.self)) }
    try NPYBytes.write(ints, descr: "<i8", shape: [300, 20], to: dir.file("ints.npy"))

    let text = try ProcessRunner.mapk(["eval", "--predictions", "t.pred.npy", "--labels", "t.labels.txt", "-k", "5"],
                                      in: dir.path)
    let multi = try ProcessRunner.mapk(["eval", "--predictions", "m.pred.npy", "--labels", "m.labels.npy", "-k", "5"],
                                       in: dir.path)
    let flagged = try ProcessRunner.mapk(["eval", "--predictions", "m.pred.npy", "--labels", "ints.npy", "-k", "5",
                                          "--labels-format", "multihot"], in: dir.path)
    let warned = try ProcessRunner.mapk(["eval", "--predictions", "m.pred.npy", "--labels", "ints.npy", "-k", "5"],
                                        in: dir.path)
    #expect(text.status == 0 && multi.status == 0 && flagged.status == 0 && warned.status == 0)
    #expect(value(multi) != nil && value(multi) == value(text) && value(flagged) == value(text))
    #expect(multi.stderr == "" && flagged.stderr == "")
    #expect(warned.stderr == "mapk: warning: ints.npy: integer labels of shape [300, 20] hold only 0 and 1 and have "
            + "one column per class: they look multi-hot, but are read as label ids 0 and 1 "
            + "(use --labels-format multihot to read them as multi-hot)\n")
    #expect(value(warned) != value(text))

    let inspect = try ProcessRunner.mapk(["inspect", "m.labels.npy", "ints.npy"], in: dir.path)
    #expect(inspect.status == 0)
    #expect(inspect.stdout.contains("  dtype    |b1 (bool)\n"))
    #expect(inspect.stdout.contains("  as multi-hot labels: 300 rows x 20 columns, "))
    #expect(inspect.stdout.contains("  holds only 0 and 1: with --labels-format multihot, multi-hot labels:\n"))
  }

  @Test func generateWritesSafetensorsThatEvaluateAsItsNPY() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    for extra in [[], ["--safetensors"]] {
      let g = try ProcessRunner.mapk(["generate", "--rows", "200", "--classes", "30", "--labels-per-row", "3",
                                      "--dtype", "f16", "--out", extra.isEmpty ? "n" : "s", "--seed", "9"] + extra,
                                     in: dir.path)
      #expect(g.status == 0, "\(g.stderr)")
    }
    let npy = try ProcessRunner.mapk(["eval", "--predictions", "n.pred.npy", "--labels", "n.labels.npy", "-k", "1-5"],
                                     in: dir.path)
    let st = try ProcessRunner.mapk(["eval", "--predictions", "s.pred.safetensors", "--labels", "s.labels.npy",
                                     "-k", "1-5"], in: dir.path)
    #expect(npy.status == 0 && st.status == 0, "\(st.stderr)")
    #expect(npy.stdout.split(separator: "\n").prefix(5) == st.stdout.split(separator: "\n").prefix(5))
    let tensors = try SafetensorsFile(path: dir.file("s.pred.safetensors"))
    #expect(tensors.tensors.map(\.name) == ["scores"] && tensors.tensors[0].shape == [200, 30])
  }

  @Test func containersEvaluateAndInspectAsTheNPY() throws {
    let f = Self.fixtures
    func eval(_ predictions: String) throws -> ProcessOutcome {
      try ProcessRunner.mapk(["eval", "--predictions", predictions, "--labels", f + "/labels.npy", "-k", "3",
                              "--empty-rows", "skip"])
    }
    let reference = try eval(f + "/scores_float32.npy")
    #expect(reference.status == 0)
    for name in ["scores_float32.safetensors", "several.safetensors:scores", "several_compressed.npz:scores",
                 "scores_float32.npz"] {
      let r = try eval(f + "/" + name)
      #expect(r.status == 0 && value(r) == value(reference), "\(name): \(r.stderr)")
    }
    let several = try eval(f + "/several.npz")
    #expect(several.status == 1)
    #expect(several.stderr == "mapk: error: \(f)/several.npz: holds 2 arrays (\"scores\", \"logits\"): "
            + "name one as FILE.npz:NAME\n")

    let inspect = try ProcessRunner.mapk(["inspect", f + "/several.safetensors:logits", f + "/several_compressed.npz:scores"])
    #expect(inspect.status == 0, "\(inspect.stderr)")
    #expect(inspect.stdout.contains(".safetensors file, 10,482 bytes, 3 arrays: "))
    #expect(inspect.stdout.contains("  reading \"logits\" in place\n  dtype    float64\n  shape    [37, 23]"))
    #expect(inspect.stdout.contains("  reading \"scores\" from memory (inflated, or copied to align it)\n"))
    #expect(inspect.stdout.contains("  as predictions: 37 rows x 23 classes\n"))
  }
}
