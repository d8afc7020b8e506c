/*
 * multihot.c: one row of multi-hot labels (bool bytes, or int32/int64
 * holding only 0 and 1) turned into its true columns, in one read of the
 * row. See mapk_multihot_row_u8 in mapk_simd.h for the contract.
 *
 * Every path computes what the plain loop computes, column by column: a bool
 * byte is true iff it is nonzero; an integer is true iff it is 1, and any
 * value but 0 and 1 stops the row at its column (the first such column: a
 * vector block that holds one is rescanned one column at a time by the plain
 * loop, so a later bad lane of the block is never the one reported).
 * Columns are written in increasing order because the blocks are visited in
 * order and the set bits of a block's mask are taken lowest first (bit l is
 * column i + l). The AVX-512 loops run only when asked for (MAPK_SIMD=avx512
 * or mapk_simd_set_level, as for every primitive of this module); the
 * differential test runs each level the CPU has.
 */
#include "mapk_simd.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* 0x80 in every byte of w that is nonzero, 0 elsewhere (no carry crosses
 * bytes: the low 7 bits of each byte plus 0x7F stay within the byte). */
static inline uint64_t nonzero_bytes(uint64_t w) {
  return (((w & 0x7F7F7F7F7F7F7F7FULL) + 0x7F7F7F7F7F7F7F7FULL) | w) & 0x8080808080808080ULL;
}

/* The plain paths (any CPU), from column `from` with `at` columns written.
 * memcpy loads: a row may start at any byte. */

static int64_t row_u8_plain(const uint8_t *p, int64_t from, int64_t n, int32_t *cols, int64_t at) {
  int64_t i = from;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    uint64_t flags = nonzero_bytes(w);
    while (flags != 0) {
      cols[at++] = (int32_t)(i + (__builtin_ctzll(flags) >> 3));
      flags &= flags - 1;
    }
  }
  for (; i < n; i++) {
    /* Written always, kept iff true: cols has room for n. */
    cols[at] = (int32_t)i;
    at += p[i] != 0;
  }
  return at;
}

#define MULTIHOT_ROW_PLAIN(T, SUFFIX)                                                                         \
  static int64_t row_##SUFFIX##_plain(const T *p, int64_t from, int64_t n, int32_t *cols, int64_t at) {       \
    for (int64_t i = from; i < n; i++) {                                                                      \
      T v;                                                                                                    \
      memcpy(&v, p + i, sizeof v);                                                                            \
      if ((v & ~(T)1) != 0) return -1 - i;                                                                    \
      /* Written always, kept iff 1. */                                                                       \
      cols[at] = (int32_t)i;                                                                                  \
      at += (int64_t)v;                                                                                       \
    }                                                                                                         \
    return at;                                                                                                \
  }

MULTIHOT_ROW_PLAIN(int32_t, i32)
MULTIHOT_ROW_PLAIN(int64_t, i64)

#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2,bmi2,popcnt")))
#define AVX512 __attribute__((target("avx512f,avx512bw,avx2,bmi2,popcnt")))

/* Appends i + l for every set bit l of `mask` (a uint64_t lvalue), lowest first. */
#define EMIT(mask, i)                                                                                         \
  while (mask != 0) {                                                                                         \
    cols[at++] = (int32_t)((i) + __builtin_ctzll(mask));                                                      \
    mask &= mask - 1;                                                                                         \
  }

AVX2 static int64_t row_u8_avx2(const uint8_t *p, int64_t n, int32_t *cols) {
  int64_t i = 0, at = 0;
  const __m256i zero = _mm256_setzero_si256();
  for (; i + 64 <= n; i += 64) {
    __m256i a = _mm256_loadu_si256((const __m256i *)(p + i));
    __m256i b = _mm256_loadu_si256((const __m256i *)(p + i + 32));
    /* Bit l: byte i + l is zero; inverted, the true columns. */
    uint64_t zeros = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, zero))
                     | (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, zero)) << 32;
    uint64_t mask = ~zeros;
    EMIT(mask, i)
  }
  for (; i + 32 <= n; i += 32) {
    __m256i a = _mm256_loadu_si256((const __m256i *)(p + i));
    uint64_t mask = (uint32_t)~_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, zero));
    EMIT(mask, i)
  }
  return row_u8_plain(p, i, n, cols, at);
}

/* Four int32 blocks of 8: a bad value stops at the block (the plain loop then
 * finds its column); else the ones of 32 columns in one mask. */
AVX2 static int64_t row_i32_avx2(const int32_t *p, int64_t n, int32_t *cols) {
  int64_t i = 0, at = 0;
  const __m256i zero = _mm256_setzero_si256(), high = _mm256_set1_epi32(~1);
  for (; i + 32 <= n; i += 32) {
    __m256i a = _mm256_loadu_si256((const __m256i *)(p + i));
    __m256i b = _mm256_loadu_si256((const __m256i *)(p + i + 8));
    __m256i c = _mm256_loadu_si256((const __m256i *)(p + i + 16));
    __m256i d = _mm256_loadu_si256((const __m256i *)(p + i + 24));
    __m256i any = _mm256_or_si256(_mm256_or_si256(a, b), _mm256_or_si256(c, d));
    if (!_mm256_testz_si256(any, high)) break;
    uint64_t zeros = (uint64_t)(uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(a, zero)))
                     | (uint64_t)(uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(b, zero))) << 8
                     | (uint64_t)(uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(c, zero))) << 16
                     | (uint64_t)(uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(d, zero))) << 24;
    uint64_t mask = ~zeros & 0xFFFFFFFFULL;
    EMIT(mask, i)
  }
  for (; i + 8 <= n; i += 8) {
    __m256i a = _mm256_loadu_si256((const __m256i *)(p + i));
    if (!_mm256_testz_si256(a, high)) break;
    uint64_t mask = ~(uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(a, zero))) & 0xFFULL;
    EMIT(mask, i)
  }
  return row_i32_plain(p, i, n, cols, at);
}

