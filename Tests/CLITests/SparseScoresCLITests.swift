import Foundation
import MAPKShards
import Testing
import TestSupport

/// `mapk eval`, `compare` and `inspect` with sparse score predictions (a
/// scipy CSR `.npz`) and `--exclude`.
@Suite struct SparseScoresCLITests {
  /// A CSR archive of the members `scipy.sparse.save_npz` writes (stored).
  static func csr(indptr: [Int64], indices: [Int32], data: [Float], shape: [Int64]) -> Data {
    func npy<T>(_ values: [T], _ descr: String, _ shape: [Int]) -> [UInt8] {
      NPYBytes.file(descr: descr, shape: shape, payload: NPYBytes.bytes(of: values))
    }
    let zip = TestZip(members: [
      .init("indices.npy", npy(indices, "<i4", [indices.count])), .init("indptr.npy", npy(indptr, "<i8", [indptr.count])),
      .init("format.npy", NPYBytes.file(descr: "|S3", shape: [], payload: Array("csr".utf8))),
      .init("shape.npy", npy(shape, "<i8", [2])), .init("data.npy", npy(data, "<f4", [data.count])),
    ])
    return Data(zip.bytes())
  }

  @Test func sparseScoresAndExclusionsFromTheCommandLine() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    // Row 0 stores columns 3 (0.9), 1 (0.5), 0 (0.5): ranked 3, 0, 1 (ties: the lower column).
    // Row 1 stores column 2 (0.0, an explicit zero) only: positions 2 and 3 are empty.
    try Self.csr(indptr: [0, 3, 4], indices: [3, 1, 0, 2], data: [0.9, 0.5, 0.5, 0], shape: [2, 5])
      .write(to: URL(fileURLWithPath: dir.file("p.npz")))
    _ = try NPYBytes.write([Int64](arrayLiteral: 1, 0, 2, 4), descr: "<i8", shape: [2, 2], to: dir.file("l.npy"))
    func map(_ arguments: [String]) throws -> (value: Double?, stderr: String) {
      let r = try ProcessRunner.mapk(["eval", "--predictions", "p.npz", "--labels", "l.npy", "--json"] + arguments,
                                     in: dir.path)
      guard r.status == 0, let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
      else { return (nil, r.stderr) }
      return (((json["results"] as! [[String: Any]])[0]["map"] as! NSNumber).doubleValue, r.stderr)
    }
    // Row 0: labels {1, 0} at ranks 3 and 2: (1/2 + 2/3) / 2. Row 1: label 2 at rank 1, label 4 never stored: 1 / 2.
    let plain = try map(["-k", "3"])
    #expect(plain.value.map { abs($0 - ((0.5 + 2.0 / 3) / 2 + 0.5) / 2) < 1e-15 } == true, "\(plain.stderr)")
    // Excluding column 3 in row 0 moves 0 and 1 up to ranks 1 and 2: AP 1; row 1 excludes its label 2:
    // never hit, still counted in n (AP 0), and the warning says so.
    try "3\n2\n".write(toFile: dir.file("e.txt"), atomically: true, encoding: .utf8)
    let excluded = try map(["-k", "3", "--exclude", "e.txt"])
    #expect(excluded.value.map { abs($0 - 0.5) < 1e-15 } == true, "\(excluded.stderr)")
    #expect(excluded.stderr.contains("mapk: warning: 1 label is also excluded (--exclude)"))
    // Exclusions must have the labels' rows.
    try "3\n".write(toFile: dir.file("short.txt"), atomically: true, encoding: .utf8)
    let short = try ProcessRunner.mapk(["eval", "--predictions", "p.npz", "--labels", "l.npy", "-k", "1",
                                        "--exclude", "short.txt"], in: dir.path)
    #expect(short.status == 1 && short.stderr.hasPrefix("mapk: error: short.txt: "), "\(short.stderr)")
    // inspect says how eval reads it.
    let inspect = try ProcessRunner.mapk(["inspect", "p.npz"], in: dir.path)
    #expect(inspect.stdout.contains("  or as sparse score predictions: 2 rows x 5 classes, 4 stored float32 scores (int32 indices)"),
            "\(inspect.stdout)")
    #expect(inspect.stdout.contains("  stored per row  min 1, max 3, mean 2.0"))
    // compare reads it too.
    let compare = try ProcessRunner.mapk(["compare", "p.npz", "p.npz", "--labels", "l.npy", "-k", "3"], in: dir.path)
    #expect(compare.status == 0, "\(compare.stderr)")
  }

  /// Shard states record the exclusions file: shards run with other exclusions
  /// (or none) rank other candidates, and their merge is refused, naming the difference.
  @Test func shardStatesRecordTheExclusions() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try Self.csr(indptr: [0, 3, 4], indices: [3, 1, 0, 2], data: [0.9, 0.5, 0.5, 0], shape: [2, 5])
      .write(to: URL(fileURLWithPath: dir.file("p.npz")))
    _ = try NPYBytes.write([Int64](arrayLiteral: 1, 0, 2, 4), descr: "<i8", shape: [2, 2], to: dir.file("l.npy"))
    try "3\n2\n".write(toFile: dir.file("e.txt"), atomically: false, encoding: .utf8)
    try "1\n0\n".write(toFile: dir.file("f.txt"), atomically: false, encoding: .utf8)
    func shard(_ index: Int, _ extra: [String], _ state: String) throws {
      let r = try ProcessRunner.mapk(["eval", "--predictions", "p.npz", "--labels", "l.npy", "-k", "3",
                                      "--shard", "\(index)/2", "--state", state] + extra, in: dir.path)
      #expect(r.status == 0, "\(r.stderr)")
    }
    try shard(0, ["--exclude", "e.txt"], "a0.json")
    try shard(1, ["--exclude", "e.txt"], "a1.json")
    try shard(1, ["--exclude", "f.txt"], "b1.json")
    try shard(1, [], "c1.json")
    // The same exclusions: the merge is the single run's value (0.5, as in the test above).
    let same = try ProcessRunner.mapk(["merge", "a0.json", "a1.json", "--json"], in: dir.path)
    let json = try JSONSerialization.jsonObject(with: Data(same.stdout.utf8)) as? [String: Any]
    let value = ((json?["results"] as? [[String: Any]])?.first?["map"] as? NSNumber)?.doubleValue
    #expect(value.map { abs($0 - 0.5) < 1e-15 } == true, "\(same.stdout) \(same.stderr)")
    let other = try ProcessRunner.mapk(["merge", "a0.json", "b1.json"], in: dir.path)
    #expect(other.status == 1 && other.stderr.contains("exclusions: "), "\(other.stderr)")
    let none = try ProcessRunner.mapk(["merge", "a0.json", "c1.json"], in: dir.path)
    #expect(none.status == 1 && none.stderr.contains("exclusions: "), "\(none.stderr)")
  }
}
