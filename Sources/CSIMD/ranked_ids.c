/*
 * ranked_ids.c: one row of ranked ids (TensorFlow's `predictions_idx`) in C:
 * the pad and negative checks, the duplicate check and the label lookup of
 * each of the row's first k positions, with the hit ranks written out. See
 * mapk_ranked_ids_row_i32 in mapk_simd.h for the contract.
 *
 * Every path computes the same thing as the plain loop `row_scalar` below,
 * which is the rule itself, column by column:
 *   - an excluded id takes no position (the walk goes on until k positions);
 *   - a pad takes its position and is never a hit;
 *   - a negative id that is not the pad is an error (reported at its column);
 *   - a repeated id (an equal non-pad id at an earlier walked column) is an
 *     error when `refuse`, else a miss (so each label is hit at most once);
 *   - any other id is a hit at its position when it is one of the labels.
 * The first error in column order is the one returned, as a single thread
 * walking the row meets it.
 *
 * The duplicate check: `1 << log2_bits` counters (the caller's scratch, all
 * zero between calls), one per hash slot, counting the walked ids of the
 * slot. A counter of 0 before an id (of 1 after its block's increments, on
 * the vector path) proves the id new (equal ids have equal slots); otherwise
 * it is checked exactly against the earlier columns, so a collision costs
 * time, never a wrong answer. The counters are cleared before returning, on
 * every path, by zeroing the slot of every id walked.
 *
 * The label lookup: with few labels (AVX2: at most 8, int32) a vector compare
 * of 8 ids against the broadcast labels; otherwise a second bitmap of the
 * labels' hashes (same hash and slots as the duplicate bitmap) lets most ids
 * skip the exact search (again no false negatives), then a binary search of
 * the sorted labels.
 */
#include "mapk_simd.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* The slot of an id in a bitmap of 2^bits bits: a multiplicative
 * (Fibonacci) hash's top bits. int32 rows use the 32-bit hash (every path of
 * an int32 row uses the same one), int64 rows the 64-bit one. */
