internal import CMAPKSIMD

/// Short rows (at most ``ShortRows/maxClasses`` scores, float16 or float32):
/// each label's rank is counted over 32-bit keys of the whole row, made once
/// per row.
///
/// The row's keys go into a scratch of 8-lane chunks (the lanes past the row
/// padded with `Int32.min`, which ranks before nothing). A label c with key
/// s is beaten by a score at index j when `key_j > s`, or `key_j == s` and
/// j < c, i.e. when `key_j > s - [j < c]`; so with `t_j = s + 1 - [j < c]`
/// the count is the number of lanes where `t_j > key_j` is false. `[j < c]`
/// is row c of a constant table (``ShortRows/makeBeforeTable(classes:)``), so
/// one label costs one add, one compare and one accumulate per 4 lanes, and
/// no branch depends on the data. The keys and the table rows are 16-byte
/// aligned: their loads fold into the add and the compare.
enum ShortRows {
  /// The longest row this path takes.
  static let maxClasses = 64

  /// 16-byte aligned scratch for `count` 32-bit lanes (free it with
  /// ``deallocate(_:)``).
  static func allocate(lanes count: Int) -> UnsafeMutablePointer<Int32> {
    UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 16).bindMemory(to: Int32.self, capacity: count)
  }

  /// Frees what ``allocate(lanes:)`` returned.
  static func deallocate(_ p: UnsafeMutablePointer<Int32>) { UnsafeMutableRawPointer(p).deallocate() }

  /// `classes` rows of `chunks(classes:) · 8` lanes: lane j of row c is -1
  /// when j < c, else 0 (so row c is the `[j < c]` of a label of class c).
  static func makeBeforeTable(classes: Int) -> UnsafeMutablePointer<Int32> {
    let lanes = chunks(classes: classes) * 8
    let table = allocate(lanes: classes * lanes)
    for c in 0..<classes {
      for j in 0..<lanes { table[c * lanes + j] = j < c ? -1 : 0 }
    }
    return table
  }

  /// The number of 8-lane chunks a row of `classes` keys takes.
  static func chunks(classes: Int) -> Int { (classes + 7) / 8 }

  /// The number of scores ranked before class c (key larger, or equal at a
  /// lower index), counted over all the row's keys.
  ///
  /// Concrete `Int32` (not generic): the SIMD operators stay vector code.
  ///
  /// - Complexity: O(chunks) vector operations, no data-dependent branch.
  @inline(__always)
  static func beaten(_ c: Int, keys: UnsafePointer<Int32>, chunks: Int, table: UnsafePointer<Int32>) -> Int {
    let rawKeys = UnsafeRawPointer(keys)
    let t = SIMD8<Int32>(repeating: keys[c] &+ 1)
    // Row c of the table; aligned loads (both buffers are 16-byte aligned and
    // every offset is a multiple of 32).
    let before = UnsafeRawPointer(table + c &* (chunks &<< 3))
    var notBeaten = SIMD8<Int32>(repeating: 0)
    var b = 0
    while b < chunks {
      let key = rawKeys.load(fromByteOffset: b &<< 5, as: SIMD8<Int32>.self)
      let threshold = t &+ before.load(fromByteOffset: b &<< 5, as: SIMD8<Int32>.self)
      // A true lane is -1: notBeaten counts, negated, the lanes that do not beat c.
      notBeaten &+= unsafeBitCast(threshold .> key, to: SIMD8<Int32>.self)
      b &+= 1
    }
    let a = notBeaten.lowHalf &+ notBeaten.highHalf
    return Int(Int32(truncatingIfNeeded: chunks &* 8) &+ (a[0] &+ a[1] &+ a[2] &+ a[3]))
  }

  /// 1 when `beaten < k`, else 0, as arithmetic (the sign of beaten - k):
  /// `< k ? 1 : 0` compiles to a branch, and whether a label is a hit is
  /// unpredictable.
  @inline(__always)
  static func isHit(beaten: Int, k: Int) -> Int {
    Int(UInt(bitPattern: beaten &- k) &>> (UInt.bitWidth &- 1))
  }

  /// For each of the classes `ids[0..<m]`, the number of scores ranked
  /// before it (see ``beaten(_:keys:chunks:table:)``); writes `before + 1`
  /// into `ranks` for each and returns how many are at most k: those fill
  /// `ranks[0..<hits]` (the others' ranks are overwritten or left beyond).
  ///
  /// - Complexity: O(m · chunks) vector operations, no data-dependent branch
  ///   but the loop over the m labels.
  @inline(__always)
  static func rank(keys: UnsafePointer<Int32>, chunks: Int, table: UnsafePointer<Int32>, ids: UnsafePointer<Int32>,
                   count m: Int, k: Int, into ranks: UnsafeMutablePointer<Int32>) -> Int {
    var hits = 0
    for i in 0..<m {
      let beaten = beaten(Int(ids[i]), keys: keys, chunks: chunks, table: table)
      // Kept without a branch: a miss's rank is overwritten by the next label.
      ranks[hits] = Int32(truncatingIfNeeded: beaten &+ 1)
      hits &+= isHit(beaten: beaten, k: k)
    }
    return hits
  }

  /// ``hitMask(keys:chunks:table:ids:count:k:)`` of a float32 row straight
  /// from its scores, in one C call on the C paths (the keys made in
  /// registers and counted there for every label: no scratch written or
  /// read); nil when the row holds a NaN. The same counts, so the same
  /// pattern, as the Swift loops; the caller checks ``SIMDPath``.
  ///
  /// - Complexity: O(classes · (1 + m) / 8) vector operations (AVX2).
  @inline(__always)
  static func float32HitMask(_ row: UnsafePointer<UInt32>, classes: Int, table: UnsafePointer<Int32>,
                             ids: UnsafePointer<Int32>, count m: Int, k: Int) -> Int? {
    let mask = mapk_f32_short_row_mask(UnsafePointer<Float>(OpaquePointer(row)), Int64(classes), ids, Int64(m), Int64(k),
                                       table, Int64(chunks(classes: classes) &* 8))
    return mask < 0 ? nil : Int(mask)
  }

  /// The distinct classes `ids[0..<m]` as an AP pattern: bit `r - 1` is set
  /// for each label ranked r <= k (k <= 63), as ``PatternCounts`` counts rows.
  ///
  /// - Complexity: O(m · chunks) vector operations, no data-dependent branch
  ///   but the loop over the m labels.
  @inline(__always)
  static func hitMask(keys: UnsafePointer<Int32>, chunks: Int, table: UnsafePointer<Int32>, ids: UnsafePointer<Int32>,
                      count m: Int, k: Int) -> Int {
    var mask = 0
    for i in 0..<m {
      let beaten = beaten(Int(ids[i]), keys: keys, chunks: chunks, table: table)
      // A miss (beaten >= k) ORs 0: the bit is masked off by -0.
      mask |= (1 &<< (beaten & 63)) & (0 &- isHit(beaten: beaten, k: k))
    }
    return mask
  }
}
