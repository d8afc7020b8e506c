/*
 * avx2.c: the primitives with 256-bit vectors (AVX2). Each function carries
 * its own `target` attribute, so the file builds without any flag and runs
 * only where dispatch.c found AVX2.
 */
#if defined(__x86_64__)
#include "kernels.h"
#include "mapk_simd.h"

#include <immintrin.h>
#include <math.h>

#define AVX2 __attribute__((target("avx2,bmi2,popcnt")))
#define AVX2_INLINE static inline __attribute__((target("avx2,bmi2,popcnt"), always_inline))

/* Lane-wise keys of floats: the magnitude, negated when the sign is set. */
AVX2_INLINE __m256i keys8(__m256 m) {
  __m256i bits = _mm256_castps_si256(m);
  __m256i sign = _mm256_srai_epi32(bits, 31);
  __m256i mag = _mm256_and_si256(bits, _mm256_set1_epi32(0x7FFFFFFF));
  return _mm256_sub_epi32(_mm256_xor_si256(mag, sign), sign);
}

AVX2 int mapk_f32_group_maxima_avx2(const float *row, int64_t n, int64_t segments, int32_t *out) {
  int64_t blocks = n / 16;
  const __m256 low = _mm256_set1_ps(-INFINITY);
  /* NaN check: an unordered compare of a block's two halves is true in a
   * lane when either holds a NaN; ORed over the row (no false alarm). */
  __m256 nan = _mm256_setzero_ps();
  for (int64_t s = 0; s < segments; s++) {
    __m256 m0 = low, m1 = low;
    int64_t end = (s + 1) * blocks / segments;
    for (int64_t b = s * blocks / segments; b < end; b++) {
      __m256 x0 = _mm256_loadu_ps(row + b * 16), x1 = _mm256_loadu_ps(row + b * 16 + 8);
      /* maxps(x, m) is x > m ? x : m: a NaN x never becomes the maximum. */
      m0 = _mm256_max_ps(x0, m0);
      m1 = _mm256_max_ps(x1, m1);
      nan = _mm256_or_ps(nan, _mm256_cmp_ps(x0, x1, _CMP_UNORD_Q));
    }
    if (s == segments - 1 && blocks * 16 < n) {
      /* The last 16 scores join the last segment; the lanes a block
       * already covered are -inf, so that the groups stay disjoint. */
      __m256 x0 = _mm256_loadu_ps(row + n - 16), x1 = _mm256_loadu_ps(row + n - 8);
      nan = _mm256_or_ps(nan, _mm256_cmp_ps(x0, x1, _CMP_UNORD_Q));
      __m256i covered = _mm256_set1_epi32((int32_t)(blocks * 16 - (n - 16)));
      __m256i c0 = _mm256_cmpgt_epi32(covered, _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
      __m256i c1 = _mm256_cmpgt_epi32(covered, _mm256_setr_epi32(8, 9, 10, 11, 12, 13, 14, 15));
      m0 = _mm256_max_ps(_mm256_blendv_ps(x0, low, _mm256_castsi256_ps(c0)), m0);
      m1 = _mm256_max_ps(_mm256_blendv_ps(x1, low, _mm256_castsi256_ps(c1)), m1);
    }
    _mm256_storeu_si256((__m256i *)(out + s * 16), keys8(m0));
    _mm256_storeu_si256((__m256i *)(out + s * 16 + 8), keys8(m1));
  }
  return _mm256_movemask_ps(nan) == 0;
}

/* The lanes of the 16 floats at `base` that rank before c: larger than t, or
 * equal at an index below c; only lanes at `from` or later. */
AVX2_INLINE int64_t mixed32(const float *row, int64_t base, int64_t from, int64_t c, __m256 t, __m256 *nan) {
  __m256 x0 = _mm256_loadu_ps(row + base), x1 = _mm256_loadu_ps(row + base + 8);
  *nan = _mm256_or_ps(*nan, _mm256_cmp_ps(x0, x1, _CMP_UNORD_Q));
  const __m256i i0 = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), i1 = _mm256_setr_epi32(8, 9, 10, 11, 12, 13, 14, 15);
  __m256i at = _mm256_set1_epi32((int32_t)(c - base)), first = _mm256_set1_epi32((int32_t)(from - base - 1));
  __m256 h0 = _mm256_or_ps(_mm256_cmp_ps(x0, t, _CMP_GT_OQ),
                           _mm256_and_ps(_mm256_cmp_ps(x0, t, _CMP_EQ_OQ), _mm256_castsi256_ps(_mm256_cmpgt_epi32(at, i0))));
  __m256 h1 = _mm256_or_ps(_mm256_cmp_ps(x1, t, _CMP_GT_OQ),
                           _mm256_and_ps(_mm256_cmp_ps(x1, t, _CMP_EQ_OQ), _mm256_castsi256_ps(_mm256_cmpgt_epi32(at, i1))));
  h0 = _mm256_and_ps(h0, _mm256_castsi256_ps(_mm256_cmpgt_epi32(i0, first)));
  h1 = _mm256_and_ps(h1, _mm256_castsi256_ps(_mm256_cmpgt_epi32(i1, first)));
  return __builtin_popcount((unsigned)_mm256_movemask_ps(h0)) + __builtin_popcount((unsigned)_mm256_movemask_ps(h1));
}