static inline uint32_t slot32(int32_t id, int bits) {
  return (uint32_t)((uint32_t)id * 0x9E3779B1u) >> (32 - bits);
}
static inline uint32_t slot64(int64_t id, int bits) {
  return (uint32_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

/* True when `id` is among the n sorted values v. */
static inline int sorted_contains(const int64_t *v, int64_t n, int64_t id) {
  int64_t lo = 0, hi = n;
  while (lo < hi) {
    int64_t mid = (lo + hi) >> 1;
    if (v[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < n && v[lo] == id;
}

/* The scratch: `1 << bits` 16-bit counters (the walked ids per slot), a
 * 16-bit pad (a 32-bit gather at the last counter reads it), then the label
 * bitmap of `1 << bits` bits. A counter never exceeds k <= 1024 here (see
 * the header), so it never wraps: nonzero exactly when some walked id has
 * that slot. */
static inline uint16_t *counters_of(uint64_t *scratch) { return (uint16_t *)scratch; }
static inline uint64_t *label_bits_of(uint64_t *scratch, int bits) {
  return scratch + ((int64_t)1 << (bits - 2)) + 1;
}

/* The row walker, once per id type (a macro so both stay one text). T is the
 * id type, SLOT its slot function, SUFFIX the name's. */
#define RANKED_ROW_SCALAR(T, SLOT, SUFFIX)                                                                    \
  /* True when row[0..<i] holds `id` (the exact check behind a nonzero counter). */                          \
  static int seen_before_##SUFFIX(const T *row, int64_t i, T id) {                                            \
    for (int64_t j = 0; j < i; j++)                                                                           \
      if (row[j] == id) return 1;                                                                             \
    return 0;                                                                                                 \
  }                                                                                                           \
  /* Walks row[from..<columns] from position `position` with `count` hits so far; returns the hit count or  \
   * an error, and in *walked the columns read (for the clearing). */                                      \
  static int64_t row_scalar_##SUFFIX(const T *row, int64_t from, int64_t columns, int64_t position, int64_t k, \
                                     int64_t pad, const int64_t *labels, int64_t m, const int64_t *excluded,  \
                                     int64_t excluded_count, int refuse, uint16_t *seen, uint64_t *label_bits, \
                                     int bits, int32_t *hits, int64_t count, int64_t *bad_id,                  \
                                     int64_t *walked) {                                                        \
    int64_t i = from;                                                                                         \
    for (; i < columns && position < k; i++) {                                                                \
      T id = row[i];                                                                                          \
      if (excluded_count > 0 && sorted_contains(excluded, excluded_count, (int64_t)id)) continue;            \
      position++;                                                                                             \
      if ((int64_t)id == pad) continue;                                                                       \
      if (id < 0) {                                                                                           \
        *bad_id = (int64_t)id;                                                                                \
        *walked = i + 1;                                                                                      \
        return MAPK_RANKED_INVALID_ID;                                                                        \
      }                                                                                                       \
      uint32_t s = SLOT(id, bits);                                                                            \
      if (seen[s] != 0 && seen_before_##SUFFIX(row, i, id)) {                                                 \
        /* An earlier equal id was walked: it was neither excluded nor the pad (equal values). */           \
        if (refuse) {                                                                                         \
          *bad_id = (int64_t)id;                                                                              \
          *walked = i + 1;                                                                                    \
          return MAPK_RANKED_DUPLICATE_ID;                                                                    \
        }                                                                                                     \
        continue;                                                                                             \
      }                                                                                                       \
      seen[s]++;                                                                                              \
      int hit;                                                                                                \
      if (m <= 8) {                                                                                           \
        hit = 0;                                                                                              \
        for (int64_t j = 0; j < m; j++) hit |= labels[j] == (int64_t)id;                                      \
      } else                                                                                                  \
        hit = (label_bits[s >> 6] >> (s & 63) & 1) && sorted_contains(labels, m, (int64_t)id);            \
      if (hit) hits[count++] = (int32_t)position;                                                             \
    }                                                                                                         \
    *walked = i;                                                                                              \
    return count;                                                                                             \
  }                                                                                                           \
  /* Sets (or clears) the label bitmap's bits of the labels an id of type T can equal. */                   \
  static void label_bits_##SUFFIX(const int64_t *labels, int64_t m, uint64_t *label_bits, int bits, int set) { \
    for (int64_t j = 0; j < m; j++) {                                                                         \
      int64_t v = labels[j];                                                                                  \
      if ((int64_t)(T)v != v) continue; /* no id of type T equals it */                                       \
      uint32_t s = SLOT((T)v, bits);                                                                          \
      if (set) label_bits[s >> 6] |= 1ull << (s & 63);                                                        \
      else label_bits[s >> 6] = 0;                                                                            \
    }                                                                                                         \
  }                                                                                                           \
  /* Zeroes the counters after a row: the slot of every id of row[0..<walked] (a superset of the slots     \
   * counted: pads, negatives and excluded ids too). */                                                      \
  static void clear_seen_##SUFFIX(const T *row, int64_t walked, uint16_t *seen, int bits) {                   \
    for (int64_t i = 0; i < walked; i++) seen[SLOT(row[i], bits)] = 0;                                        \
  }

RANKED_ROW_SCALAR(int32_t, slot32, i32)
RANKED_ROW_SCALAR(int64_t, slot64, i64)

/* The plain path: the scalar walker over the whole row. */
#define RANKED_ROW_PLAIN(T, SUFFIX)                                                                           \
  static int64_t row_plain_##SUFFIX(const T *row, int64_t columns, int64_t k, int64_t pad,                    \
                                    const int64_t *labels, int64_t m, const int64_t *excluded,                \
                                    int64_t excluded_count, int refuse, uint64_t *scratch, int bits,          \
                                    int32_t *hits, int64_t *bad_id) {                                         \
    uint16_t *seen = counters_of(scratch);                                                                    \
    uint64_t *label_bits = label_bits_of(scratch, bits);                                                      \
    if (m > 8) label_bits_##SUFFIX(labels, m, label_bits, bits, 1);                                           \
    int64_t walked = 0;                                                                                       \
    int64_t r = row_scalar_##SUFFIX(row, 0, columns, 0, k, pad, labels, m, excluded, excluded_count, refuse,  \
                                    seen, label_bits, bits, hits, 0, bad_id, &walked);                        \
    if (m > 8) label_bits_##SUFFIX(labels, m, label_bits, bits, 0);                                           \
    clear_seen_##SUFFIX(row, walked, seen, bits);                                                             \
    return r;                                                                                                 \
  }

