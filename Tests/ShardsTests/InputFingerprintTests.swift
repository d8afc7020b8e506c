import Foundation
import TestSupport
import Testing

@testable import MAPKShards

/// The state file's input fingerprints, now built from the inputs' stored
/// arrays, record what they always did: `npy` and the `.npy` dtype and shape
/// for arrays, the label format (and for dense labels their dtype and shape),
/// so states written before still merge with new ones.
@Suite struct InputFingerprintTests {
  @Test(arguments: LabelFormat.allCases)
  func fingerprintsRecordTheSameFields(format: LabelFormat) throws {
    let dir = try TemporaryDirectory("InputFingerprint-\(format)")
    defer { dir.remove() }
    let pred = try NPYBytes.write([Float](repeating: 0.5, count: 12), descr: "<f4", shape: [3, 4],
                                  to: dir.file("p.npy"))
    let weights = try NPYBytes.write([Double](arrayLiteral: 1, 2, 0), descr: "<f8", shape: [3], to: dir.file("w.npy"))
    let labels = try ViewLifetimeTests.writeLabels(format, in: dir)
    let inputs = try EvaluationInputs(predictions: pred, labels: labels, weights: weights)
    let f = try StateFile.Inputs(of: inputs)

    #expect(f.predictions.name == "p.npy" && f.predictions.format == "npy")
    #expect(f.predictions.dtype == "<f4" && f.predictions.shape == [3, 4])
    #expect(f.predictions.size == (try FileManager.default.attributesOfItem(atPath: pred)[.size] as? Int))
    #expect(f.weights?.format == "npy" && f.weights?.dtype == "<f8" && f.weights?.shape == [3])
    #expect(f.labels.format == format.rawValue)
    switch format {
    case .dense:
      #expect(f.labels.dtype == "<i8" && f.labels.shape == [3, 2])
    case .text, .csr, .ivecs:
      #expect(f.labels.dtype == nil && f.labels.shape == nil)
    case .multihot:
      #expect(f.labels.dtype == "|b1" && f.labels.shape == [3, 4])
    }

    // The sample hash is FNV-1a over the whole file when it is this small.
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in try Data(contentsOf: URL(fileURLWithPath: pred)) { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    let hex = String(hash, radix: 16)
    #expect(f.predictions.sample == String(repeating: "0", count: 16 - hex.count) + hex)
  }
}