/* The horizontal sum of 8 32-bit lanes. */
AVX2_INLINE int64_t sum8(__m256i v) {
  __m128i a = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  a = _mm_add_epi32(a, _mm_shuffle_epi32(a, 0x4E));
  a = _mm_add_epi32(a, _mm_shuffle_epi32(a, 0xB1));
  return (int64_t)(uint32_t)_mm_cvtsi128_si32(a);
}

/* mapk_f32_count_before_avx2 without the NaN check (nan_free NULL: a label
 * after the row's first, whose pass already checked): no unordered compare,
 * so each block's two halves go straight from memory into their compares,
 * and four blocks per trip. The same lanes are counted with the same tests
 * (>= before c's block, > after it, c's block and the tail by mixed32), so
 * the count is the same integer. */
AVX2_INLINE int64_t f32_count_before_unchecked(const float *row, int64_t n, int64_t c, float s) {
  const __m256 t = _mm256_set1_ps(s);
  __m256 unused = _mm256_setzero_ps();
  /* Four lane counts; each counts at most n / 16 < 2^31 scores. */
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  int64_t full = n / 16 * 16, home = c / 16 * 16 < full ? c / 16 * 16 : full;
  int64_t count = 0, i = 0;
#define COUNT_BLOCK(acc0, acc1, at, pred) \
  acc0 = _mm256_sub_epi32(acc0, _mm256_castps_si256(_mm256_cmp_ps(_mm256_loadu_ps(row + (at)), t, pred))); \
  acc1 = _mm256_sub_epi32(acc1, _mm256_castps_si256(_mm256_cmp_ps(_mm256_loadu_ps(row + (at) + 8), t, pred)));
  for (; i + 64 <= home; i += 64) {
    COUNT_BLOCK(a0, a1, i, _CMP_GE_OQ)
    COUNT_BLOCK(a2, a3, i + 16, _CMP_GE_OQ)
    COUNT_BLOCK(a0, a1, i + 32, _CMP_GE_OQ)
    COUNT_BLOCK(a2, a3, i + 48, _CMP_GE_OQ)
  }
  for (; i < home; i += 16) {
    COUNT_BLOCK(a0, a1, i, _CMP_GE_OQ)
  }
  if (home < full) {
    count += mixed32(row, home, home, c, t, &unused);
    for (i = home + 16; i + 64 <= full; i += 64) {
      COUNT_BLOCK(a0, a1, i, _CMP_GT_OQ)
      COUNT_BLOCK(a2, a3, i + 16, _CMP_GT_OQ)
      COUNT_BLOCK(a0, a1, i + 32, _CMP_GT_OQ)
      COUNT_BLOCK(a2, a3, i + 48, _CMP_GT_OQ)
    }
    for (; i < full; i += 16) {
      COUNT_BLOCK(a0, a1, i, _CMP_GT_OQ)
    }
  }
#undef COUNT_BLOCK
  if (i < n) count += mixed32(row, n - 16, i, c, t, &unused);
  return count + sum8(_mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3)));
}