RANKED_ROW_PLAIN(int32_t, i32)
RANKED_ROW_PLAIN(int64_t, i64)

#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2,bmi2,popcnt")))

/* The duplicate check of a block of 8 ids whose slots are `slots` and whose
 * lanes `valid` (not pads, inside k) count: every valid lane adds 1 to its
 * slot's counter (the other lanes to the spare counter after the table,
 * never read as a slot's), then a gather reads the 8 counters back. A lane
 * whose counter is 1 is the only walked id with its slot: new. Above 1 (an
 * earlier block's id, or another lane of this block, earlier or later, has
 * the slot) it may repeat one: returned in the mask, for the exact check. */
AVX2 static inline uint32_t count_block(uint16_t *seen, __m256i slots, __m256i valid_v, uint32_t valid, int bits) {
  uint32_t s[8];
  _mm256_storeu_si256((__m256i *)s, _mm256_blendv_epi8(_mm256_set1_epi32(1 << bits), slots, valid_v));
  for (int l = 0; l < 8; l++) seen[s[l]]++;
  /* 4 bytes from each counter: its own 2 and the next's (the spare and the pad after the last). */
  __m256i c = _mm256_i32gather_epi32((const int *)seen, slots, 2);
  c = _mm256_and_si256(c, _mm256_set1_epi32(0xFFFF));
  __m256i above = _mm256_cmpgt_epi32(c, _mm256_set1_epi32(1));
  return (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(above)) & valid;
}

/* The slots of 8 int32 ids (slot32, lane-wise). */
AVX2 static inline __m256i slots_i32(__m256i v, int bits) {
  return _mm256_srli_epi32(_mm256_mullo_epi32(v, _mm256_set1_epi32((int32_t)0x9E3779B1u)), 32 - bits);
}

/* clear_seen_i32 8 ids at a time: zeroes the slot of every id of
 * row[0..<walked] (the last block's lanes past it read as 0, whose slot is
 * zeroed too: a superset, harmless). */
AVX2 static void clear_seen_avx2_i32(const int32_t *row, int64_t walked, uint16_t *seen, int bits) {
  for (int64_t i = 0; i < walked; i += 8) {
    int64_t n = walked - i < 8 ? walked - i : 8;
    __m256i lanes = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    uint32_t s[8];
    _mm256_storeu_si256((__m256i *)s, slots_i32(_mm256_maskload_epi32((const int *)(row + i), lanes), bits));
    for (int l = 0; l < 8; l++) seen[s[l]] = 0;
  }
}

/* The rows with AVX2, without exclusions, once per id type: blocks of 8
 * ids (int32: one vector; int64: two of 4, slots from the scalar 64-bit hash:
 * AVX2 has no 64-bit multiply). A block with a negative id that is not the
 * pad holds the row's first error (if no earlier one): the scalar walker
 * returns it in column order. The last block may be partial: its lanes past
 * k are loaded masked (never read from memory) and count as nothing. LOAD8 loads a block into v (int32) or v0/v1
 * and sets `pads` and `negative` (lane masks) and `slots`; EQ8(L) is the mask
 * of lanes equal to the broadcast label L. */
