/// What a JSON document read by ``JSONDocument`` may declare: each bound is
/// checked while scanning, so a hostile file is refused after reading at most
/// one element past the bound, never after building what it declares.
package struct JSONLimits: Sendable, Equatable {
  /// Containers nested deeper than this are refused (the parser recurses once per level).
  package var maxDepth: Int
  /// Elements of one array.
  package var maxArrayCount: Int
  /// Members of one object.
  package var maxObjectCount: Int
  /// Bytes of one string as written in the file (escapes included).
  package var maxStringBytes: Int
  /// Bytes of one number as written (`-`, digits, `.`, exponent): a number
  /// longer than any double or 64-bit integer needs is refused before it is converted.
  package var maxNumberBytes: Int

  /// Creates limits.
  package init(maxDepth: Int, maxArrayCount: Int, maxObjectCount: Int, maxStringBytes: Int, maxNumberBytes: Int) {
    self.maxDepth = maxDepth
    self.maxArrayCount = maxArrayCount
    self.maxObjectCount = maxObjectCount
    self.maxStringBytes = maxStringBytes
    self.maxNumberBytes = maxNumberBytes
  }

  /// The limits of a mapk state file (and of an encoded ``MAPState``).
  ///
  /// A state nests 5 levels deep; its longest arrays are the ks and the
  /// sums per k (``StateFile/maximumKCount`` each, checked by the state
  /// reader), so 2^24 elements leaves room for optional sections (bootstrap
  /// replicates) while keeping a parsed document under 16 bytes per value
  /// of a file that has at least 2 bytes per value. Its longest strings are
  /// exact sums (under 600 hex digits) and input paths (under 4,096 bytes,
  /// 6 bytes per escaped byte): 1 MiB. Its numbers are 64-bit integers and
  /// shortest-form doubles (at most 24 bytes).
  package static let stateFile = JSONLimits(
    maxDepth: 32, maxArrayCount: 1 << 24, maxObjectCount: 1 << 16, maxStringBytes: 1 << 20, maxNumberBytes: 64)

  /// The limits of a `.safetensors` header (`SafetensorsFile`): every
  /// header of at most the format's 100 MB that can be valid is read. Its
  /// counts and strings are bounded by that size alone (a value takes at
  /// least 2 bytes, so at 16 bytes a value the parsed document stays within
  /// 8 times the header). A header nests 3 levels: 64 is far more. Its only
  /// valid numbers are shape dimensions and offsets, integers of at most 19
  /// digits, so a number longer than 64 bytes is refused here as it would be
  /// refused later for not being one.
  package static let safetensorsHeader = JSONLimits(
    maxDepth: 64, maxArrayCount: 100_000_000, maxObjectCount: 100_000_000, maxStringBytes: 100_000_000,
    maxNumberBytes: 64)
}
