import Foundation
// `StateFile.maximumKCount` bounds `-k` lists. Scripts/fuzz.sh compiles this
// file into one module with the Shards sources, where there is no MAPKShards
// to import (and `StateFile` is in the same module).
#if canImport(MAPKShards)
import MAPKShards
#endif

/// A usage error: bad flags or values. The CLI exits with code 2.
package struct UsageError: Error, CustomStringConvertible {
  package let description: String

  /// A usage error saying `description`.
  package init(description: String) { self.description = description }
}

/// Parsed command-line arguments: `--name value`, `--name=value`, `-k value`,
/// boolean flags and positional arguments. Unknown flags are usage errors
/// that suggest the closest known flag. Made by ``OptionTable/parse(_:)``
/// (or ``Command/parse(_:)``), so that only declared options parse.
package struct Arguments {
  /// The names of the options that take a value.
  package let valued: Set<String>
  /// The names of the flags, which take none.
  package let boolean: Set<String>
  /// The value of each valued option given, by its name (each is given at most once).
  package private(set) var values: [String: String] = [:]
  /// The names of the flags given.
  package private(set) var flags: Set<String> = []
  /// The other arguments, in order (everything after `--` among them).
  package private(set) var positional: [String] = []

  /// Parses `args`; `aliases` maps other spellings to names; `paths` are
  /// the valued options whose value names a file (an empty one is refused).
  ///
  /// Every spelling takes `NAME=value` as well as `NAME value` (`-k=10` as
  /// `--k=10`). A valued option given twice is an error naming both values,
  /// whatever spellings were used (`-k 10 ... --k 5`): the last one winning
  /// silently evaluates something the user did not mean.
  init(_ args: ArraySlice<String>, valued: Set<String>, boolean: Set<String>, aliases: [String: String] = [:],
       paths: Set<String> = []) throws {
    self.valued = valued
    self.boolean = boolean
    var spelled: [String: String] = [:]  // the spelling each value was given with
    var i = args.startIndex
    while i < args.endIndex {
      let arg = args[i]
      i += 1
      if arg == "--" {
        positional += args[i...]
        break
      }
      guard arg.hasPrefix("-"), arg.count > 1, !arg.dropFirst().allSatisfy(\.isNumber) else {
        positional.append(arg)
        continue
      }
      var spelling = arg
      var inline: String? = nil
      if let eq = arg.firstIndex(of: "=") {
        spelling = String(arg[..<eq])
        inline = String(arg[arg.index(after: eq)...])
      }
      let name = aliases[spelling] ?? spelling
      if boolean.contains(name) {
        guard inline == nil else { throw UsageError(description: "\(name) takes no value") }
        flags.insert(name)
      } else if valued.contains(name) {
        let value: String
        if let inline {
          value = inline
        } else {
          guard i < args.endIndex else { throw UsageError(description: "\(name) needs a value") }
          value = args[i]
          i += 1
        }
        if let first = values[name] {
          let earlier = spelled[name] ?? name
          throw UsageError(description: earlier == spelling
            ? "\(spelling) is given twice ('\(first)' and '\(value)'); give it once"
            : "\(earlier) '\(first)' and \(spelling) '\(value)' are one option given twice; give it once")
        }
        if value.isEmpty && paths.contains(name) {
          throw UsageError(description: "\(spelling) needs a file name, not an empty string")
        }
        values[name] = value
        spelled[name] = spelling
      } else {
        let known = valued.union(boolean).union(aliases.keys)
        let hint = Arguments.closest(to: spelling, in: known).map { " (did you mean \($0)?)" } ?? ""
        throw UsageError(description: "unknown option \(spelling)\(hint)")
      }
    }
  }

  /// The value of the option `name`, if given.
  package subscript(_ name: String) -> String? { values[name] }

  /// True if the flag `flag` was given.
  package func has(_ flag: String) -> Bool { flags.contains(flag) }

  /// The value of the option `name`.
  /// - Throws: ``UsageError`` `missing NAME` if it was not given.
  package func required(_ name: String) throws -> String {
    guard let v = values[name] else { throw UsageError(description: "missing \(name)") }
    return v
  }

  /// The value of `name` as an integer of at least `minimum`, or nil if not given.
  /// - Throws: ``UsageError`` if it is not such an integer.
  package func int(_ name: String, minimum: Int = 1) throws -> Int? {
    guard let v = values[name] else { return nil }
    guard let n = Int(v), n >= minimum else {
      throw UsageError(description: "\(name) must be an integer >= \(minimum) (got '\(v)')")
    }
    return n
  }

  /// The value of `name` as one of `type`'s cases (by raw value), or nil if not given.
  /// - Throws: ``UsageError`` listing the cases if it is none of them.
  package func choice<T: RawRepresentable>(_ name: String, _ type: T.Type) throws -> T?
  where T.RawValue == String, T: CaseIterable {
    guard let v = values[name] else { return nil }
    guard let t = T(rawValue: v) else {
      let options = T.allCases.map(\.rawValue).joined(separator: "|")
      throw UsageError(description: "\(name) must be one of \(options) (got '\(v)')")
    }
    return t
  }

  /// The known name closest to `name`, if one is close enough to be what
  /// the user meant.
  ///
  /// Close means an edit distance of at most a third of the longer name
  /// (leading dashes left out, so `-p` is not "close" to `-h`, nor `--run`
  /// to `--nan`); failing that, a known name that starts with `name` or
  /// that `name` starts with, sharing at least two characters besides the
  /// dashes (`--pred` for `--predictions`, `evaluate` for `eval`).
  package static func closest(to name: String, in known: Set<String>) -> String? {
    func bare(_ s: String) -> Substring { s.drop { $0 == "-" } }
    let typed = bare(name)
    var best: String? = nil
    var bestDistance = Int.max
    for candidate in known.sorted() {
      let other = bare(candidate)
      let d = editDistance(String(typed), String(other))
      if d <= Swift.max(typed.count, other.count) / 3 && d < bestDistance {
        best = candidate
        bestDistance = d
      }
    }
    if let best { return best }
    // A prefix either way, with the same dashes: the shortest such name.
    let dashes = name.prefix { $0 == "-" }
    return known.sorted { ($0.count, $0) < ($1.count, $1) }.first { candidate in
      let other = bare(candidate)
      return candidate.prefix { $0 == "-" } == dashes && Swift.min(typed.count, other.count) >= 2
        && (other.hasPrefix(typed) || typed.hasPrefix(other))
    }
  }

  /// The Levenshtein distance between `a` and `b` (insertions, deletions, substitutions).
  package static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    var row: [Int] = Array(0...b.count)
    for i in 1...a.count {
      var previous = row[0]
      row[0] = i
      for j in stride(from: 1, through: b.count, by: 1) {
        let current = row[j]
        let substitution = previous + (a[i - 1] == b[j - 1] ? 0 : 1)
        row[j] = Swift.min(Swift.min(row[j] + 1, row[j - 1] + 1), substitution)
        previous = current
      }
    }
    return row[b.count]
  }
}