AVX2 int64_t mapk_f32_count_before_avx2(const float *row, int64_t n, int64_t c, float s, int *nan_free) {
  if (!nan_free) return f32_count_before_unchecked(row, n, c, s);
  const __m256 t = _mm256_set1_ps(s);
  __m256 nan = _mm256_setzero_ps();
  /* Lane counts: a true compare is -1, subtracted. A lane counts at most
   * n / 16 < 2^31 scores. */
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  int64_t full = n / 16 * 16, home = c / 16 * 16 < full ? c / 16 * 16 : full;
  int64_t count = 0, i = 0;
  /* One block: the NaN check (an unordered compare of its two halves) and
   * the two halves' compares; four blocks per trip, the loop's own
   * instructions shared. */
#define CHECKED_BLOCK(acc0, acc1, at, pred) { \
    __m256 x0 = _mm256_loadu_ps(row + (at)), x1 = _mm256_loadu_ps(row + (at) + 8); \
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(x0, x1, _CMP_UNORD_Q)); \
    acc0 = _mm256_sub_epi32(acc0, _mm256_castps_si256(_mm256_cmp_ps(x0, t, pred))); \
    acc1 = _mm256_sub_epi32(acc1, _mm256_castps_si256(_mm256_cmp_ps(x1, t, pred))); \
  }
  /* Before c's block a tie ranks before c (>=); after it only a larger score (>). */
  for (; i + 64 <= home; i += 64) {
    CHECKED_BLOCK(a0, a1, i, _CMP_GE_OQ)
    CHECKED_BLOCK(a2, a3, i + 16, _CMP_GE_OQ)
    CHECKED_BLOCK(a0, a1, i + 32, _CMP_GE_OQ)
    CHECKED_BLOCK(a2, a3, i + 48, _CMP_GE_OQ)
  }
  for (; i < home; i += 16) CHECKED_BLOCK(a0, a1, i, _CMP_GE_OQ)
  if (home < full) {
    count += mixed32(row, home, home, c, t, &nan);
    for (i = home + 16; i + 64 <= full; i += 64) {
      CHECKED_BLOCK(a0, a1, i, _CMP_GT_OQ)
      CHECKED_BLOCK(a2, a3, i + 16, _CMP_GT_OQ)
      CHECKED_BLOCK(a0, a1, i + 32, _CMP_GT_OQ)
      CHECKED_BLOCK(a2, a3, i + 48, _CMP_GT_OQ)
    }
    for (; i < full; i += 16) CHECKED_BLOCK(a0, a1, i, _CMP_GT_OQ)
  }
#undef CHECKED_BLOCK
  /* The last 16 scores, without the lanes a full block already covered. */
  if (i < n) count += mixed32(row, n - 16, i, c, t, &nan);
  *nan_free = _mm256_movemask_ps(nan) == 0;
  return count + sum8(_mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3)));
}

AVX2 int64_t mapk_f32_next_block_avx2(const float *row, int64_t from, int64_t end, float t, uint32_t *mask) {
  const __m256 tt = _mm256_set1_ps(t);
  int64_t i = from;
  /* Two blocks at a time; `!(x < t)` (NLT, unordered: true for NaN). */
  for (; i + 16 <= end; i += 32) {
    __m256 h0 = _mm256_cmp_ps(_mm256_loadu_ps(row + i), tt, _CMP_NLT_UQ);
    __m256 h1 = _mm256_cmp_ps(_mm256_loadu_ps(row + i + 8), tt, _CMP_NLT_UQ);
    __m256 h2 = _mm256_cmp_ps(_mm256_loadu_ps(row + i + 16), tt, _CMP_NLT_UQ);
    __m256 h3 = _mm256_cmp_ps(_mm256_loadu_ps(row + i + 24), tt, _CMP_NLT_UQ);
    __m256 any = _mm256_or_ps(_mm256_or_ps(h0, h1), _mm256_or_ps(h2, h3));
    if (!_mm256_testz_ps(any, any)) {
      uint32_t m = (uint32_t)_mm256_movemask_ps(h0) | (uint32_t)_mm256_movemask_ps(h1) << 8;
      if (m) {
        *mask = m;
        return i;
      }
      *mask = (uint32_t)_mm256_movemask_ps(h2) | (uint32_t)_mm256_movemask_ps(h3) << 8;
      return i + 16;
    }
  }
  for (; i <= end; i += 16) {
    __m256 h0 = _mm256_cmp_ps(_mm256_loadu_ps(row + i), tt, _CMP_NLT_UQ);
    __m256 h1 = _mm256_cmp_ps(_mm256_loadu_ps(row + i + 8), tt, _CMP_NLT_UQ);
    uint32_t m = (uint32_t)_mm256_movemask_ps(h0) | (uint32_t)_mm256_movemask_ps(h1) << 8;
    if (m) {
      *mask = m;
      return i;
    }
  }
  return i;
}

AVX2 int mapk_f32_nan_free_avx2(const float *row, int64_t n) {
  __m256 nan = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(_mm256_loadu_ps(row + i), _mm256_loadu_ps(row + i + 8), _CMP_UNORD_Q));
  nan = _mm256_or_ps(nan, _mm256_cmp_ps(_mm256_loadu_ps(row + n - 16), _mm256_loadu_ps(row + n - 8), _CMP_UNORD_Q));
  return _mm256_movemask_ps(nan) == 0;
}

