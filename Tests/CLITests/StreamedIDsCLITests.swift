import Foundation
import TestSupport
import Testing

/// `mapk eval` on unsigned ranked ids through a pipe, on a deflated `.npz`
/// member of ranked ids (streamed), and on bool predictions or a `<u8` id
/// above 2^63 - 1 through a pipe: the mapped file's report, or its one error line.
@Suite struct StreamedIDsCLITests {
  func shell(_ script: String, in directory: String) throws -> ProcessOutcome {
    try ProcessRunner.shell(script, in: directory)
  }

  func results(_ out: String) -> String { ProcessRunner.results(out) }

  /// `bytes` as a raw deflate stream of stored blocks (RFC 1951 BTYPE 00) of
  /// `block` bytes each: a valid deflate member written without zlib.
  func storedDeflate(_ bytes: [UInt8], block: Int = 1000) -> [UInt8] {
    var out: [UInt8] = []
    var i = 0
    repeat {
      let n = min(block, bytes.count - i)
      let final: UInt8 = i + n == bytes.count ? 1 : 0
      out += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
      out += bytes[i..<(i + n)]
      i += n
    } while i < bytes.count
    return out
  }

  @Test func unsignedIDsPipedOrDeflatedGiveTheMappedFilesResult() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // Seeded ranked ids (distinct per row, some padded with 65535) and labels.
    var rng = SplitMix64(seed: 1217)
    let rows = 1200, k = 20
    var ids: [UInt16] = []
    for _ in 0..<rows {
      var row = Array(0..<300).shuffled(using: &rng).prefix(k).map { UInt16($0) }
      if Bool.random(using: &rng) { row[k - 1] = 65_535 }
      ids += row
    }
    let labels = (0..<(rows * 3)).map { _ in Int64.random(in: 0..<300, using: &rng) }
    let npy = NPYBytes.file(descr: "<u2", shape: [rows, k], payload: NPYBytes.bytes(of: ids))
    try Data(npy).write(to: URL(fileURLWithPath: dir.file("i.npy")))
    try NPYBytes.write(labels, descr: "<i8", shape: [rows, 3], to: dir.file("l.npy"))
    var member = TestZip.Member("ids.npy", npy)
    member.method = 8
    member.stored = storedDeflate(npy)
    try Data(TestZip(members: [member]).bytes()).write(to: URL(fileURLWithPath: dir.file("z.npz")))
    let args = "--labels l.npy -k 1,5,20 --metric map,precision --pad-id 65535"
    let mapped = try shell("\"$MAPK\" eval --predictions i.npy \(args) --per-row a.npy", in: dir.path)
    #expect(mapped.status == 0, "\(mapped.stderr)")
    for (source, name) in [("cat i.npy | \"$MAPK\" eval --predictions -", "-"),
                           ("cat i.npy | \"$MAPK\" eval --predictions /dev/stdin", "/dev/stdin"),
                           ("\"$MAPK\" eval --predictions z.npz", "z.npz"),
                           ("\"$MAPK\" eval --predictions z.npz:ids", "z.npz:ids")] {
      for threads in [1, 3] {
        let run = try shell("rm -f b.npy; \(source) \(args) --threads \(threads) --per-row b.npy", in: dir.path)
        #expect(run.status == 0, "\(source): \(run.stderr)")
        #expect(results(run.stdout) == results(mapped.stdout)
                  .replacingOccurrences(of: "a.npy", with: "b.npy").replacingOccurrences(of: "i.npy", with: name),
                "\(source), \(threads) threads")
        let same = try shell("cmp a.npy b.npy", in: dir.path)
        #expect(same.status == 0, "per-row output of \(source): \(same.stdout)")
      }
    }
  }

  @Test func boolPredictionsAndU8IDsAboveInt64MaxArePipedToOneErrorLine() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try Data(NPYBytes.file(descr: "|b1", shape: [4, 3], payload: [UInt8](repeating: 1, count: 12)))
      .write(to: URL(fileURLWithPath: dir.file("b.npy")))
    var big = (0..<(40 * 3)).map { UInt64($0 % 3) }
    big[23 * 3 + 1] = 1 << 63
    try Data(NPYBytes.file(descr: "<u8", shape: [40, 3], payload: NPYBytes.bytes(of: big)))
      .write(to: URL(fileURLWithPath: dir.file("u.npy")))
    try NPYBytes.write([Int64](repeating: 1, count: 40), descr: "<i8", shape: [40], to: dir.file("l40.npy"))
    try NPYBytes.write([Int64](repeating: 1, count: 4), descr: "<i8", shape: [4], to: dir.file("l4.npy"))
    for (file, labels, problem) in [
      ("b.npy", "l4.npy", "predictions must be float16, float32 or float64 (found |b1)"),
      ("u.npy", "l40.npy", "<u8 value 9223372036854775808 at row 23 is above the int64 maximum 2^63 - 1 "
         + "(ids and labels are read as int64)"),
    ] {
      let mapped = try shell("\"$MAPK\" eval --predictions \(file) --labels \(labels) -k 2", in: dir.path)
      #expect(mapped.status == 1 && mapped.stderrLines == ["mapk: error: \(file): \(problem)"], "\(mapped.stderr)")
      for threads in [1, 4] {
        let piped = try shell("cat \(file) | \"$MAPK\" eval --predictions - --labels \(labels) -k 2 "
                              + "--threads \(threads)", in: dir.path)
        #expect(piped.status == 1 && piped.stderrLines == ["mapk: error: -: \(problem)"], "\(piped.stderr)")
      }
    }
  }
}