/// The largest k a `-k` list may name: the most classes a file may have.
package let maximumK = Int(Int32.max)

/// Parses `-k` values: a comma list of integers and inclusive ranges,
/// `1-20,50,100`, into the distinct ks, ascending.
///
/// Every value is checked against ``maximumK`` and the union of the ranges
/// against `StateFile.maximumKCount` (a list that parses makes a state that
/// loads; each k costs an exact sum per metric per worker, about 600 bytes)
/// before any list is built: a short argument
/// naming the same long range a thousand times costs its distinct ks, not
/// a thousand copies.
///
/// - Complexity: O(parts · log parts + distinct ks).
package func parseKList(_ text: String) throws -> [Int] {
  var ranges: [ClosedRange<Int>] = []
  for part in text.split(separator: ",", omittingEmptySubsequences: false) {
    let token = part.trimmingCharacters(in: .whitespaces)
    let bounds = token.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
    if bounds.count == 2, let a = Int(bounds[0]), let b = Int(bounds[1]) {
      guard a >= 1, a <= b else { throw UsageError(description: "bad -k range '\(token)' (need 1 <= a <= b)") }
      guard b <= maximumK else { throw UsageError(description: "-k range '\(token)' goes past \(maximumK)") }
      ranges.append(a...b)
    } else if let k = Int(token) {
      guard k >= 1 else { throw UsageError(description: "-k must be at least 1 (got \(k))") }
      guard k <= maximumK else { throw UsageError(description: "-k \(k) is above \(maximumK)") }
      ranges.append(k...k)
    } else {
      throw UsageError(description: "bad -k value '\(token)' (use a list and ranges like 1,5,10 or 1-20)")
    }
  }
  // The union of the ranges, counted before it is expanded (bounds <= 2^31, no overflow).
  ranges.sort { $0.lowerBound < $1.lowerBound }
  var union: [ClosedRange<Int>] = []
  var distinct = 0
  for r in ranges {
    if let last = union.last, r.lowerBound <= last.upperBound + 1 {
      if r.upperBound > last.upperBound {
        distinct += r.upperBound - last.upperBound
        union[union.count - 1] = last.lowerBound...r.upperBound
      }
    } else {
      distinct += r.count
      union.append(r)
    }
    guard distinct <= StateFile.maximumKCount else {
      throw UsageError(
        description: "-k '\(Arguments.excerpt(text))' asks for more than \(StateFile.maximumKCount) distinct ks")
    }
  }
  var ks: [Int] = []
  ks.reserveCapacity(distinct)
  for r in union { ks += r }
  return ks
}

extension Arguments {
  /// The start of a long argument, for one-line messages.
  static func excerpt(_ text: String) -> String { text.count <= 40 ? text : String(text.prefix(40)) + "..." }
}