AVX2 int32_t mapk_i32_kth_largest16_avx2(const int32_t *keys, int64_t k) {
  __m256i v0 = _mm256_loadu_si256((const __m256i *)keys), v1 = _mm256_loadu_si256((const __m256i *)(keys + 8));
  /* below[l] = -#{j : keys[j] < v[l]} (a true compare is -1). */
  __m256i below0 = _mm256_setzero_si256(), below1 = below0;
  for (int j = 0; j < 16; j++) {
    __m256i b = _mm256_set1_epi32(keys[j]);
    below0 = _mm256_add_epi32(below0, _mm256_cmpgt_epi32(v0, b));
    below1 = _mm256_add_epi32(below1, _mm256_cmpgt_epi32(v1, b));
  }
  /* #{j : keys[j] >= v[l]} = 16 + below[l]; lanes with fewer than k are
   * replaced by INT32_MIN, and the largest lane left is the k-th largest
   * (the k-th largest itself is always left: k <= 16). */
  const __m256i shortOf = _mm256_set1_epi32((int32_t)(k - 16)), lowest = _mm256_set1_epi32(INT32_MIN);
  __m256i e0 = _mm256_blendv_epi8(v0, lowest, _mm256_cmpgt_epi32(shortOf, below0));
  __m256i e1 = _mm256_blendv_epi8(v1, lowest, _mm256_cmpgt_epi32(shortOf, below1));
  __m256i m = _mm256_max_epi32(e0, e1);
  __m128i a = _mm_max_epi32(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
  a = _mm_max_epi32(a, _mm_shuffle_epi32(a, 0x4E));
  a = _mm_max_epi32(a, _mm_shuffle_epi32(a, 0xB1));
  return _mm_cvtsi128_si32(a);
}

/* The first index of the row's largest score, or -1 for a row with a NaN:
 * one pass of lane-wise maxima (maxps(x, m) is x > m ? x : m, so a NaN never
 * becomes one) with the NaN check of the bound pass (an unordered compare of
 * two loads: no false alarm), then the first block holding a score equal to
 * the maximum (IEEE equality: -0.0 == 0.0, as their keys are equal). The
 * last 16 floats overlap blocks already read: a lane read twice changes
 * neither the maximum nor the first equal index (an earlier block with an
 * equal score has returned already). */
AVX2 int64_t mapk_f32_argmax_avx2(const float *row, int64_t n) {
  __m256 m0 = _mm256_set1_ps(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
  __m256 nan0 = _mm256_setzero_ps(), nan1 = nan0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256 x0 = _mm256_loadu_ps(row + i), x1 = _mm256_loadu_ps(row + i + 8);
    __m256 x2 = _mm256_loadu_ps(row + i + 16), x3 = _mm256_loadu_ps(row + i + 24);
    m0 = _mm256_max_ps(x0, m0);
    m1 = _mm256_max_ps(x1, m1);
    m2 = _mm256_max_ps(x2, m2);
    m3 = _mm256_max_ps(x3, m3);
    nan0 = _mm256_or_ps(nan0, _mm256_cmp_ps(x0, x1, _CMP_UNORD_Q));
    nan1 = _mm256_or_ps(nan1, _mm256_cmp_ps(x2, x3, _CMP_UNORD_Q));
  }
  for (; i + 16 <= n; i += 16) {
    __m256 x0 = _mm256_loadu_ps(row + i), x1 = _mm256_loadu_ps(row + i + 8);
    m0 = _mm256_max_ps(x0, m0);
    m1 = _mm256_max_ps(x1, m1);
    nan0 = _mm256_or_ps(nan0, _mm256_cmp_ps(x0, x1, _CMP_UNORD_Q));
  }
  if (i < n) {
    __m256 x0 = _mm256_loadu_ps(row + n - 16), x1 = _mm256_loadu_ps(row + n - 8);
    m2 = _mm256_max_ps(x0, m2);
    m3 = _mm256_max_ps(x1, m3);
    nan1 = _mm256_or_ps(nan1, _mm256_cmp_ps(x0, x1, _CMP_UNORD_Q));
  }
  __m256 nan = _mm256_or_ps(nan0, nan1);
  if (!_mm256_testz_ps(nan, nan)) return -1;
  /* No NaN: the maxima are scores of the row, and their maximum is the row's. */
  __m256 m = _mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3));
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
  const __m256 best = _mm256_broadcastss_ps(h);
  for (i = 0; i + 32 <= n; i += 32) {
    __m256 e0 = _mm256_cmp_ps(_mm256_loadu_ps(row + i), best, _CMP_EQ_OQ);
    __m256 e1 = _mm256_cmp_ps(_mm256_loadu_ps(row + i + 8), best, _CMP_EQ_OQ);
    __m256 e2 = _mm256_cmp_ps(_mm256_loadu_ps(row + i + 16), best, _CMP_EQ_OQ);
    __m256 e3 = _mm256_cmp_ps(_mm256_loadu_ps(row + i + 24), best, _CMP_EQ_OQ);
    __m256 any = _mm256_or_ps(_mm256_or_ps(e0, e1), _mm256_or_ps(e2, e3));
    if (!_mm256_testz_ps(any, any)) {
      uint64_t bits = (uint64_t)(uint32_t)_mm256_movemask_ps(e0) | (uint64_t)(uint32_t)_mm256_movemask_ps(e1) << 8 |
                      (uint64_t)(uint32_t)_mm256_movemask_ps(e2) << 16 | (uint64_t)(uint32_t)_mm256_movemask_ps(e3) << 24;
      return i + (int64_t)__builtin_ctzll(bits);
    }
  }
  for (; i + 16 <= n; i += 16) {
    uint32_t bits = (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(row + i), best, _CMP_EQ_OQ)) |
                    (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(row + i + 8), best, _CMP_EQ_OQ)) << 8;
    if (bits) return i + __builtin_ctz(bits);
  }
  /* The maximum is in the last 16 floats, past every lane checked above. */
  uint32_t bits = (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(row + n - 16), best, _CMP_EQ_OQ)) |
                  (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(row + n - 8), best, _CMP_EQ_OQ)) << 8;
  return n - 16 + __builtin_ctz(bits);
}

