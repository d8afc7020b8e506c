import Foundation
import MAPKShards
import TestSupport
import Testing

/// The state reader's JSON (`Sources/Shards/JSON`): the same values as
/// Foundation's `JSONDecoder` on valid documents (the oracle), every rule the
/// old reader enforced, and the bounds a state may declare, each refused
/// with one line naming the file and the limit.
@Suite struct StateFileReaderTests {
  /// Any JSON value, as a model decodes it: the comparison of two decoders.
  indirect enum Value: Decodable, Equatable {
    case object([String: Value]), array([Value]), string(String), number(Double), bool(Bool), null

    struct Key: CodingKey {
      var stringValue: String
      var intValue: Int? { nil }
      init(stringValue: String) { self.stringValue = stringValue }
      init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
      if let object = try? decoder.container(keyedBy: Key.self) {
        var members: [String: Value] = [:]
        for key in object.allKeys { members[key.stringValue] = try object.decode(Value.self, forKey: key) }
        self = .object(members)
      } else if var array = try? decoder.unkeyedContainer() {
        var items: [Value] = []
        while !array.isAtEnd { items.append(try array.decode(Value.self)) }
        self = .array(items)
      } else {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .string(try c.decode(String.self)) }
      }
    }
  }

  /// A random JSON text: nested containers, escapes, non-ASCII, numbers of every form.
  static func randomJSON(_ rng: inout SplitMix64, depth: Int = 0) -> String {
    let strings = ["", "a", "ks", "\\u00e9t\\u00e9", "é\u{1F600}", "tab\\tnew\\nline", "\\ud83d\\ude00", "q\\\"\\\\\\/"]
    switch rng.next() % (depth > 4 ? 4 : 6) {
    case 0: return "\"\(strings[Int(rng.next() % UInt64(strings.count))])\""
    case 1:
      let forms = ["0", "-0", "17", "-9223372036854775808", "9223372036854775807", "1.5", "-2.25e-3", "6E+2", "1e308", "0.1"]
      return forms[Int(rng.next() % UInt64(forms.count))]
    case 2: return ["true", "false"][Int(rng.next() % 2)]
    case 3: return "null"
    case 4:
      let n = Int(rng.next() % 5)
      return "[" + (0..<n).map { _ in randomJSON(&rng, depth: depth + 1) }.joined(separator: ", ") + "]"
    default:
      let n = Int(rng.next() % 5)
      return " { " + (0..<n).map { i in "\"k\(i)\" :\n\(randomJSON(&rng, depth: depth + 1))" }.joined(separator: ",") + "}"
    }
  }

  @Test(arguments: [1, 2, 3, 4] as [UInt64])
  func sameValuesAsFoundation(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    for _ in 0..<200 {
      let text = "{\"v\": \(Self.randomJSON(&rng))}"
      let expected = try JSONDecoder().decode(Value.self, from: Data(text.utf8))
      let got = try JSONTreeDecoder.decode(Value.self, from: JSONDocument(parsing: Array(text.utf8), limits: .stateFile))
      #expect(got == expected, "seed \(seed): \(text)")
    }
  }

  /// Malformed JSON, each refused as Foundation refuses it (plus duplicate keys, which it takes silently).
  @Test func malformedDocuments() throws {
    let cases: [(String, String)] = [
      ("{\"a\": 1,}", "expected a string key"),
      ("{\"a\": [1,]}", "unexpected character"),
      ("{\"a\": 01}", "leading zero"),
      ("{\"a\": 1.}", "after '.'"),
      ("{\"a\": \"\\ud800\"}", "lone surrogate"),
      ("{\"a\": \"\\udc00\\ud800\"}", "lone surrogate"),
      ("{\"a\": \"\t\"}", "control character"),
      ("{\"a\": \"\\x\"}", "unknown escape"),
      ("{\"a\": NaN}", "unexpected character"),
      ("{\"a\": 1} x", "bytes after"),
      ("{\"a\": 1, \"a\": 2}", "duplicate key \"a\""),
      ("{\"b\": {\"a\": 1, \"\\u0061\": 2}}", "duplicate key \"a\""),
      ("{" + (0..<40).map { "\"k\($0 % 39)\": 0" }.joined(separator: ",") + "}", "duplicate key \"k0\""),
    ]
    for (text, needle) in cases {
      do {
        _ = try JSONDocument(parsing: Array(text.utf8), limits: .stateFile)
        Issue.record("accepted: \(text)")
      } catch {
        #expect(error.kind == .malformed && error.description.contains(needle), "\(text): \(error)")
      }
    }
    // Not UTF-8: a stray byte, an overlong form, a surrogate, past U+10FFFF, a cut sequence.
    for bad in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] as [[UInt8]] {
      let bytes = Array("{\"a\": \"".utf8) + bad + Array("\"}".utf8)
      do {
        _ = try JSONDocument(parsing: bytes, limits: .stateFile)
        Issue.record("accepted: \(bad)")
      } catch {
        #expect(error.problem == "a string that is not UTF-8", "\(bad): \(error)")
      }
    }
  }

  /// Each bound of ``JSONLimits``, at the bound and one past it.
  @Test func limitsAreExact() throws {
    let small = JSONLimits(maxDepth: 3, maxArrayCount: 4, maxObjectCount: 2, maxStringBytes: 5, maxNumberBytes: 6)
    func problem(_ text: String) -> String? {
      do { _ = try JSONDocument(parsing: Array(text.utf8), limits: small); return nil } catch {
        return error.kind == .limit ? error.problem : "malformed: \(error)"
      }
    }
    #expect(problem("[[[]]]") == nil)
    #expect(problem("[[[[]]]]") == "nested deeper than 3 levels")
    #expect(problem("[1,2,3,4]") == nil)
    #expect(problem("[1,2,3,4,5]") == "an array with more than 4 elements")
    #expect(problem("{\"a\":1,\"b\":2}") == nil)
    #expect(problem("{\"a\":1,\"b\":2,\"c\":3}") == "an object with more than 2 members")
    #expect(problem("\"abcde\"") == nil)
    #expect(problem("\"abcdef\"") == "a string longer than 5 bytes")
    #expect(problem("-1.5e3") == nil)
    #expect(problem("-1.5e30") == "a number longer than 6 bytes")
    #expect(problem("1e400") == "a number beyond the range of a double")
    // The state limits: 32 levels.
    let deep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
    #expect(throws: JSONSyntaxError.self) { try JSONDocument(parsing: Array(deep.utf8), limits: .stateFile) }
  }

  /// Integers are exact in 64 bits; an integer field refuses a number it cannot hold exactly.
  @Test func integersAreExact() throws {
    struct Fields: Decodable { var i: Int; var u: UInt8? }
    func decode(_ text: String) throws -> Fields {
      try JSONTreeDecoder.decode(Fields.self, from: JSONDocument(parsing: Array(text.utf8), limits: .stateFile))
    }
    #expect(try decode("{\"i\": 9223372036854775807}").i == .max)
    #expect(try decode("{\"i\": -9223372036854775808}").i == .min)
    #expect(try decode("{\"i\": 1e2, \"u\": 255}").i == 100)
    #expect(try decode("{\"i\": -0}").i == 0)
    #expect(try decode("{\"i\": -12.50e1}").i == -125)
    #expect(try decode("{\"i\": 9223372036854775807.0}").i == .max)
    #expect(try decode("{\"i\": 0.0e-5}").i == 0)
    for bad in ["{\"i\": 9223372036854775808}", "{\"i\": 6.5}", "{\"i\": 6e40}", "{\"i\": 9007199254740993.5}", "{\"i\": 1.0000000000000000001}",
                "{\"i\": 9223372036854775808.0}", "{\"i\": 1e19}",
                "{\"i\": 1, \"u\": 256}", "{\"i\": 1, \"u\": -1}"] {
      #expect(throws: DecodingError.self, "\(bad)") { try decode(bad) }
    }
    #expect(throws: DecodingError.self) { try decode("{\"i\": null}") }
    #expect(throws: DecodingError.self) { try decode("{\"i\": \"1\"}") }
    #expect(throws: DecodingError.self) { try decode("{\"j\": 1}") }
  }

  /// A state declaring more ks than `-k` may ask for is refused by its size,
  /// naming the field and the limit, before anything is decoded from it.
  @Test func declaredSizesAreBounded() throws {
    let state = try StateFile(decoding: Array(StateFileVersionTests.version1.utf8), path: "v1.json")
    let text = String(decoding: state.encoded(), as: UTF8.self)
    let many = (1...(StateFile.maximumKCount + 1)).map(String.init).joined(separator: ",")
    let cases: [(String, String)] = [
      (text.replacingOccurrences(of: "\"ks\" : [\n    1,\n    3\n  ]", with: "\"ks\" : [\(many)]"),
       "'ks' has 1000001 elements, more than the 1000000 ks a state may hold"),
      (text.replacingOccurrences(of: "\"metrics\" : [\n    \"map\"\n  ]",
                                 with: "\"metrics\" : [" + Array(repeating: "\"map\"", count: 40).joined(separator: ",") + "]"),
       "'metrics' has 40 elements, more than the"),
      (text.replacingOccurrences(of: "\"shape\" : [\n        6,", with: "\"shape\" : [" + String(repeating: "1,", count: 70)),
       "'inputs.labels.shape' has 72 elements, more than the 64 dimensions"),
      (text.replacingOccurrences(of: "\"classes\" : 9", with: "\"classes\" : " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40)),
       "nested deeper than 32 levels at byte"),
      (text.replacingOccurrences(of: "\"classes\" : 9", with: "\"classes\" : 9, \"classes\" : 9"), "duplicate key \"classes\""),
    ]
    for (bad, needle) in cases {
      #expect(bad != text, "\(needle): the replacement matched nothing")
      do {
        _ = try StateFile(decoding: Array(bad.utf8), path: "big/state.json")
        Issue.record("accepted: \(needle)")
      } catch {
        #expect(error.path == "big/state.json")
        #expect(error.problem.contains(needle) && !error.problem.contains("\n"), "\(error.problem)")
      }
    }
    // The same bounds for an encoded MAPState.
    let encoded = String(decoding: state.state.encodedState(), as: UTF8.self)
    let big = encoded.replacingOccurrences(of: "\"ks\":[1,3]", with: "\"ks\":[\(many)]")
    #expect(big != encoded)
    #expect(throws: StateFile.InvalidState.self) { try MAPState(encodedState: Array(big.utf8)) }
  }
}
