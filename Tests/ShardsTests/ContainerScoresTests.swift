import Foundation
import MAPKShards
import TestSupport
import Testing

/// Scores in `.safetensors` and `.npz` containers (written by the real
/// `safetensors` and `numpy` writers: Scripts/oracle/safetensors_cases.py)
/// evaluate to the same bits as the same scores in a `.npy`; malformed
/// headers are refused with one line naming the file.
@Suite struct ContainerScoresTests {
  static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/safetensors").path
  func fixture(_ name: String) -> String { Self.fixtures + "/" + name }

  func bits(_ predictions: String, threads: Int = 2) throws -> [UInt64] {
    let inputs = try EvaluationInputs(predictions: predictions, labels: fixture("labels.npy"), threads: threads)
    let configuration = try MAPConfiguration(ks: [1, 2, 5, 23], emptyRows: .zero)
    let state = try Evaluator(threads: threads).evaluate(scores: inputs.scores, labels: inputs.labels,
                                                         configuration: configuration)
    return state.values.map(\.bitPattern) + state.results.map(\.total.bitPattern)
  }

  @Test(arguments: ["float16", "float32", "float64"])
  func containersGiveTheBitsOfTheNPY(dtype: String) throws {
    let reference = try bits(fixture("scores_\(dtype).npy"))
    for name in ["scores_\(dtype).safetensors", "scores_\(dtype).npz", "scores_\(dtype).npz:scores",
                 "scores_\(dtype)_compressed.npz", "scores_\(dtype).safetensors:scores"] {
      for threads in [1, 3] {
        #expect(try bits(fixture(name), threads: threads) == reference, "\(name), \(threads) threads")
      }
    }
    if dtype == "float32" {
      for name in ["several.safetensors:scores", "several.npz:scores", "several_compressed.npz:scores"] {
        #expect(try bits(fixture(name)) == reference, "\(name)")
      }
    }
  }