/* mapk_f32_short_row_mask with CH = ceil(n / 8) chunks of 8 lanes as a
 * constant (see f32_short_row_mask), so that the row's keys stay in
 * registers for every label. */
AVX2_INLINE int64_t f32_short_row_mask_n(const float *row, int64_t n, int CH, const int32_t *ids, int64_t m, int64_t k,
                                         const int32_t *table, int64_t stride) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i infinity = _mm256_set1_epi32(0x7F800000);
  /* Lanes past the row: a masked load (no read past the row) gives 0. */
  const __m256i tail = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)(n - 8 * (CH - 1))), lanes);
  __m256i key[8];
  __m256i odd = _mm256_setzero_si256();
  for (int b = 0; b < CH; b++) {
    key[b] = b < CH - 1 ? _mm256_loadu_si256((const __m256i *)(row + 8 * b))
                        : _mm256_maskload_epi32((const int *)(row + 8 * b), tail);
    /* A sign bit, or bits above +inf's (a NaN of either sign sets one). */
    odd = _mm256_or_si256(odd, _mm256_or_si256(key[b], _mm256_cmpgt_epi32(key[b], infinity)));
  }
  if (_mm256_movemask_ps(_mm256_castsi256_ps(odd)) != 0) {
    /* A negative score, -0.0 or a NaN: the keys (the magnitude, negated
     * when the sign is set) and a NaN test. */
    const __m256i magnitude = _mm256_set1_epi32(0x7FFFFFFF);
    __m256i nan = _mm256_setzero_si256();
    for (int b = 0; b < CH; b++) {
      __m256i mag = _mm256_and_si256(key[b], magnitude), sign = _mm256_srai_epi32(key[b], 31);
      nan = _mm256_or_si256(nan, _mm256_cmpgt_epi32(mag, infinity));
      key[b] = _mm256_sub_epi32(_mm256_xor_si256(mag, sign), sign);
    }
    if (!_mm256_testz_si256(nan, nan)) return -1;
  }
  /* Past the row: INT32_MIN, above no threshold (every key, minus 1, is larger). */
  key[CH - 1] = _mm256_blendv_epi8(_mm256_set1_epi32(INT32_MIN), key[CH - 1], tail);
  const int32_t *bits = (const int32_t *)row;
  int64_t mask = 0;
  for (int64_t i = 0; i < m; i++) {
    int64_t c = ids[i];
    int32_t sign = bits[c] >> 31, s = ((bits[c] & 0x7FFFFFFF) ^ sign) - sign;
    /* Lane j beats c when key_j > s - [j < c] (a tie ranks before c only
     * from a lower index); table row c holds -[j < c]. */
    const __m256i t = _mm256_set1_epi32(s);
    const int32_t *before = table + c * stride;
    __m256i beaten = _mm256_setzero_si256();
    for (int b = 0; b < CH; b++)
      beaten = _mm256_sub_epi32(beaten, _mm256_cmpgt_epi32(key[b], _mm256_add_epi32(t, _mm256_loadu_si256((const __m256i *)(before + 8 * b)))));
    int64_t r = sum8(beaten);
    mask |= r < k ? (int64_t)1 << r : 0;
  }
  return mask;
}

