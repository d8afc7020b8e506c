import Foundation
import TestSupport
import Testing

@testable import MAPKShards

/// Typed errors: a caller can tell a missing file from a bad dtype without
/// reading the text, the errno is kept, and the text names no CLI flag.
@Suite struct FileErrorTests {
  /// The FileError `body` throws (a failed expectation if it throws none or another error).
  func error(_ body: () throws -> Void) -> FileError? {
    do {
      try body()
      Issue.record("no error")
    } catch let e as FileError {
      return e
    } catch {
      Issue.record("not a FileError: \(error)")
    }
    return nil
  }

  @Test func aMissingFileIsNotFoundWithItsErrno() throws {
    let e = error { _ = try MappedFile(path: "/nonexistent-mapk-dir/x.npy") }
    #expect(e?.kind == .notFound)
    #expect(e?.errno == ENOENT)
    #expect(e?.problem == "cannot open: No such file or directory")
    #expect(e?.path == "/nonexistent-mapk-dir/x.npy")
  }

  @Test func aDirectoryIsNotARegularFile() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let e = error { _ = try MappedFile(path: dir.path) }
    #expect(e?.kind == .notRegularFile)
    #expect(e?.errno == nil)
    #expect(e?.problem == "is a directory, not a file")
  }

  @Test func headerProblemsHaveTheirKinds() throws {
    func kind(_ bytes: [UInt8]) -> FileError.Kind? {
      error { _ = try bytes.withUnsafeBytes { try NPYHeader(parsing: $0, path: "a.npy") } }?.kind
    }
    let f4 = NPYBytes.bytes(of: [Float](repeating: 1, count: 6))
    #expect(kind(Array("not numpy at all".utf8)) == .badFormat)
    #expect(kind(NPYBytes.file(descr: "<i2", shape: [6], payload: f4)) == .unsupportedType)
    #expect(kind(NPYBytes.file(descr: ">f4", shape: [6], payload: f4)) == .unsupportedType)
    #expect(kind(NPYBytes.file(descr: "<f4", shape: [7], payload: f4)) == .truncated)
    #expect(kind(NPYBytes.file(descr: "<f4", shape: [5], payload: f4)) == .shapeMismatch)
    #expect(kind(NPYBytes.file(descr: "<f4", shape: [1 << 62, 8], payload: f4)) == .tooLarge)
  }

  @Test func inputsReportKindsAndWrapKernelErrors() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let pred = try NPYBytes.write([Float](repeating: 0, count: 6), descr: "<f4", shape: [2, 3], to: dir.file("p.npy"))
    let ints = try NPYBytes.write([Int32](repeating: 0, count: 6), descr: "<i4", shape: [2, 3], to: dir.file("i.npy"))
    let labels = try NPYBytes.write([Int64](arrayLiteral: 0, 1), descr: "<i8", shape: [2], to: dir.file("l.npy"))
    let badLabels = try NPYBytes.write([Int64](arrayLiteral: 0, 1, 2), descr: "<i8", shape: [3], to: dir.file("b.npy"))
    let negative = try NPYBytes.write([Double](arrayLiteral: 1, -2), descr: "<f8", shape: [2], to: dir.file("w.npy"))

    // Integer predictions are ranked ids; integer weights are refused.
    #expect(try EvaluationInputs(predictions: ints, labels: labels).rankedIDs?.width == 3)
    #expect(error { _ = try EvaluationInputs(predictions: pred, labels: labels, weights: ints) }?.kind == .unsupportedType)
    #expect(error { _ = try EvaluationInputs(predictions: pred, labels: badLabels) }?.kind == .shapeMismatch)
    let unknown = error { _ = try EvaluationInputs(predictions: pred, labels: dir.file("l.csv")) }
    #expect(unknown?.kind == .unknownFormat)
    #expect(unknown?.problem == "cannot tell the label format from the extension")
    let weight = error { _ = try EvaluationInputs(predictions: pred, labels: labels, weights: negative) }
    #expect(weight?.kind == .invalidValue)
    #expect(weight?.kernelError == .invalidWeight(index: 1, value: -2))
    #expect(weight?.path == negative)
  }

  @Test func kernelMessagesNameNoOption() {
    let all: [MAPKError] = [
      .kBelowOne(0), .kAboveClasses(k: 5, classes: 3), .noK, .nanScore(row: 1, classIndex: 2),
      .invalidWeight(index: 0, value: -1), .shapeMismatch("s"), .incompatibleStates("i"), .invalidLabels("l"),
    ]
    for e in all { #expect(!e.description.contains("--"), "\(e)") }
    #expect(MAPKError.nanScore(row: 1, classIndex: 2).description == "NaN score at row 1, class 2")
  }

  @Test func anOutputThatIsAnInputIsAConflict() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let input = try NPYBytes.write([Float](arrayLiteral: 1), descr: "<f4", shape: [1], to: dir.file("p.npy"))
    let e = error { _ = try AtomicOutputFile(path: dir.file("./p.npy"), protecting: [input]) }
    #expect(e?.kind == .conflict)
    let missingDirectory = error { _ = try AtomicOutputFile(path: dir.file("no/such/out.npy")) }
    #expect(missingDirectory?.kind == .notFound)
    #expect(missingDirectory?.errno == ENOENT)
    #expect(missingDirectory?.path == dir.file("no/such/out.npy"))  // the destination, not the temporary name
  }
}