  @Test func membersAreNamedOrTheOnlyOne() throws {
    let inputs = try EvaluationInputs(predictions: fixture("several.npz:logits"), labels: fixture("labels.npy"))
    #expect(inputs.scores.type == .float64 && inputs.rowShape == [37])
    #expect(inputs.predictionsPath == fixture("several.npz"))
    #expect(inputs.predictions.array.origin.member == "logits")
    #expect(try FileFormat.readArray(naming: fixture("several.safetensors:bias")).shape == [3])

    func problem(_ predictions: String) -> String? {
      do {
        _ = try EvaluationInputs(predictions: predictions, labels: fixture("labels.npy"))
        return nil
      } catch let e as FileError { return e.description } catch { return "\(error)" }
    }
    #expect(problem(fixture("several.npz")) == fixture("several.npz")
            + ": holds 2 arrays (\"scores\", \"logits\"): name one as FILE.npz:NAME")
    #expect(problem(fixture("several.safetensors"))?.hasPrefix(fixture("several.safetensors") + ": holds 3 tensors (") == true)
    #expect(problem(fixture("several.npz:scores.npy")) == fixture("several.npz")
            + ": no array named \"scores.npy\" (it holds \"scores\", \"logits\")")
    #expect(problem(fixture("several.safetensors:nope"))?.contains(": no tensor named \"nope\" (it holds ") == true)
  }

  @Test(arguments: ["float16", "float32", "float64"])
  func theWritersHeaderIsTheOneSafetensorsWrites(dtype: String) throws {
    let written = try Data(contentsOf: URL(fileURLWithPath: fixture("scores_\(dtype).safetensors")))
    let header = SafetensorsWriter.header(name: "scores", type: ScoreType(rawValue: dtype)!, shape: [37, 23])
    #expect(Array(written.prefix(header.count)) == header)
  }

  @Test func splittingMembers() {
    func split(_ path: String) -> String {
      let (file, member) = FileFormat.splitMember(path)
      return file + "|" + (member ?? "nil")
    }
    #expect(split("a/b.npz:scores") == "a/b.npz|scores")
    #expect(split("b.SAFETENSORS:w.x") == "b.SAFETENSORS|w.x")
    #expect(split("b.npz") == "b.npz|nil")
    #expect(split("b.npy") == "b.npy|nil")
    #expect(split("d.npz:x/b.npy") == "d.npz:x/b.npy|nil")
    #expect(split("b.npz:") == "b.npz:|nil")
  }

  @Test func aSparseMatrixArchiveIsNotReadAsDenseScores() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let labels = try ViewLifetimeTests.writeLabels(.csr, in: dir)
    // It is sparse scores (SparseScoresTests), never a dense array.
    let inputs = try EvaluationInputs(predictions: labels, labels: labels)
    #expect(inputs.predictions.kind == .sparseScores && inputs.rankedIDs == nil)
  }

  /// A `.safetensors` file of `header` (padded with spaces to a multiple of 8) and `data`.
  static func safetensors(_ header: String, _ data: [UInt8], length: UInt64? = nil) -> [UInt8] {
    var h = Array(header.utf8)
    while h.count % 8 != 0 { h.append(0x20) }
    let n = length ?? UInt64(h.count)
    return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } + h + data
  }

  @Test func malformedHeadersAreRefusedNamingTheFile() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let f32 = NPYBytes.bytes(of: [Float](arrayLiteral: 1, 2, 3, 4))
    let cases: [(String, [UInt8])] = [
      ("too short for a .safetensors header length (3 bytes)", [1, 2, 3]),
      ("header length 64 points past the end of the file (17 bytes)", Self.safetensors("{}", [], length: 64) + [0]),
      ("header length 1000000000 is larger than the format allows (100000000 bytes)",
       Self.safetensors("{}", [], length: 1_000_000_000)),
      ("the header is not a JSON object", Self.safetensors("[1]", [])),
      ("malformed .safetensors header: duplicate key \"a\" at byte 55",
       Self.safetensors(#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, f32)),
      ("malformed .safetensors header: expected ':' after a key at byte 5", Self.safetensors(#"{"a" 1}"#, [])),
      ("tensor \"a\": dtype F32 and shape [3] need 12 bytes, data_offsets [0, 16] hold 16",
       Self.safetensors(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}"#, f32)),
      ("tensor \"a\": data_offsets [0, 20] run past the end of the data (16 bytes)",
       Self.safetensors(#"{"a":{"dtype":"F32","shape":[5],"data_offsets":[0,20]}}"#, f32)),
      ("tensor \"b\" overlaps the tensor before it (its data starts at 4, the previous one ends at 8)",
       Self.safetensors(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, f32)),
      ("a gap of 8 bytes before tensor \"a\" in the data",
       Self.safetensors(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#, f32)),
      ("8 bytes after the last tensor's data (header and file size disagree)",
       Self.safetensors(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, f32)),
      ("tensor \"a\": unknown dtype \"F12\"", Self.safetensors(#"{"a":{"dtype":"F12","shape":[4],"data_offsets":[0,16]}}"#, f32)),
      ("tensor \"a\": keys must be dtype, shape, data_offsets (found [\"data_offsets\", \"dtype\"])",
       Self.safetensors(#"{"a":{"dtype":"F32","data_offsets":[0,16]}}"#, f32)),
      ("tensor \"a\": shape must be a list of non-negative integers",
       Self.safetensors(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,16]}}"#, f32)),
      ("malformed .safetensors header: __metadata__ must be an object of strings",
       Self.safetensors(#"{"__metadata__":{"x":1},"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, f32)),
      ("holds no tensor", Self.safetensors(#"{"__metadata__":{"x":"y"}}"#, [])),
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
  }

  @Test func anUnalignedTensorIsCopiedAndReadsTheSame() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let values: [Float] = [0.5, -1, 3, 0.25, 7, 7]
    let bytes = Self.safetensors(
      #"{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"s":{"dtype":"F32","shape":[2,3],"data_offsets":[2,26]}}"#,
      [0, 0x3C] + NPYBytes.bytes(of: values))
    let path = dir.file("u.safetensors")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let array = try FileFormat.readArray(naming: path + ":s")
    let copied = array.owner !== (array.file as AnyObject)
    #expect(copied)
    #expect(Int(bitPattern: array.data) % 4 == 0)
    #expect((0..<6).map { array.data.load(fromByteOffset: 4 * $0, as: Float.self) } == values)
    #expect(array.shape == [2, 3] && array.type == .float32)
    let half = try FileFormat.readArray(naming: path + ":h")
    let inPlace = half.owner === (half.file as AnyObject)
    #expect(inPlace && half.data.load(as: UInt16.self) == 0x3C00)
  }
}