AVX2 static int64_t row_i64_avx2(const int64_t *p, int64_t n, int32_t *cols) {
  int64_t i = 0, at = 0;
  const __m256i zero = _mm256_setzero_si256(), high = _mm256_set1_epi64x(~(int64_t)1);
  for (; i + 16 <= n; i += 16) {
    __m256i a = _mm256_loadu_si256((const __m256i *)(p + i));
    __m256i b = _mm256_loadu_si256((const __m256i *)(p + i + 4));
    __m256i c = _mm256_loadu_si256((const __m256i *)(p + i + 8));
    __m256i d = _mm256_loadu_si256((const __m256i *)(p + i + 12));
    __m256i any = _mm256_or_si256(_mm256_or_si256(a, b), _mm256_or_si256(c, d));
    if (!_mm256_testz_si256(any, high)) break;
    uint64_t zeros = (uint64_t)(uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(a, zero)))
                     | (uint64_t)(uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(b, zero))) << 4
                     | (uint64_t)(uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(c, zero))) << 8
                     | (uint64_t)(uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(d, zero))) << 12;
    uint64_t mask = ~zeros & 0xFFFFULL;
    EMIT(mask, i)
  }
  return row_i64_plain(p, i, n, cols, at);
}

AVX512 static int64_t row_u8_avx512(const uint8_t *p, int64_t n, int32_t *cols) {
  int64_t i = 0, at = 0;
  for (; i + 64 <= n; i += 64) {
    __m512i a = _mm512_loadu_si512((const void *)(p + i));
    uint64_t mask = _mm512_test_epi8_mask(a, a);
    EMIT(mask, i)
  }
  if (i < n) {
    /* The masked load reads only the row's bytes (no fault past its end). */
    __mmask64 tail = (__mmask64)(~0ULL >> (64 - (n - i)));
    __m512i a = _mm512_maskz_loadu_epi8(tail, (const void *)(p + i));
    uint64_t mask = _mm512_test_epi8_mask(a, a);
    EMIT(mask, i)
  }
  return at;
}

AVX512 static int64_t row_i32_avx512(const int32_t *p, int64_t n, int32_t *cols) {
  int64_t i = 0, at = 0;
  const __m512i high = _mm512_set1_epi32(~1);
  for (; i + 16 <= n; i += 16) {
    __m512i a = _mm512_loadu_si512((const void *)(p + i));
    if (_mm512_test_epi32_mask(a, high) != 0) break;
    uint64_t mask = _mm512_test_epi32_mask(a, a);
    EMIT(mask, i)
  }
  return row_i32_plain(p, i, n, cols, at);
}

AVX512 static int64_t row_i64_avx512(const int64_t *p, int64_t n, int32_t *cols) {
  int64_t i = 0, at = 0;
  const __m512i high = _mm512_set1_epi64(~(int64_t)1);
  for (; i + 8 <= n; i += 8) {
    __m512i a = _mm512_loadu_si512((const void *)(p + i));
    if (_mm512_test_epi64_mask(a, high) != 0) break;
    uint64_t mask = _mm512_test_epi64_mask(a, a);
    EMIT(mask, i)
  }
  return row_i64_plain(p, i, n, cols, at);
}
#endif

/* The level used: the one asked for, at most the CPU's best. */
static inline int capped(int level) {
  int best = mapk_simd_best_level();
  return level < best ? level : best;
}

int64_t mapk_multihot_row_u8(int level, const uint8_t *p, int64_t n, int32_t *cols) {
#if defined(__x86_64__)
  switch (capped(level)) {
  case MAPK_SIMD_AVX512: return row_u8_avx512(p, n, cols);
  case MAPK_SIMD_AVX2: return row_u8_avx2(p, n, cols);
  }
#endif
  (void)level;
  return row_u8_plain(p, 0, n, cols, 0);
}

int64_t mapk_multihot_row_i32(int level, const int32_t *p, int64_t n, int32_t *cols) {
#if defined(__x86_64__)
  switch (capped(level)) {
  case MAPK_SIMD_AVX512: return row_i32_avx512(p, n, cols);
  case MAPK_SIMD_AVX2: return row_i32_avx2(p, n, cols);
  }
#endif
  (void)level;
  return row_i32_plain(p, 0, n, cols, 0);
}

int64_t mapk_multihot_row_i64(int level, const int64_t *p, int64_t n, int32_t *cols) {
#if defined(__x86_64__)
  switch (capped(level)) {
  case MAPK_SIMD_AVX512: return row_i64_avx512(p, n, cols);
  case MAPK_SIMD_AVX2: return row_i64_avx2(p, n, cols);
  }
#endif
  (void)level;
  return row_i64_plain(p, 0, n, cols, 0);
}
