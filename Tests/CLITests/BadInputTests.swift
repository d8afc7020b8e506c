import Foundation
import TestSupport
import XCTest

/// The bad-input corpus: every input here must end in exit 1 (bad input) or 2
/// (usage), with exactly one line on stderr, `mapk: error: ...`, naming the
/// file when a file is at fault; never a signal, never a hang, never output.
///
/// The inputs are generated here from one valid dump, so the corpus needs no
/// binary fixtures and grows with a line per case. `MAPK_SHOW_CORPUS=1`
/// prints every case's error line, for reviewing the messages.
final class BadInputTests: XCTestCase {
  /// One bad invocation and what its error line must contain.
  struct BadCase {
    let name: String
    let arguments: [String]
    /// 1 (bad input) or 2 (usage error).
    let status: Int32
    /// The file the line must name first (`mapk: error: FILE: ...`), if a file is at fault.
    let file: String?
    /// Substrings of the problem (the line after the file's name).
    let problem: [String]
  }

  static let rows = 6, classes = 5

  /// A valid dump: predictions `[6, 5]` `<f4`, labels `[6, 2]` `<i8`, weights `[6]` `<f8`.
  struct Dump {
    let dir: TemporaryDirectory
    let predictions: [UInt8]
    let labels: [UInt8]
    let weights: [UInt8]
    var predictionsPath: String { dir.file("p.npy") }
    var labelsPath: String { dir.file("l.npy") }
    var weightsPath: String { dir.file("w.npy") }
  }

  func makeDump() throws -> Dump {
    let dir = try TemporaryDirectory("mapk-bad")
    let scores: [Float] = (0..<(Self.rows * Self.classes)).map { Float($0 % 7) / 7 }
    let labels: [Int64] = (0..<(Self.rows * 2)).map { Int64($0 % Self.classes) }
    let dump = Dump(
      dir: dir,
      predictions: NPYBytes.file(descr: "<f4", shape: [Self.rows, Self.classes], payload: []) + NPYBytes.bytes(of: scores),
      labels: NPYBytes.file(descr: "<i8", shape: [Self.rows, 2], payload: []) + NPYBytes.bytes(of: labels),
      weights: NPYBytes.file(descr: "<f8", shape: [Self.rows], payload: []) + NPYBytes.bytes(of: [Double](repeating: 1, count: Self.rows)))
    try Data(dump.predictions).write(to: URL(fileURLWithPath: dump.predictionsPath))
    try Data(dump.labels).write(to: URL(fileURLWithPath: dump.labelsPath))
    try Data(dump.weights).write(to: URL(fileURLWithPath: dump.weightsPath))
    return dump
  }

  /// `mapk eval` on the dump with `role` (predictions, labels or weights) replaced by `path`.
  func eval(_ dump: Dump, replacing role: String? = nil, with path: String = "", extra: [String] = []) -> [String] {
    var files = ["--predictions": dump.predictionsPath, "--labels": dump.labelsPath, "--weights": dump.weightsPath]
    if let role { files["--" + role] = path }
    return ["eval", "--predictions", files["--predictions"]!, "--labels", files["--labels"]!,
            "--weights", files["--weights"]!, "-k", "2"] + extra
  }