/// The format table: extensions select formats, every label format maps to
/// its file format and back.
@Suite struct FileFormatTests {
  @Test(arguments: [("a.npy", FileFormat.npy), ("B.NPY", .npy), ("x/l.txt", .text), ("m.npz", .npz)])
  func extensionsSelectFormats(path: String, format: FileFormat) {
    #expect(FileFormat.inferred(fromPath: path) == format)
  }

  @Test(arguments: ["l.csv", "npy", "a.npy.gz", ""])
  func otherNamesSelectNone(path: String) {
    #expect(FileFormat.inferred(fromPath: path) == nil)
    #expect(LabelFormat.inferred(fromPath: path) == nil)
  }

  @Test func labelFormatsRoundTrip() {
    // Multi-hot shares .npy with dense ids: it is chosen by dtype or by name, not by extension.
    for format in LabelFormat.allCases where format != .multihot { #expect(format.fileFormat.labelFormat == format) }
    #expect(LabelFormat.multihot.fileFormat == .npy)
    #expect(LabelFormat.inferred(fromPath: "a.npy") == .dense)
    #expect(LabelFormat.inferred(fromPath: "a.txt") == .text)
    #expect(LabelFormat.inferred(fromPath: "a.npz") == .csr)
  }

  @Test func arraysReadFromTheirFormatKeepTheirOrigin() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = try NPYBytes.write([Double](arrayLiteral: 1, 2, 3, 4, 5, 6), descr: "<f8", shape: [2, 3],
                                  to: dir.file("a.npy"))
    let array = try FileFormat.arrayFormat(path: path).readArray(path: path)
    #expect(array.type == .float64 && array.shape == [2, 3] && array.count == 6)
    #expect(array.origin == StoredArray.Origin(path: path, format: .npy))
    #expect(array.bytes.count == 48)
    #expect(Array(array.bytes.bindMemory(to: Double.self)) == [1, 2, 3, 4, 5, 6])
    let ownedByTheMapping = array.owner === (array.file as AnyObject)  // (outside #expect: a compiler crash)
    #expect(ownedByTheMapping)
    // A misnamed array still reads as .npy (the one array format), as before the table.
    try FileManager.default.copyItem(atPath: path, toPath: dir.file("a.bin"))
    #expect(try FileFormat.arrayFormat(path: dir.file("a.bin")).readArray(path: dir.file("a.bin")).shape == [2, 3])
  }
}
