import Foundation
import MAPKShards
import Testing
import TestSupport

/// `mapk eval`, `inspect` and `generate` with ranked-id predictions
/// (`.npy` integers and FAISS `.ivecs`).
@Suite struct RankedIDCLITests {
  /// FAISS's `ivecs_write`: per row an int32 count, then the row.
  static func ivecs(_ rows: [[Int32]]) -> Data {
    var words: [Int32] = []
    for r in rows { words.append(Int32(r.count)); words += r }
    return words.withUnsafeBytes { Data($0) }
  }

  /// Multi-hot labels beside ranked ids: a column is a class id, so their
  /// width is the classes, not the K of the lists (any width without
  /// `--classes`, exactly `--classes` with it).
  @Test func multiHotLabelsOfAnyWidthBesideRankedIDs() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    _ = try NPYBytes.write([Int64](arrayLiteral: 3, 1, 0, 4), descr: "<i8", shape: [2, 2], to: dir.file("ids.npy"))
    // Row 0 holds classes {1, 2}, row 1 class {4}, of 5.
    _ = try NPYBytes.write([UInt8](arrayLiteral: 0, 1, 1, 0, 0, 0, 0, 0, 0, 1), descr: "|b1", shape: [2, 5],
                           to: dir.file("mh.npy"))
    func map(_ extra: [String]) throws -> (Double?, String) {
      let r = try ProcessRunner.mapk(["eval", "--predictions", "ids.npy", "--labels", "mh.npy", "-k", "2", "--json"]
                                       + extra, in: dir.path)
      guard r.status == 0, let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
      else { return (nil, r.stderr) }
      return (((json["results"] as! [[String: Any]])[0]["map"] as! NSNumber).doubleValue, r.stderr)
    }
    // Row 0: id 1 hits at rank 2, AP (1/2) / min(2, 2); row 1: id 4 at rank 2, AP (1/2) / min(1, 2).
    let any = try map([])
    #expect(any.0.map { abs($0 - (0.25 + 0.5) / 2) < 1e-15 } == true, "\(any.1)")
    let classes = try map(["--classes", "5"])
    #expect(classes.0.map { abs($0 - (0.25 + 0.5) / 2) < 1e-15 } == true, "\(classes.1)")
    let wrong = try map(["--classes", "6"])
    #expect(wrong.0 == nil && wrong.1.hasPrefix("mapk: error: mh.npy: multi-hot labels of shape [2, 5]"), "\(wrong.1)")
  }

  @Test func padsDuplicatesAndTheirFlags() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    _ = try NPYBytes.write([Int64](arrayLiteral: 1, 2, 3, 4, 9, 5, 1, 1, 2), descr: "<i8", shape: [3, 3],
                           to: dir.file("ids.npy"))
    _ = try NPYBytes.write([Int64](arrayLiteral: 2, -1, 5, 4, 1, 2), descr: "<i8", shape: [3, 2], to: dir.file("l.npy"))
    // Row 2 repeats id 1: refused, naming the file, the row and the id, and the way out.
    let refused = try ProcessRunner.mapk(["eval", "--predictions", "ids.npy", "--labels", "l.npy", "-k", "3",
                                          "--pad-id", "9"], in: dir.path)
    #expect(refused.status == 1)
    #expect(refused.stderr == "mapk: error: ids.npy: row 2 ranks id 1 more than once "
      + "(use --duplicate-ids first to count later copies as misses)\n")
    // Pad 9 takes rank 2 and is no hit; row 2's second 1 is a miss: (1/2 + (1 + 2/3)/2 + (1 + 2/3)/2) / 3.
    let first = try ProcessRunner.mapk(["eval", "--predictions", "ids.npy", "--labels", "l.npy", "-k", "3",
                                        "--pad-id", "9", "--duplicate-ids", "first", "--json"], in: dir.path)
    #expect(first.status == 0, "\(first.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as! [String: Any]
    let map = ((json["results"] as! [[String: Any]])[0]["map"] as! NSNumber).doubleValue
    // (The exact sum is rounded once: within an ulp of the same sum in doubles.)
    #expect(abs(map - (0.5 + (1.0 + 2.0 / 3) / 2 + (1.0 + 2.0 / 3) / 2) / 3) < 1e-15)
    // 9 is not the default pad but a class id: no error, an ordinary miss... and -1 is refused.
    _ = try NPYBytes.write([Int32](arrayLiteral: 1, -1, -7), descr: "<i4", shape: [1, 3], to: dir.file("neg.npy"))
    _ = try NPYBytes.write([Int64](arrayLiteral: 1), descr: "<i8", shape: [1], to: dir.file("l1.npy"))
    let negative = try ProcessRunner.mapk(["eval", "--predictions", "neg.npy", "--labels", "l1.npy", "-k", "3"],
                                          in: dir.path)
    #expect(negative.status == 1)
    #expect(negative.stderr == "mapk: error: neg.npy: row 0 has id -7: negative and not the pad (-1) "
      + "(use --pad-id V to name the pad)\n")
    // The flags of ranked ids are refused with scores.
    _ = try NPYBytes.write([Float](arrayLiteral: 0.5, 0.25), descr: "<f4", shape: [1, 2], to: dir.file("s.npy"))
    let scores = try ProcessRunner.mapk(["eval", "--predictions", "s.npy", "--labels", "l1.npy", "-k", "1",
                                         "--pad-id", "7"], in: dir.path)
    #expect(scores.status == 2)
    #expect(scores.stderr.contains("--pad-id applies to ranked-id predictions"))
  }

  /// Ranked ids have no number of classes unless `--classes` gives one: a
  /// label above the ids' width K is an ordinary label (it is hit here), so
  /// no warning says it matches no class; with `--classes` the labels at or
  /// above it are TensorFlow's out-of-range labels, and the warning counts them.
  @Test func labelsAboveTheIDsWidthAreNoOutOfRangeLabels() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    _ = try NPYBytes.write([Int32](arrayLiteral: 500, 7, 3, 900), descr: "<i4", shape: [2, 2], to: dir.file("ids.npy"))
    _ = try NPYBytes.write([Int64](arrayLiteral: 500, 3, 900, 8), descr: "<i8", shape: [2, 2], to: dir.file("l.npy"))
    let plain = try ProcessRunner.mapk(["eval", "--predictions", "ids.npy", "--labels", "l.npy", "-k", "2"],
                                       in: dir.path)
    #expect(plain.status == 0, "\(plain.stderr)")
    #expect(plain.stderr.isEmpty, "\(plain.stderr)")
    // Row 0: 500 at rank 1 (hit), n = 2 -> 1/2; row 1: 900 at rank 2 (hit), n = 2 -> (1/2)/2.
    #expect(plain.stdout.hasPrefix("MAP@2 = 0.375 "), "\(plain.stdout)")
    let bounded = try ProcessRunner.mapk(["eval", "--predictions", "ids.npy", "--labels", "l.npy", "-k", "2",
                                          "--classes", "600"], in: dir.path)
    #expect(bounded.status == 0, "\(bounded.stderr)")
    #expect(bounded.stdout.hasPrefix("MAP@2 = 0.25 "), "\(bounded.stdout)")  // 900 cleaned: row 1 has n = 1, no hit
    #expect(bounded.stderr == "mapk: warning: 1 label is >= 600, the number of classes (--classes): "
              + "they match no class and count nowhere, as in TensorFlow\n")
    // A state carries the count, and its merge warns in the same words.
    let shard = try ProcessRunner.mapk(["eval", "--predictions", "ids.npy", "--labels", "l.npy", "-k", "2",
                                        "--classes", "600", "--shard", "0/1", "--state", "s.json"], in: dir.path)
    #expect(shard.status == 0, "\(shard.stderr)")
    let merged = try ProcessRunner.mapk(["merge", "s.json"], in: dir.path)
    #expect(merged.status == 0 && merged.stderr == bounded.stderr, "\(merged.stderr)")
  }

  /// `generate --predictions-format ids` writes each row's top K of the
  /// scores the same seed gives: eval reads the same MAP@k from both (same bits).
  @Test func generatedIDsEvaluateAsTheirScores() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let common = ["generate", "--rows", "500", "--classes", "40", "--labels-per-row", "4", "--seed", "9",
                  "--no-progress"]
    #expect(try ProcessRunner.mapk(common + ["--out", "s"], in: dir.path).status == 0)
    let ids = try ProcessRunner.mapk(common + ["--out", "i", "--predictions-format", "ids", "--ids-per-row", "12",
                                               "--labels-format", "ivecs"], in: dir.path)
    #expect(ids.status == 0, "\(ids.stderr)")
    #expect(ids.stdout.contains("wrote i.pred.npy (int32 [500, 12] ranked ids, best first)"))
    func maps(_ args: [String]) throws -> [Double] {
      let r = try ProcessRunner.mapk(["eval", "-k", "1,5,12", "--json"] + args, in: dir.path)
      #expect(r.status == 0, "\(r.stderr)")
      let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
      return (json["results"] as! [[String: Any]]).map { ($0["map"] as! NSNumber).doubleValue }
    }
    let expected = try maps(["--predictions", "s.pred.npy", "--labels", "s.labels.npy"])
    #expect(try maps(["--predictions", "i.pred.npy", "--labels", "i.labels.ivecs", "--classes", "40"]) == expected)
    #expect(try maps(["--predictions", "i.pred.npy", "--labels", "s.labels.npy"]) == expected)
    let k = try ProcessRunner.mapk(["eval", "--predictions", "i.pred.npy", "--labels", "s.labels.npy", "-k", "13"],
                                   in: dir.path)
    #expect(k.status == 1 && k.stderr.contains("k = 13 exceeds the number of classes (12)"))
  }

  @Test func ivecsPredictionsAndLabels() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try Self.ivecs([[1, 2, 3], [4, -1, 5], [1, 3, 2]]).write(to: dir.url.appendingPathComponent("p.ivecs"))
    try Self.ivecs([[2], [5, 4], [1, 2]]).write(to: dir.url.appendingPathComponent("gt.ivecs"))
    _ = try NPYBytes.write([Int32](arrayLiteral: 1, 2, 3, 4, -1, 5, 1, 3, 2), descr: "<i4", shape: [3, 3],
                           to: dir.file("p.npy"))
    let a = try ProcessRunner.mapk(["eval", "--predictions", "p.ivecs", "--labels", "gt.ivecs", "-k", "1,3"],
                                   in: dir.path)
    let b = try ProcessRunner.mapk(["eval", "--predictions", "p.npy", "--labels", "gt.ivecs", "-k", "1,3"],
                                   in: dir.path)
    #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
    #expect(a.stdout.hasPrefix("MAP@1 = 0.6666666666666666\nMAP@3 = 0.7222222222222222\n"))
    #expect(a.stdout.split(separator: "\n").prefix(2) == b.stdout.split(separator: "\n").prefix(2))
    // Vectors of several lengths are labels, not ranked ids; a cut file is refused.
    let mixed = try ProcessRunner.mapk(["eval", "--predictions", "gt.ivecs", "--labels", "gt.ivecs", "-k", "1"],
                                       in: dir.path)
    #expect(mixed.stderr == "mapk: error: gt.ivecs: ranked ids need vectors of one length; found lengths 1, 2\n")
    try Self.ivecs([[2], [5, 4]]).prefix(14).write(to: dir.url.appendingPathComponent("cut.ivecs"))
    let cut = try ProcessRunner.mapk(["eval", "--predictions", "p.npy", "--labels", "cut.ivecs", "-k", "1"],
                                     in: dir.path)
    #expect(cut.status == 1 && cut.stderr.contains("cut.ivecs: not an .ivecs file"))
    let inspect = try ProcessRunner.mapk(["inspect", "p.ivecs", "p.npy"], in: dir.path)
    #expect(inspect.status == 0)
    #expect(inspect.stdout.contains("p.ivecs: .ivecs (FAISS), 3 vectors, 48 bytes\n"
      + "  as ranked-id predictions: 3 rows x 3 ids, best first (-k up to 3)\n  ids      1 ... 5"))
    #expect(inspect.stdout.contains("  pads (-1)  1  (empty positions, never a hit; another pad: --pad-id V)"))
    #expect(inspect.stdout.contains("  or as ranked-id predictions: 3 rows x 3 ids, best first (-k up to 3)"))
  }

  /// Shards of ranked ids merge to the whole file's value (.npy and .ivecs).
  @Test(arguments: ["i.pred.npy", "i.pred.ivecs"])
  func shardsMerge(predictions: String) throws {
    let dir = try TemporaryDirectory("RankedIDShards-\(predictions)")
    defer { dir.remove() }
    #expect(try ProcessRunner.mapk(["generate", "--rows", "300", "--classes", "30", "--labels-per-row", "3",
                                    "--predictions-format", "ids", "--ids-per-row", "8", "--out", "i",
                                    "--no-progress"], in: dir.path).status == 0)
    if predictions.hasSuffix(".ivecs") {
      // The same ids in FAISS's format: a count before every row.
      let npy = try Data(contentsOf: dir.url.appendingPathComponent("i.pred.npy"))
      let ids = npy.suffix(300 * 8 * 4).withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
      try Self.ivecs((0..<300).map { Array(ids[($0 * 8)..<($0 * 8 + 8)]) })
        .write(to: dir.url.appendingPathComponent(predictions))
    }
    let args = ["eval", "--predictions", predictions, "--labels", "i.labels.npy", "-k", "1,8"]
    let whole = try ProcessRunner.mapk(args, in: dir.path)
    #expect(whole.status == 0, "\(whole.stderr)")
    for i in 0..<2 {
      let r = try ProcessRunner.mapk(args + ["--shard", "\(i)/2", "--state", "s\(i).json"], in: dir.path)
      #expect(r.status == 0, "\(r.stderr)")
    }
    let merged = try ProcessRunner.mapk(["merge", "s0.json", "s1.json"], in: dir.path)
    #expect(merged.status == 0, "\(merged.stderr)")
    #expect(merged.stdout.split(separator: "\n").prefix(2) == whole.stdout.split(separator: "\n").prefix(2))
  }
}