AVX2 int64_t mapk_f32_short_row_mask_avx2(const float *row, int64_t n, const int32_t *ids, int64_t m, int64_t k,
                                          const int32_t *table, int64_t stride) {
  switch ((n + 7) / 8) {
  case 1: return f32_short_row_mask_n(row, n, 1, ids, m, k, table, stride);
  case 2: return f32_short_row_mask_n(row, n, 2, ids, m, k, table, stride);
  case 3: return f32_short_row_mask_n(row, n, 3, ids, m, k, table, stride);
  case 4: return f32_short_row_mask_n(row, n, 4, ids, m, k, table, stride);
  case 5: return f32_short_row_mask_n(row, n, 5, ids, m, k, table, stride);
  case 6: return f32_short_row_mask_n(row, n, 6, ids, m, k, table, stride);
  case 7: return f32_short_row_mask_n(row, n, 7, ids, m, k, table, stride);
  default: return f32_short_row_mask_n(row, n, 8, ids, m, k, table, stride);
  }
}

/* mapk_f32_short_rows with CH chunks of 8 lanes and LB label bytes as
 * constants: the label slots read and the pattern made per row with no
 * call, no dispatch and the row's keys in registers (f32_short_row_mask_n
 * inlined). */
AVX2_INLINE int64_t f32_short_rows_n(const float *base, int64_t n, int CH, int LB, int64_t from, int64_t to,
                                     const void *labels, int64_t width, int64_t k, const int32_t *table,
                                     int64_t stride, int32_t *restrict ids, int64_t *restrict masks,
                                     int32_t *restrict relevant) {
  for (int64_t r = from; r < to; r++) {
    int64_t valid_slots = 0, m = 0;
    uint64_t seen = 0;
    const int64_t *slots64 = (const int64_t *)labels + r * width;
    const int32_t *slots32 = (const int32_t *)labels + r * width;
    for (int64_t i = 0; i < width; i++) {
      int64_t v = LB == 8 ? slots64[i] : slots32[i];
      /* Dense labels: an in-range slot counts in n (repeats too) and is a
       * class to rank unless an earlier slot held it; others count nowhere. */
      uint64_t valid = (uint64_t)v < (uint64_t)n;
      uint64_t bit = valid ? (uint64_t)1 << v : 0;
      valid_slots += (int64_t)valid;
      ids[m] = (int32_t)v;
      m += (bit & ~seen) != 0;
      seen |= bit;
    }
    if (valid_slots == 0) return r;
    int64_t mask = f32_short_row_mask_n(base + r * n, n, CH, ids, m, k, table, stride);
    if (mask < 0) return r;
    masks[r - from] = mask;
    relevant[r - from] = (int32_t)valid_slots;
  }
  return to;
}

AVX2 int64_t mapk_f32_short_rows_avx2(const float *base, int64_t n, int64_t from, int64_t to, const void *labels,
                                      int64_t label_bytes, int64_t width, int64_t k, const int32_t *table,
                                      int64_t stride, int32_t *ids, int64_t *masks, int32_t *relevant) {
#define MAPK_SHORT_ROWS(CH) (label_bytes == 8 \
    ? f32_short_rows_n(base, n, CH, 8, from, to, labels, width, k, table, stride, ids, masks, relevant) \
    : f32_short_rows_n(base, n, CH, 4, from, to, labels, width, k, table, stride, ids, masks, relevant))
  switch ((n + 7) / 8) {
  case 1: return MAPK_SHORT_ROWS(1);
  case 2: return MAPK_SHORT_ROWS(2);
  case 3: return MAPK_SHORT_ROWS(3);
  case 4: return MAPK_SHORT_ROWS(4);
  case 5: return MAPK_SHORT_ROWS(5);
  case 6: return MAPK_SHORT_ROWS(6);
  case 7: return MAPK_SHORT_ROWS(7);
  default: return MAPK_SHORT_ROWS(8);
  }
#undef MAPK_SHORT_ROWS
}