  /// Writes `bytes` as a file named `name` in the dump's directory and returns its path.
  func file(_ dump: Dump, _ name: String, _ bytes: [UInt8]) throws -> String {
    let path = dump.dir.file(name)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// A `.npy` with a hand-written header dict (version 1.0, padded to 64) and `data`.
  func npy(dict: String, data: [UInt8]) -> [UInt8] { NPYBytes.file(descr: "", shape: [], payload: data, dict: dict) }

  /// Every case: truncations, headers, dtypes, shapes, values, odd files, flags.
  func corpus(_ dump: Dump) throws -> [BadCase] {
    var cases: [BadCase] = []
    func add(_ name: String, _ arguments: [String], status: Int32 = 1, file: String?, _ problem: String...) {
      cases.append(BadCase(name: name, arguments: arguments, status: status, file: file, problem: problem))
    }
    let roles = [("predictions", dump.predictions), ("labels", dump.labels), ("weights", dump.weights)]
    let scoreData = Array(dump.predictions[128...])

    // Truncated at every byte of the header and at points inside the data, for each file.
    for (role, bytes) in roles {
      let dataOffset = 128
      let points = Array(0..<dataOffset) + [dataOffset + 1, dataOffset + 4, (dataOffset + bytes.count) / 2, bytes.count - 1]
      for n in points {
        let path = try file(dump, "\(role)-trunc-\(n).npy", Array(bytes.prefix(n)))
        add("\(role) truncated to \(n) bytes", eval(dump, replacing: role, with: path), file: path)
      }
      // Bad magic: each magic byte changed.
      for i in 0..<6 {
        var b = bytes
        b[i] ^= 0x20
        let path = try file(dump, "\(role)-magic-\(i).npy", b)
        add("\(role) bad magic byte \(i)", eval(dump, replacing: role, with: path), file: path, "bad magic")
      }
      // A header length pointing past the end (v1: 2 bytes, v2: 4 bytes), and unknown versions.
      var long = bytes
      long[8] = 0xFF; long[9] = 0xFF
      let hlen = try file(dump, "\(role)-hlen.npy", long)
      add("\(role) header length past the end", eval(dump, replacing: role, with: hlen), file: hlen, "past the end")
      var long2 = bytes
      long2[6] = 2
      long2.insert(contentsOf: [0xFF, 0xFF], at: 10)
      let hlen2 = try file(dump, "\(role)-hlen2.npy", long2)
      add("\(role) v2 header length past the end", eval(dump, replacing: role, with: hlen2), file: hlen2, "past the end")
      for version: UInt8 in [0, 4, 255] {
        var v = bytes
        v[6] = version
        let path = try file(dump, "\(role)-v\(version).npy", v)
        add("\(role) version \(version)", eval(dump, replacing: role, with: path), file: path, "unsupported .npy format version")
      }
      // Empty file, a directory, a missing file, a device, a FIFO (opening one must not block).
      let empty = try file(dump, "\(role)-empty.npy", [])
      add("\(role) empty", eval(dump, replacing: role, with: empty), file: empty, "empty file")
      let directory = dump.dir.file("\(role)-dir.npy")
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      add("\(role) directory", eval(dump, replacing: role, with: directory), file: directory, "is a directory")
      add("\(role) missing", eval(dump, replacing: role, with: dump.dir.file("nope.npy")), file: dump.dir.file("nope.npy"), "No such file")
      // (A FIFO as predictions is a stream: it waits for its writer, as `cat` does; see StreamCLITests.)
      if role != "predictions" {
        let fifo = dump.dir.file("\(role)-fifo.npy")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        add("\(role) fifo", eval(dump, replacing: role, with: fifo), file: fifo, "not a regular file")
      }
      // Unreadable: root reads anything, so the case only means something for other users.
      if getuid() != 0 {
        let locked = try file(dump, "\(role)-locked.npy", bytes)
        XCTAssertEqual(chmod(locked, 0), 0)
        add("\(role) unreadable", eval(dump, replacing: role, with: locked), file: locked, "Permission denied")
      }
    }
    // A device as predictions is read as a stream: /dev/null is an empty one.
    add("/dev/null as predictions", eval(dump, replacing: "predictions", with: "/dev/null"), file: "/dev/null",
        "empty stream, not a .npy array")

    // Headers that lie or are malformed.
    let shapeDict = { (shape: String) in "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }" }
    let lies: [(String, String, [UInt8], String)] = [
      ("more rows than data", shapeDict("(7, 5)"), scoreData, "truncated"),
      ("fewer rows than data", shapeDict("(5, 5)"), scoreData, "disagree"),
      ("no classes", shapeDict("()"), Array(scoreData.prefix(4)), "rank >= 1"),
      ("overflowing shape", shapeDict("(4611686018427387904, 4611686018427387904)"), scoreData, "too large"),
      ("overflowing bytes", shapeDict("(2305843009213693952, 2)"), scoreData, "too large"),
      ("huge dim", shapeDict("(99999999999999999999999, 5)"), scoreData, "too large"),
      ("negative dim", shapeDict("(-6, 5)"), scoreData, "malformed"),
      ("float dim", shapeDict("(6.0, 5)"), scoreData, "malformed"),
      ("unclosed shape", shapeDict("(6, 5"), scoreData, "malformed"),
      ("missing key", "{'descr': '<f4', 'shape': (6, 5), }", scoreData, "keys"),
      ("extra key", "{'descr': '<f4', 'fortran_order': False, 'shape': (6, 5), 'x': 1, }", scoreData, "malformed"),
      ("duplicate key", "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6, 5), }", scoreData, "duplicate"),
      ("not a dict", "[1, 2, 3]", scoreData, "malformed"),
      ("empty header", "", scoreData, "malformed"),
      ("non-ASCII header", "{'descr': '<f4', 'fortran_order': False, 'shape': (6, 5), } \u{e9}", scoreData, "non-ASCII"),
      ("NUL in header", "{'descr': '<f4', 'fortran_order': False, 'shape': (6, 5), }\u{0}", scoreData, "malformed"),
      ("unterminated string", "{'descr': '<f4, 'fortran_order': False, 'shape': (6, 5), }", scoreData, "malformed"),
      ("escape in string", "{'descr': '<f\\4', 'fortran_order': False, 'shape': (6, 5), }", scoreData, "malformed"),
      ("fortran_order not a bool", "{'descr': '<f4', 'fortran_order': 0, 'shape': (6, 5), }", scoreData, "malformed"),
      ("Fortran order", "{'descr': '<f4', 'fortran_order': True, 'shape': (6, 5), }", scoreData, "Fortran"),
    ]
    for (i, (name, dict, data, problem)) in lies.enumerated() {
      let path = try file(dump, "lie-\(i).npy", npy(dict: dict, data: data))
      add("header: \(name)", eval(dump, replacing: "predictions", with: path), file: path, problem)
    }

    // Control bytes quoted in an error must not break the one line (found by fuzzing: a descr with a
    // newline and NULs printed a three-line error). The fuzzer's input itself, then variations.
    let fuzzCrash = try XCTUnwrap(Data(base64Encoded:
      "k05VTVBZAwB0AAAAeydkZXNjcic6ICc8CgAAAAAAAABpNCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCAyKSwgfSAg"
      + "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCgAAAAABAAAAAgAAAAMAAAA="))
    let crashPath = try file(dump, "fuzz-crash-1.npy", Array(fuzzCrash))
    add("fuzz crash 1: newline and NULs in descr", eval(dump, replacing: "predictions", with: crashPath), file: crashPath,
        "unsupported dtype '<\\n\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}i4'")
    let escape = try file(dump, "escape.npy", npy(dict: "{'descr': '\u{1B}[2J<f4', 'fortran_order': False, 'shape': (6, 5), }", data: scoreData))
    add("terminal escape in descr", eval(dump, replacing: "predictions", with: escape), file: escape, "'\\u{1B}[2J<f4'")
    let longDescr = try file(dump, "long.npy", npy(dict: "{'descr': '<f\(String(repeating: "4", count: 5000))', 'fortran_order': False, 'shape': (6, 5), }", data: scoreData))
    add("5000-character descr", eval(dump, replacing: "predictions", with: longDescr), file: longDescr, "...")
    let newlineName = dump.dir.file("bad\nname.npy")
    add("file name with a newline", eval(dump, replacing: "labels", with: newlineName),
        file: escapedNewlines(newlineName), "No such file")
    add("-k with a newline", Array(eval(dump).dropLast(2)) + ["-k", "1\n2"], status: 2, file: nil, "bad -k value '1\\n2'")

    // Wrong or unsupported dtypes in each role.
    let dtypes: [(String, String, Int, String)] = [
      ("predictions", ">f4", 4, "big-endian"), ("predictions", "|O", 8, "object arrays"), ("predictions", "<U3", 12, "string"),
      ("predictions", "|S4", 4, "string"), ("predictions", "|b1", 1, "float16, float32 or float64"), ("predictions", "<c8", 8, "unsupported dtype"),
      // (Integer predictions are ranked ids: zeros repeat id 0.)
      ("predictions", "<i8", 8, "row 0 ranks id 0 more than once"), ("predictions", "|V4", 4, "structured"),
      ("predictions", "<f16", 16, "unsupported dtype"), ("predictions", "", 4, "unsupported dtype"),
      ("labels", "<f4", 4, "int32 or int64"), ("weights", "<u4", 4, "float32 or float64"), ("labels", ">i8", 8, "big-endian"),
      ("labels", "|b1", 1, "multi-hot labels of shape [6, 2] do not match"), ("labels", "<i2", 2, "unsupported dtype"),
      ("weights", "<i8", 8, "float32 or float64"), ("weights", "<f2", 2, "float32 or float64"), ("weights", ">f8", 8, "big-endian"),
    ]
    for (i, (role, descr, width, problem)) in dtypes.enumerated() {
      let shape = role == "predictions" ? "(6, 5)" : role == "labels" ? "(6, 2)" : "(6,)"
      let count = role == "predictions" ? 30 : role == "labels" ? 12 : 6
      let path = try file(dump, "dtype-\(i).npy", npy(
        dict: "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }",
        data: [UInt8](repeating: 0, count: count * width)))
      add("\(role) dtype \(descr)", eval(dump, replacing: role, with: path), file: path, problem)
    }
    let structured = try file(dump, "record.npy", npy(
      dict: "{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, 'shape': (6, 5), }",
      data: [UInt8](repeating: 0, count: 240)))
    add("structured dtype", eval(dump, replacing: "predictions", with: structured), file: structured, "structured dtypes are not supported")

    // Shapes that do not fit together.
    func labelsFile(_ name: String, _ shape: [Int]) throws -> String {
      try file(dump, name, NPYBytes.file(descr: "<i8", shape: shape, payload: [])
        + NPYBytes.bytes(of: [Int64](repeating: 1, count: shape.reduce(1, *))))
    }
    func weightsFile(_ name: String, _ values: [Double], shape: [Int]? = nil) throws -> String {
      try file(dump, name, NPYBytes.file(descr: "<f8", shape: shape ?? [values.count], payload: []) + NPYBytes.bytes(of: values))
    }
    for (i, shape) in [[7, 2], [5], [3, 2, 2], [6, 2, 1], [2, 6], [0, 2]].enumerated() {
      let path = try labelsFile("lshape-\(i).npy", shape)
      add("labels shape \(shape)", eval(dump, replacing: "labels", with: path), file: path, "do not match")
    }
    for (i, shape) in [[7], [2], [6, 1], [1, 6], [6, 5]].enumerated() {
      let path = try weightsFile("wshape-\(i).npy", [Double](repeating: 1, count: shape.reduce(1, *)), shape: shape)
      add("weights shape \(shape)", eval(dump, replacing: "weights", with: path), file: path, "do not broadcast")
    }
    // Bad values.
    for (name, value) in [("negative", -1.0), ("NaN", Double.nan), ("infinite", Double.infinity), ("tiny negative", -Double.leastNonzeroMagnitude)] {
      let path = try weightsFile("w-\(name).npy", [1, 1, 1, value, 1, 1])
      add("\(name) weight", eval(dump, replacing: "weights", with: path), file: path, "weight 3 is")
    }
    let scalarWeight = try weightsFile("w-scalar.npy", [-2], shape: [])
    add("negative scalar weight", eval(dump, replacing: "weights", with: scalarWeight), file: scalarWeight, "weight 0 is -2.0")
    var nanScores = [Float](repeating: 0.5, count: Self.rows * Self.classes)
    nanScores[3 * Self.classes + 4] = .nan
    let nanPath = try file(dump, "nan.npy", NPYBytes.file(descr: "<f4", shape: [Self.rows, Self.classes], payload: []) + NPYBytes.bytes(of: nanScores))
    add("NaN score under --nan error", eval(dump, replacing: "predictions", with: nanPath), file: nanPath, "NaN score at row 3, class 4")
    let csv = try file(dump, "l.csv", dump.labels)
    add("labels of an unknown format", eval(dump, replacing: "labels", with: csv), file: csv, "label format")

    // Bad -k values and flags (usage errors, exit 2), and k above the classes (exit 1, about the predictions).
    for k in ["0", "-1", "abc", "5-2", "", "1,,2", "1-", "-", "0-3", "2.5", "99999999999999999999999", "1-99999999"] {
      add("-k '\(k)'", Array(eval(dump).dropLast(2)) + ["-k", k], status: 2, file: nil, "-k")
    }
    add("k above the classes", Array(eval(dump).dropLast(2)) + ["-k", "6"], file: dump.predictionsPath, "exceeds")
    add("unknown flag", eval(dump, extra: ["--bogus"]), status: 2, file: nil, "unknown option --bogus")
    add("misspelled flag", ["eval", "--predictionss", dump.predictionsPath], status: 2, file: nil, "did you mean --predictions")
    add("flag without value", eval(dump, extra: ["--threads"]), status: 2, file: nil, "--threads needs a value")
    add("bad thread count", eval(dump, extra: ["--threads", "0"]), status: 2, file: nil, "--threads")
    add("bad policy", eval(dump, extra: ["--nan", "maybe"]), status: 2, file: nil, "--nan")
    add("missing labels", ["eval", "--predictions", dump.predictionsPath, "-k", "1"], status: 2, file: nil, "missing --labels")
    add("stray argument", eval(dump, extra: ["extra"]), status: 2, file: nil, "unexpected argument")
    add("unknown subcommand", ["evaluate"], status: 2, file: nil, "unknown subcommand")
    // Issue 10: the command line and the outputs (more in CommandLineTests and OutputSafetyTests).
    add("predictions given twice", eval(dump, extra: ["--predictions", dump.labelsPath]), status: 2, file: nil,
        "given twice")
    add("-k then --k", eval(dump, extra: ["--k", "1"]), status: 2, file: nil, "-k '2' and --k '1'")
    add("-k then -k=", eval(dump, extra: ["-k=1"]), status: 2, file: nil, "given twice")
    add("empty --per-row", eval(dump, extra: ["--per-row", ""]), status: 2, file: nil, "--per-row needs a file name")
    add("empty --weights", eval(dump, replacing: "weights", with: ""), status: 2, file: nil, "--weights needs a file name")
    add("far-off short flag", eval(dump, extra: ["-p"]), status: 2, file: nil, "unknown option -p")
    add("--per-row and --state at one path", eval(dump, extra: ["--per-row", dump.dir.file("x.npy"),
        "--state", dump.dir.file("./x.npy")]), status: 2, file: nil, "name the same file")
    add("--plot not .svg", eval(dump, extra: ["--plot", dump.dir.file("out.png")]), status: 2, file: nil, ".svg")
    add("--per-row not .npy", eval(dump, extra: ["--per-row", dump.dir.file("ap.csv")]), status: 2, file: nil, ".npy")
    add("--state on /dev/null", eval(dump, extra: ["--state", "/dev/null"]), file: "/dev/null", "not a regular file")
    add("--plot on /dev/stdout", eval(dump, extra: ["--plot", "/dev/stdout"]), status: 2, file: nil, ".svg")
    add("--output on /dev/stdout", eval(dump, extra: ["--output", "/dev/stdout"]), file: "/dev/stdout", "symbolic link")
    add("--output is the weights", eval(dump, extra: ["--output", dump.weightsPath]), file: dump.weightsPath,
        "is also an input")
    return cases
  }

  /// The path as the error line shows it (newlines escaped), written apart from the code under test.
  func escapedNewlines(_ path: String) -> String { path.replacingOccurrences(of: "\n", with: "\\n") }

  func testEveryBadInputEndsInOneClearErrorLine() throws {
    let dump = try makeDump()
    defer { dump.dir.remove() }
    // The dump itself is valid: the errors below come from what each case changes.
    let valid = try ProcessRunner.mapk(eval(dump))
    XCTAssertEqual(valid.status, 0, valid.stderr)
    try run(try corpus(dump), label: "dense and general")
  }

  /// Runs the cases a few at a time (each is its own process) and checks each error line.
  func run(_ cases: [BadCase], label: String) throws {
    var index = 0
    while index < cases.count {
      let batch = cases[index..<min(index + 4, cases.count)]
      let running = try batch.map { try ProcessRunner.start(ProcessRunner.mapkExecutable, $0.arguments) }
      for (c, r) in zip(batch, running) {
        let outcome = r.wait(timeout: 30)
        XCTAssertFalse(outcome.timedOut, "\(c.name): hung")
        XCTAssertFalse(outcome.signaled, "\(c.name): killed by signal \(outcome.status)")
        XCTAssertEqual(outcome.status, c.status, "\(c.name): \(outcome.stderr)")
        XCTAssertEqual(outcome.stderrLines.count, 1, "\(c.name): \(outcome.stderr)")
        XCTAssertTrue(outcome.stderr.hasPrefix("mapk: error: "), "\(c.name): \(outcome.stderr)")
        // The file named first, then the problem (checked apart from the name, which must not match by chance).
        var problem = Substring(outcome.stderr.dropFirst("mapk: error: ".count))
        if let file = c.file {
          XCTAssertTrue(problem.hasPrefix(file + ": "), "\(c.name): does not name \(file) first: \(outcome.stderr)")
          problem = problem.dropFirst(file.count + 2)
        }
        for m in c.problem {
          XCTAssertTrue(problem.contains(m), "\(c.name): '\(m)' not in \(outcome.stderr)")
        }
        XCTAssertEqual(outcome.stdout, "", c.name)
        if ProcessInfo.processInfo.environment["MAPK_SHOW_CORPUS"] != nil {
          print("[\(c.name)] \(outcome.status) \(outcome.stderr)", terminator: "")
        }
      }
      index += batch.count
    }
    print("BadInputTests: \(cases.count) \(label) bad inputs tried")
  }

  // MARK: - Sparse labels: text lines and scipy CSR archives

  /// The dump's labels as scipy CSR members: rows {0 1}, {2}, {}, {3 4}, {0}, {1 2}, a 6 x 5 matrix.
  static let indptr: [Int32] = [0, 2, 3, 3, 5, 6, 8]
  static let indices: [Int32] = [0, 1, 2, 3, 4, 0, 1, 2]

  func csrMembers(indptr: [Int32] = indptr, indices: [Int32] = indices, shape: [Int64] = [6, 5],
                  format: String = "csr", data: [Float]? = nil) -> [TestZip.Member] {
    [
      .init("indices.npy", NPYBytes.file(descr: "<i4", shape: [indices.count], payload: NPYBytes.bytes(of: indices))),
      .init("indptr.npy", NPYBytes.file(descr: "<i4", shape: [indptr.count], payload: NPYBytes.bytes(of: indptr))),
      .init("format.npy", NPYBytes.file(descr: "|S\(format.utf8.count)", shape: [], payload: Array(format.utf8))),
      .init("shape.npy", NPYBytes.file(descr: "<i8", shape: [shape.count], payload: NPYBytes.bytes(of: shape))),
      .init("data.npy", NPYBytes.file(descr: "<f4", shape: [(data ?? []).count == 0 ? indices.count : data!.count],
                                      payload: NPYBytes.bytes(of: data ?? [Float](repeating: 1, count: indices.count)))),
    ]
  }

  /// A raw deflate stream (RFC 1951, one fixed-Huffman block) that expands to
  /// `1 + 258 · copies` zero bytes: a literal 0, then copies of "258 bytes at
  /// distance 1". About 130:1, written bit by bit here, independent of zlib.
  func deflateBomb(copies: Int) -> [UInt8] {
    var out: [UInt8] = []
    var bitBuffer: UInt32 = 0, bitCount = 0
    func bits(_ value: UInt32, _ count: Int) {  // LSB first: header fields
      bitBuffer |= value << UInt32(bitCount)
      bitCount += count
      while bitCount >= 8 {
        out.append(UInt8(bitBuffer & 0xFF))
        bitBuffer >>= 8
        bitCount -= 8
      }
    }
    func code(_ value: UInt32, _ length: Int) {  // Huffman codes go MSB first
      var reversed: UInt32 = 0
      for i in 0..<length where value & (1 << UInt32(i)) != 0 { reversed |= 1 << UInt32(length - 1 - i) }
      bits(reversed, length)
    }
    bits(1, 1)  // BFINAL
    bits(1, 2)  // BTYPE 01: fixed Huffman
    code(0x30, 8)  // literal 0
    for _ in 0..<copies {
      code(0xC5, 8)  // length code 285: 258
      code(0, 5)  // distance code 0: 1
    }
    code(0, 7)  // end of block (256)
    if bitCount > 0 { out.append(UInt8(bitBuffer & 0xFF)) }
    return out
  }

  func sparseCorpus(_ dump: Dump) throws -> [BadCase] {
    var cases: [BadCase] = []
    func add(_ name: String, _ path: String, _ problem: String...) {
      cases.append(BadCase(name: name, arguments: eval(dump, replacing: "labels", with: path), status: 1, file: path,
                           problem: problem))
    }
    // Text: one line of ids per row (6 rows).
    let goodText = "0 1\n2\n\n3,4\n0\n1\t2\n"
    let texts: [(String, String, String)] = [
      ("bad token", "0 1\n2\nabc\n3,4\n0\n1 2\n", "line 3"),
      ("fraction", "0 1\n2\n1.5\n3,4\n0\n1 2\n", "line 3"),
      ("overflowing token", "0 1\n2\n99999999999999999999\n3,4\n0\n1 2\n", "line 3"),
      ("sign alone", "0 1\n-\n\n3,4\n0\n1 2\n", "line 2"),
      ("too few lines", "0 1\n2\n\n3,4\n0\n", "6"),
      ("too many lines", goodText + "4\n", "6"),
      ("lone carriage return", "0 1\r2\n\n3,4\n0\n1 2\n", "line 1"),
      ("NUL byte", "0 1\n2\u{0}\n\n3,4\n0\n1 2\n", "line 2"),
      ("empty file", "", "6"),
      ("long bad token", "0 1\n2\n\n3,4\n0\n1 " + String(repeating: "9", count: 3000) + "x\n", "line 6"),
    ]
    for (i, (name, text, problem)) in texts.enumerated() {
      add("text: \(name)", try file(dump, "labels-\(i).txt", Array(text.utf8)), problem)
    }
    add("text: byte 0xFF", try file(dump, "labels-ff.txt", Array("0 1\n2\n".utf8) + [0xFF] + Array("\n3\n0\n1\n".utf8)),
        "line 3")
    let textDir = dump.dir.file("dir.txt")
    try FileManager.default.createDirectory(atPath: textDir, withIntermediateDirectories: true)
    add("text: a directory", textDir, "is a directory")

    // scipy CSR archives. First, the untouched archive must evaluate (checked by the caller).
    let good = TestZip(members: csrMembers()).bytes()
    // Truncated at points all through the archive, and damaged bytes.
    for n in stride(from: 0, to: good.count, by: 41) + [good.count - 22, good.count - 1] {
      add("npz: truncated to \(n) bytes", try file(dump, "trunc-\(n).npz", Array(good.prefix(n))))
    }
    add("npz: not a zip", try file(dump, "random.npz", (0..<500).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 11) }), "not a ZIP archive")
    add("npz: a .npy renamed", try file(dump, "npy.npz", dump.labels))
    var crc = csrMembers()
    crc[0].crc = 0x1234_5678
    add("npz: CRC mismatch", try file(dump, "crc.npz", TestZip(members: crc).bytes()), "CRC")
    var bigger = csrMembers()
    bigger[1].size = bigger[1].content.count + 1
    add("npz: declared size disagrees", try file(dump, "size.npz", TestZip(members: bigger).bytes()), "declares")
    var renamed = csrMembers()
    renamed[1].localName = "indptx.npy"
    add("npz: local and central names disagree", try file(dump, "names.npz", TestZip(members: renamed).bytes()))
    // (Each bomb below is refused from its first bytes, which are no .npy header: only
    // a member's header is inflated before every member is checked.)
    // A deflate bomb: 16 MiB of zeros from 106 KB, declaring its true size (far more than a
    // 6-row matrix needs) or lying small (inflation must stop at the declared size).
    let bomb = deflateBomb(copies: 65_000)
    var honest = csrMembers()
    honest[1].method = 8
    honest[1].stored = bomb
    honest[1].size = 1 + 258 * 65_000
    honest[1].crc = 0
    add("npz: deflate bomb declaring 16 MiB", try file(dump, "bomb-honest.npz", TestZip(members: honest).bytes()), "not a .npy file")
    var lying = honest
    lying[1].size = lying[1].content.count
    add("npz: deflate bomb declaring 88 bytes", try file(dump, "bomb-lying.npz", TestZip(members: lying).bytes()), "not a .npy file")
    var huge = honest
    huge[1].size = 1 << 40
    add("npz: 1 TiB declared (ZIP64)", try file(dump, "bomb-zip64.npz", TestZip(members: huge, zip64: true).bytes()), "not a .npy file")
    // An indptr that ends at 2^50 lets the indices member declare 2^45 bytes within the
    // matrix's own bound: the deflate ratio (at most 1032:1) refuses it before allocating.
    var inflated = csrMembers()
    inflated[1] = .init("indptr.npy", NPYBytes.file(descr: "<i8", shape: [7], payload: NPYBytes.bytes(of: [Int64(0), 2, 3, 3, 5, 6, 1 << 50])))
    inflated[0].method = 8
    inflated[0].stored = bomb
    inflated[0].size = 1 << 45
    inflated[0].crc = 0
    add("npz: indices declaring 32 TiB under a huge indptr", try file(dump, "bomb-ratio.npz", TestZip(members: inflated, zip64: true).bytes()), "not a .npy file")
    var truncatedStream = honest
    let small = deflateBomb(copies: 3)  // 775 bytes once inflated
    truncatedStream[1].stored = Array(small.dropLast(2))
    truncatedStream[1].size = 775
    add("npz: deflate stream cut short", try file(dump, "bomb-cut.npz", TestZip(members: truncatedStream).bytes()), "not a .npy file")
    // Matrices that are well-formed archives but not valid CSR labels for these predictions.
    let matrices: [(String, [TestZip.Member], String)] = [
      ("decreasing indptr", csrMembers(indptr: [0, 2, 3, 1, 5, 6, 8]), "indptr"),
      ("indptr not from 0", csrMembers(indptr: [1, 2, 3, 3, 5, 6, 8]), "indptr"),
      ("indptr past the indices", csrMembers(indptr: [0, 2, 3, 3, 5, 6, 9]), "9 stored entries"),
      ("index equal to the columns", csrMembers(indices: [0, 1, 2, 3, 5, 0, 1, 2]), "5"),
      ("negative index", csrMembers(indices: [0, 1, -2, 3, 4, 0, 1, 2]), "-2"),
      ("indices shorter than data", csrMembers(indices: [0, 1, 2, 3, 4, 0, 1], data: [Float](repeating: 1, count: 8)), "indices"),
      ("rows disagree with the predictions", csrMembers(indptr: [0, 2, 3, 3, 5, 8], shape: [5, 5]), "rows"),
      ("3-d shape", csrMembers(shape: [6, 5, 1]), "shape"),
      ("bsr format", csrMembers(format: "bsr"), "bsr"),
      ("unknown format", csrMembers(format: "xyz"), "xyz"),
    ]
    for (i, (name, members, problem)) in matrices.enumerated() {
      add("npz: \(name)", try file(dump, "matrix-\(i).npz", TestZip(members: members).bytes()), problem)
    }
    for missing in ["indices.npy", "indptr.npy", "format.npy", "shape.npy"] {
      add("npz: no \(missing)", try file(dump, "no-\(missing).npz", TestZip(members: csrMembers().filter { $0.name != missing }).bytes()))
    }
    return cases
  }

  func testEverySparseLabelCorruptionEndsInOneClearErrorLine() throws {
    let dump = try makeDump()
    defer { dump.dir.remove() }
    // The undamaged text and archive evaluate, and agree: the cases below fail for what they change.
    let text = try file(dump, "good.txt", Array("0 1\n2\n\n3,4\n0\n1\t2\n".utf8))
    let archive = try file(dump, "good.npz", TestZip(members: csrMembers()).bytes())
    let fromText = try ProcessRunner.mapk(eval(dump, replacing: "labels", with: text, extra: ["--json"]))
    let fromArchive = try ProcessRunner.mapk(eval(dump, replacing: "labels", with: archive, extra: ["--json"]))
    XCTAssertEqual(fromText.status, 0, fromText.stderr)
    XCTAssertEqual(fromArchive.status, 0, fromArchive.stderr)
    func results(_ s: String) -> Substring { s[s.range(of: "\"results\"")!.lowerBound...].prefix { $0 != "]" } }
    XCTAssertEqual(results(fromText.stdout), results(fromArchive.stdout))
    try run(try sparseCorpus(dump), label: "sparse-label")
  }
}
