import Foundation
import MAPKShards
import TestSupport
import Testing

/// bfloat16 scores in `.safetensors` files written by safetensors' own
/// serializer (Scripts/oracle/bf16_cases.py) evaluate to the bits of the
/// same values as float32 `.npy` files (every bfloat16 is exactly a
/// float32): ties, ±0, ±inf, subnormals, magnitudes above float16's range,
/// NaN under each policy, any thread count. Malformed BF16 tensors and the
/// typeless `.npy` that ml_dtypes writes are refused with one line.
@Suite struct BFloat16ScoresTests {
  static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/safetensors").path
  func fixture(_ name: String) -> String { Self.fixtures + "/" + name }

  func bits(_ predictions: String, labels: String, nan: NaNScorePolicy = .error, threads: Int = 2,
            metrics: [Metric] = [.averagePrecision]) throws -> [UInt64] {
    let inputs = try EvaluationInputs(predictions: predictions, labels: fixture(labels), threads: threads)
    let configuration = try MAPConfiguration(ks: [1, 2, 5, 23], metrics: metrics, emptyRows: .zero, nanScores: nan)
    let state = try Evaluator(threads: threads).evaluate(scores: inputs.scores, labels: inputs.labels,
                                                         configuration: configuration)
    return state.values.map(\.bitPattern) + state.results.map(\.total.bitPattern)
  }

  @Test func theContainerFixtureEvaluatesAsItsFloat32NPY() throws {
    let inputs = try EvaluationInputs(predictions: fixture("bf16.safetensors"), labels: fixture("labels.npy"))
    #expect(inputs.scores.type == .bfloat16 && inputs.rowShape == [37] && inputs.classes == 23)
    // Mapped in place: the view is the file's own bytes.
    // (Compared outside #expect: an identity test inside it crashes the Swift 6.3 compiler.)
    let inPlace = inputs.predictions.array.owner === (inputs.predictions.array.file as AnyObject)
    #expect(inPlace)
    let reference = try bits(fixture("scores_float32.npy"), labels: "labels.npy")
    for threads in [1, 3] {
      #expect(try bits(fixture("bf16.safetensors"), labels: "labels.npy", threads: threads) == reference)
      #expect(try bits(fixture("bf16.safetensors:scores"), labels: "labels.npy", threads: threads) == reference)
    }
  }

  @Test(arguments: [NaNScorePolicy.largest, .lowest])
  func edgeValuesEvaluateAsTheirFloat32(policy: NaNScorePolicy) throws {
    for (tensor, npy) in [("scores", "bf16_edge_scores.npy"), ("nan", "bf16_edge_nan.npy")] {
      for metrics in [[Metric.averagePrecision], Metric.allCases] {
        let reference = try bits(fixture(npy), labels: "bf16_edge_labels.npy", nan: policy, metrics: metrics)
        for threads in [1, 2, 5] {
          #expect(try bits(fixture("bf16_edge.safetensors:" + tensor), labels: "bf16_edge_labels.npy", nan: policy,
                           threads: threads, metrics: metrics) == reference, "\(tensor) \(policy) \(threads) threads")
        }
      }
    }
  }

  @Test func theNaNErrorNamesTheSameScore() throws {
    func failure(_ predictions: String) -> String {
      do {
        _ = try bits(predictions, labels: "bf16_edge_labels.npy")
        return "none"
      } catch { return "\(error)" }
    }
    #expect(failure(fixture("bf16_edge.safetensors:scores")) == "none")
    let f32 = failure(fixture("bf16_edge_nan.npy"))
    #expect(f32.contains("NaN") && failure(fixture("bf16_edge.safetensors:nan")) == f32)
  }

  @Test func malformedBF16TensorsAreRefusedNamingTheFile() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let data: [UInt8] = [0x80, 0x3F, 0x00, 0x40, 0x40, 0x40, 0x80, 0x40]  // 1, 2, 3, 4 as bfloat16
    let cases: [(String, [UInt8])] = [
      ("tensor \"s\": dtype BF16 and shape [3] need 6 bytes, data_offsets [0, 8] hold 8",
       ContainerScoresTests.safetensors(#"{"s":{"dtype":"BF16","shape":[3],"data_offsets":[0,8]}}"#, data)),
      ("tensor \"s\": dtype BF16 and shape [2, 2] need 8 bytes, data_offsets [0, 7] hold 7",
       ContainerScoresTests.safetensors(#"{"s":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,7]}}"#, Array(data.prefix(7)))),
      ("tensor \"s\": data_offsets [0, 10] run past the end of the data (8 bytes)",
       ContainerScoresTests.safetensors(#"{"s":{"dtype":"BF16","shape":[5],"data_offsets":[0,10]}}"#, data)),
      ("1 bytes after the last tensor's data (header and file size disagree)",
       ContainerScoresTests.safetensors(#"{"s":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]}}"#, data + [0])),
    ]
    for (i, (expected, bytes)) in cases.enumerated() {
      let path = dir.file("m\(i).safetensors")
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      #expect {
        _ = try FileFormat.readArray(naming: path)
      } throws: { error in
        (error as? FileError)?.description == path + ": " + expected
      }
    }
    // An odd-length byte tensor before it leaves the BF16 tensor misaligned: copied, same values.
    let path = dir.file("u.safetensors")
    try Data(ContainerScoresTests.safetensors(
      #"{"b":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"s":{"dtype":"BF16","shape":[2,2],"data_offsets":[1,9]}}"#,
      [7] + data)).write(to: URL(fileURLWithPath: path))
    let array = try FileFormat.readArray(naming: path + ":s")
    #expect(array.type == .bfloat16 && array.shape == [2, 2] && Int(bitPattern: array.data) % 2 == 0)
    #expect((0..<4).map { array.data.load(fromByteOffset: 2 * $0, as: UInt16.self) } == [0x3F80, 0x4000, 0x4040, 0x4080])
  }

  @Test func aTypelessTwoByteNPYIsRefusedWithTheReason() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // What `np.save` writes for an ml_dtypes bfloat16 array: descr '<V2'.
    let v2 = try NPYBytes.write([UInt16](arrayLiteral: 0x3F80, 0x4000), descr: "<V2", shape: [1, 2], to: dir.file("v2.npy"))
    let named = try NPYBytes.write([UInt16](arrayLiteral: 0x3F80, 0x4000), descr: "bfloat16", shape: [1, 2],
                                   to: dir.file("named.npy"))
    func problem(_ path: String) -> String? {
      do {
        _ = try FileFormat.readArray(naming: path)
        return nil
      } catch let e as FileError { return e.description } catch { return "\(error)" }
    }
    #expect(problem(v2) == v2 + ": void dtype '<V2' is raw 2-byte data with no type (ml_dtypes saves bfloat16 this way): "
            + "mapk reads bfloat16 scores from .safetensors (BF16), or convert with .astype(np.float32)")
    // `bfloat16` is no numpy descr: not read as one.
    #expect(problem(named)?.hasPrefix(named + ": unsupported dtype 'bfloat16'") == true)
  }
}