/* 16-bit lane counts (each at most 16,384 before it is widened) as a sum. */
AVX2_INLINE int64_t sum16(__m256i v) { return sum8(_mm256_madd_epi16(v, _mm256_set1_epi16(1))); }

/* mapk_f16_count_before_positive_avx2 without the NaN check (nan_free NULL),
 * for key < INT16_MAX. A full block's lanes that rank before c are those
 * with x > t (t = key - 1 before c's block, key after it); for integers
 * x > t is !(t + 1 > x), so the pass counts the lanes with t + 1 > x (the
 * compare takes the scores straight from memory) and subtracts them from
 * the lanes it read: the same count, with no magnitude maximum per load.
 * c's block and the tail are counted as in the checked pass. */
AVX2_INLINE int64_t f16_count_before_unchecked(const int16_t *row, int64_t n, int64_t c, int16_t key) {
  const __m256i lanes = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m256i above = _mm256_set1_epi16(key);
  /* t + 1 for t = key - 1 and for t = key (key < INT16_MAX: no overflow). */
  const __m256i belowAtLeast = above, belowAbove = _mm256_set1_epi16((int16_t)(key + 1));
  int64_t count = 0, i = 0;
  int64_t full = n / 16 * 16, home = c / 16 * 16 < full ? c / 16 * 16 : full;
#define LOADW(at) _mm256_loadu_si256((const __m256i *)(row + (at)))
  /* Four lane counts shared by both runs, reduced once: `read` scores were
   * read since the last reduction, so no lane of a0 + a1 + a2 + a3 counts
   * more than read / 16 <= 16,384 (no 16-bit overflow). */
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  int64_t read = 0;
#define FLUSH_UNCHECKED() do { \
    __m256i s_ = _mm256_add_epi16(_mm256_add_epi16(a0, a1), _mm256_add_epi16(a2, a3)); \
    count += read - sum16(s_); \
    read = 0; \
    a0 = a1 = a2 = a3 = _mm256_setzero_si256(); \
  } while (0)
  /* Blocks up to `end` against t (t1 = t + 1). */
#define RUN_UNCHECKED(end, t1) \
  while (i < (end)) { \
    if (read == 16 * 16384) FLUSH_UNCHECKED(); \
    int64_t stop = (end) < i + (16 * 16384 - read) ? (end) : i + (16 * 16384 - read), start = i; \
    for (; i + 64 <= stop; i += 64) { \
      a0 = _mm256_sub_epi16(a0, _mm256_cmpgt_epi16((t1), LOADW(i))); \
      a1 = _mm256_sub_epi16(a1, _mm256_cmpgt_epi16((t1), LOADW(i + 16))); \
      a2 = _mm256_sub_epi16(a2, _mm256_cmpgt_epi16((t1), LOADW(i + 32))); \
      a3 = _mm256_sub_epi16(a3, _mm256_cmpgt_epi16((t1), LOADW(i + 48))); \
    } \
    for (; i < stop; i += 16) a0 = _mm256_sub_epi16(a0, _mm256_cmpgt_epi16((t1), LOADW(i))); \
    read += i - start; \
  }
#define MIXED(base) _mm256_add_epi16(above, _mm256_cmpgt_epi16( \
    _mm256_set1_epi16((int16_t)((c - (base)) > 32767 ? 32767 : (c - (base)) < -32768 ? -32768 : (c - (base)))), lanes))
  RUN_UNCHECKED(home, belowAtLeast)
  if (home < full) {
    __m256i h = _mm256_cmpgt_epi16(LOADW(home), MIXED(home));
    count += __builtin_popcount((unsigned)_mm256_movemask_epi8(h)) / 2;
    i = home + 16;
    RUN_UNCHECKED(full, belowAbove)
  }
  if (i < n) {
    int64_t base = n - 16;
    __m256i covered = _mm256_cmpgt_epi16(_mm256_set1_epi16((int16_t)(i - base)), lanes);
    __m256i h = _mm256_andnot_si256(covered, _mm256_cmpgt_epi16(LOADW(base), MIXED(base)));
    count += __builtin_popcount((unsigned)_mm256_movemask_epi8(h)) / 2;
  }
  FLUSH_UNCHECKED();
#undef LOADW
#undef RUN_UNCHECKED
#undef FLUSH_UNCHECKED
#undef MIXED
  return count;
}