#define RANKED_ROW_AVX2(T, SUFFIX, FITS, BROADCAST, LOAD8, EQ8, CLEAR, VALID8)                                              \
  AVX2 static int64_t row_avx2_##SUFFIX(const T *row, int64_t k, int64_t pad, const int64_t *labels,          \
                                        int64_t m, int refuse, uint64_t *scratch, int bits, int32_t *hits,    \
                                        int64_t *bad_id) {                                                    \
    uint16_t *seen = counters_of(scratch);                                                                    \
    uint64_t *label_bits = label_bits_of(scratch, bits);                                                      \
    /* The labels an id of type T can equal (labels are sorted and >= 0: a prefix). */                       \
    int64_t mt = 0;                                                                                           \
    while (mt < m && FITS(labels[mt])) mt++;                                                                  \
    int vector_labels = mt <= 8;                                                                              \
    __m256i lane_labels[8];                                                                                   \
    for (int64_t j = 0; j < mt && j < 8; j++) lane_labels[j] = BROADCAST(labels[j]);                          \
    /* Past 8 labels (here and in the scalar walker) the lookup goes through the bitmap. */                   \
    if (!vector_labels) label_bits_##SUFFIX(labels, mt, label_bits, bits, 1);                                 \
    int64_t count = 0, i = 0, walked = 0, result;                                                             \
    for (; i < k; i += 8) {                                                                                   \
      /* The lanes inside the row's first k columns (all 8 but in the last block): */                        \
      /* the others are loaded as 0 (masked) and never counted, compared or hit. */                           \
      int64_t end = k - i < 8 ? k : i + 8;                                                                    \
      uint32_t live = (1u << (end - i)) - 1;                                                                  \
      __m256i lanes = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)(end - i)),                               \
                                         _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));                          \
      uint32_t pads, negative;                                                                                \
      __m256i slots;                                                                                          \
      LOAD8                                                                                                   \
      pads &= live;                                                                                           \
      negative &= live;                                                                                       \
      if (negative) {                                                                                         \
        result = row_scalar_##SUFFIX(row, i, end, i, k, pad, labels, mt, NULL, 0, refuse, seen, label_bits,   \
                                     bits, hits, count, bad_id, &walked);                                     \
        goto done;                                                                                            \
      }                                                                                                       \
      uint32_t valid = ~pads & live;                                                                          \
      uint32_t maybe = count_block(seen, slots, VALID8, valid, bits);                                         \
      walked = end;                                                                                           \
      uint32_t repeated = 0;                                                                                  \
      while (maybe) {                                                                                         \
        /* In column order: the first repeated lane is the block's (and, refusing, the row's) error. */     \
        int l = __builtin_ctz(maybe);                                                                         \
        maybe &= maybe - 1;                                                                                   \
        if (seen_before_##SUFFIX(row, i + l, row[i + l])) {                                                   \
          if (refuse) {                                                                                       \
            *bad_id = (int64_t)row[i + l];                                                                    \
            result = MAPK_RANKED_DUPLICATE_ID;                                                                \
            goto done;                                                                                        \
          }                                                                                                   \
          repeated |= 1u << l;                                                                                \
        }                                                                                                     \
      }                                                                                                       \
      uint32_t candidates = valid & ~repeated;                                                                \
      uint32_t hit = 0;                                                                                       \
      if (vector_labels) {                                                                                    \
        uint32_t any = 0;                                                                                     \
        for (int64_t j = 0; j < mt; j++) any |= EQ8(lane_labels[j]);                                          \
        hit = any & candidates;                                                                               \
      } else {                                                                                                \
        for (uint32_t c = candidates; c; c &= c - 1) {                                                        \
          int l = __builtin_ctz(c);                                                                           \
          uint32_t s = SLOT_OF_##SUFFIX(row[i + l], bits); /* a live lane */                                  \
          if ((label_bits[s >> 6] >> (s & 63) & 1) && sorted_contains(labels, mt, (int64_t)row[i + l]))      \
            hit |= 1u << l;                                                                                   \
        }                                                                                                     \
      }                                                                                                       \
      while (hit) {                                                                                           \
        int l = __builtin_ctz(hit);                                                                           \
        hits[count++] = (int32_t)(i + l + 1);                                                                 \
        hit &= hit - 1;                                                                                       \
      }                                                                                                       \
    }                                                                                                         \
    result = count;                                                                                           \
  done:                                                                                                       \
    if (!vector_labels) label_bits_##SUFFIX(labels, mt, label_bits, bits, 0);                                 \
    CLEAR(row, walked, seen, bits);                                                                           \
    seen[(int64_t)1 << bits] = 0; /* the spare counter */                                                     \
    return result;                                                                                            \
  }

#define SLOT_OF_i32 slot32
#define SLOT_OF_i64 slot64
#define FITS_I32(v) ((v) >= INT32_MIN && (v) <= INT32_MAX)
#define FITS_I64(v) 1
#define BROADCAST_I32(v) _mm256_set1_epi32((int32_t)(v))
#define BROADCAST_I64(v) _mm256_set1_epi64x((int64_t)(v))

/* A pad outside int32 equals no id: then no lane is a pad (the broadcast of
 * an unfitting pad is never compared). */