AVX2 int64_t mapk_f16_count_before_positive_avx2(const int16_t *row, int64_t n, int64_t c, int16_t key, int *nan_free) {
  if (!nan_free && key < INT16_MAX) return f16_count_before_unchecked(row, n, c, key);
  const __m256i magnitude = _mm256_set1_epi16(0x7FFF);
  const __m256i lanes = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m256i above = _mm256_set1_epi16(key), atLeast = _mm256_set1_epi16((int16_t)(key - 1));
  __m256i largest = _mm256_setzero_si256();
  int64_t count = 0, i = 0;
  int64_t full = n / 16 * 16, home = c / 16 * 16 < full ? c / 16 * 16 : full;
#define LOAD16(at) ({ __m256i x_ = _mm256_loadu_si256((const __m256i *)(row + (at))); \
    largest = _mm256_max_epi16(largest, _mm256_and_si256(x_, magnitude)); x_; })
  /* Blocks up to `end` against t, in runs short enough for 16-bit lane counts. */
#define RUN(end, t) \
  while (i < (end)) { \
    int64_t stop = (end) < i + 16 * 16384 ? (end) : i + 16 * 16384; \
    __m256i a0 = _mm256_setzero_si256(), a1 = a0; \
    for (; i + 32 <= stop; i += 32) { \
      a0 = _mm256_sub_epi16(a0, _mm256_cmpgt_epi16(LOAD16(i), (t))); \
      a1 = _mm256_sub_epi16(a1, _mm256_cmpgt_epi16(LOAD16(i + 16), (t))); \
    } \
    if (i < stop) { a0 = _mm256_sub_epi16(a0, _mm256_cmpgt_epi16(LOAD16(i), (t))); i += 16; } \
    count += sum16(_mm256_add_epi16(a0, a1)); \
  }
  /* The threshold of a block holding c: key - 1 in the lanes before c
   * (c - base clamped: c may lie far before the tail's base). */
#define MIXED(base) _mm256_add_epi16(above, _mm256_cmpgt_epi16( \
    _mm256_set1_epi16((int16_t)((c - (base)) > 32767 ? 32767 : (c - (base)) < -32768 ? -32768 : (c - (base)))), lanes))
  RUN(home, atLeast)
  if (home < full) {
    __m256i h = _mm256_cmpgt_epi16(LOAD16(home), MIXED(home));
    count += __builtin_popcount((unsigned)_mm256_movemask_epi8(h)) / 2;
    i = home + 16;
    RUN(full, above)
  }
  if (i < n) {
    /* The last 16 scores, without the lanes a full block already covered. */
    int64_t base = n - 16;
    __m256i covered = _mm256_cmpgt_epi16(_mm256_set1_epi16((int16_t)(i - base)), lanes);
    __m256i h = _mm256_andnot_si256(covered, _mm256_cmpgt_epi16(LOAD16(base), MIXED(base)));
    count += __builtin_popcount((unsigned)_mm256_movemask_epi8(h)) / 2;
  }
#undef LOAD16
#undef RUN
#undef MIXED
  if (nan_free) *nan_free = _mm256_movemask_epi8(_mm256_cmpgt_epi16(largest, _mm256_set1_epi16(0x7C00))) == 0;
  return count;
}

AVX2 int mapk_f16_nan_free_avx2(const int16_t *row, int64_t n) {
  const __m256i magnitude = _mm256_set1_epi16(0x7FFF);
  __m256i largest = _mm256_setzero_si256();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    largest = _mm256_max_epi16(largest, _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(row + i)), magnitude));
  largest = _mm256_max_epi16(largest, _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(row + n - 16)), magnitude));
  return _mm256_movemask_epi8(_mm256_cmpgt_epi16(largest, _mm256_set1_epi16(0x7C00))) == 0;
}

AVX2 float mapk_max_scan_f32_avx2(const float *p, int64_t n) {
  __m256 a = _mm256_set1_ps(-INFINITY), b = a, c = a, d = a;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    a = _mm256_max_ps(_mm256_loadu_ps(p + i), a);
    b = _mm256_max_ps(_mm256_loadu_ps(p + i + 8), b);
    c = _mm256_max_ps(_mm256_loadu_ps(p + i + 16), c);
    d = _mm256_max_ps(_mm256_loadu_ps(p + i + 24), d);
  }
  a = _mm256_max_ps(_mm256_max_ps(a, b), _mm256_max_ps(c, d));
  float lanes[8];
  _mm256_storeu_ps(lanes, a);
  float m = -INFINITY;
  for (int l = 0; l < 8; l++) m = lanes[l] > m ? lanes[l] : m;
  for (; i < n; i++) m = p[i] > m ? p[i] : m;
  return m;
}
#endif