#define LOAD8_I32                                                                                             \
  __m256i v = _mm256_maskload_epi32((const int *)(row + i), lanes);                                           \
  __m256i pad_eq = FITS_I32(pad) ? _mm256_cmpeq_epi32(v, _mm256_set1_epi32((int32_t)pad)) : _mm256_setzero_si256(); \
  pads = (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(pad_eq));                                           \
  negative = (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(v)) & ~pads;                                    \
  slots = slots_i32(v, bits);
/* The valid lanes as a vector (all ones in a lane inside k that is not a pad). */
#define VALID8_I32 _mm256_andnot_si256(pad_eq, lanes)
#define VALID8_LANES                                                                                          \
  _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int32_t)valid), _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128)), \
                     _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128))
#define EQ8_I32(L) (uint32_t) _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(v, L)))

#define LOAD8_I64                                                                                             \
  __m256i v0 = _mm256_maskload_epi64((const long long *)(row + i), _mm256_cvtepi32_epi64(                       \
                                     _mm256_castsi256_si128(lanes)));                                         \
  __m256i v1 = _mm256_maskload_epi64((const long long *)(row + i + 4), _mm256_cvtepi32_epi64(                   \
                                     _mm256_extracti128_si256(lanes, 1)));                                     \
  __m256i pad_v = _mm256_set1_epi64x(pad);                                                                    \
  pads = (uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(v0, pad_v))) |                  \
         (uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(v1, pad_v))) << 4;              \
  negative = ((uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(v0)) |                                         \
              (uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(v1)) << 4) & ~pads;                            \
  int64_t x[8];                                                                                               \
  _mm256_storeu_si256((__m256i *)x, v0);                                                                      \
  _mm256_storeu_si256((__m256i *)(x + 4), v1);                                                                \
  slots = _mm256_setr_epi32((int)slot64(x[0], bits), (int)slot64(x[1], bits), (int)slot64(x[2], bits),        \
                            (int)slot64(x[3], bits), (int)slot64(x[4], bits), (int)slot64(x[5], bits),        \
                            (int)slot64(x[6], bits), (int)slot64(x[7], bits));
#define EQ8_I64(L)                                                                                            \
  ((uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(v0, L))) |                            \
   (uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(v1, L))) << 4)

RANKED_ROW_AVX2(int32_t, i32, FITS_I32, BROADCAST_I32, LOAD8_I32, EQ8_I32, clear_seen_avx2_i32, VALID8_I32)
RANKED_ROW_AVX2(int64_t, i64, FITS_I64, BROADCAST_I64, LOAD8_I64, EQ8_I64, clear_seen_i64, VALID8_LANES)
#endif

int64_t mapk_ranked_ids_row_i32(int level, const int32_t *row, int64_t columns, int64_t k, int64_t pad,
                                const int64_t *labels, int64_t m, const int64_t *excluded, int64_t excluded_count,
                                int refuse, uint64_t *scratch, int log2_bits, int32_t *hits, int64_t *bad_id) {
#if defined(__x86_64__)
  int best = mapk_simd_best_level();
  if ((level < best ? level : best) >= MAPK_SIMD_AVX2 && excluded_count == 0)
    return row_avx2_i32(row, columns < k ? columns : k, pad, labels, m, refuse, scratch, log2_bits, hits, bad_id);
#endif
  (void)level;
  return row_plain_i32(row, columns, k, pad, labels, m, excluded, excluded_count, refuse, scratch, log2_bits, hits,
                       bad_id);
}

int64_t mapk_ranked_ids_row_i64(int level, const int64_t *row, int64_t columns, int64_t k, int64_t pad,
                                const int64_t *labels, int64_t m, const int64_t *excluded, int64_t excluded_count,
                                int refuse, uint64_t *scratch, int log2_bits, int32_t *hits, int64_t *bad_id) {
#if defined(__x86_64__)
  int best = mapk_simd_best_level();
  if ((level < best ? level : best) >= MAPK_SIMD_AVX2 && excluded_count == 0)
    return row_avx2_i64(row, columns < k ? columns : k, pad, labels, m, refuse, scratch, log2_bits, hits, bad_id);
#endif
  (void)level;
  return row_plain_i64(row, columns, k, pad, labels, m, excluded, excluded_count, refuse, scratch, log2_bits, hits,
                       bad_id);
}
