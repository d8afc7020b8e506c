/*
 * avx512.c: the primitives with 512-bit vectors and mask registers
 * (AVX-512F and BW). One block of 16 floats is one register; the float16
 * runs take 32 scores (two blocks) per register. Per-function `target`
 * attributes, as in avx2.c; used only where dispatch.c found AVX-512.
 */
#if defined(__x86_64__)
#include "kernels.h"

#include <immintrin.h>
#include <math.h>

#define AVX512 __attribute__((target("avx512f,avx512bw,avx2,bmi2,popcnt")))
#define AVX512_INLINE static inline __attribute__((target("avx512f,avx512bw,avx2,bmi2,popcnt"), always_inline))

AVX512 int mapk_f32_group_maxima_avx512(const float *row, int64_t n, int64_t segments, int32_t *out) {
  int64_t blocks = n / 16;
  const __m512 low = _mm512_set1_ps(-INFINITY);
  __mmask16 nan = 0;
  for (int64_t s = 0; s < segments; s++) {
    __m512 m = low;
    int64_t end = (s + 1) * blocks / segments;
    for (int64_t b = s * blocks / segments; b < end; b++) {
      __m512 x = _mm512_loadu_ps(row + b * 16);
      m = _mm512_max_ps(x, m); /* x > m ? x : m: NaN never becomes the maximum */
      nan |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    }
    if (s == segments - 1 && blocks * 16 < n) {
      /* The last 16 scores; the lanes a block covered become -inf. */
      __m512 x = _mm512_loadu_ps(row + n - 16);
      nan |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
      __mmask16 covered = (__mmask16)((1u << (blocks * 16 - (n - 16))) - 1);
      m = _mm512_max_ps(_mm512_mask_mov_ps(x, covered, low), m);
    }
    __m512i bits = _mm512_castps_si512(m);
    __m512i sign = _mm512_srai_epi32(bits, 31);
    __m512i mag = _mm512_and_si512(bits, _mm512_set1_epi32(0x7FFFFFFF));
    _mm512_storeu_si512((void *)(out + s * 16), _mm512_sub_epi32(_mm512_xor_si512(mag, sign), sign));
  }
  return nan == 0;
}

/* The lanes at `base` that rank before c (larger, or equal below c), from `from` on. */
AVX512_INLINE int64_t mixed512(const float *row, int64_t base, int64_t from, int64_t c, __m512 t, __mmask16 *nan) {
  __m512 x = _mm512_loadu_ps(row + base);
  *nan |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
  int64_t at = c - base, first = from - base;
  /* Lanes below c: (1 << at) - 1, clamped to 0..16 lanes. */
  uint32_t before = at <= 0 ? 0u : at >= 16 ? 0xFFFFu : (1u << at) - 1;
  uint32_t fresh = 0xFFFFu & ~((1u << first) - 1); /* 0 <= first <= 15 */
  uint32_t hit = (uint32_t)_mm512_cmp_ps_mask(x, t, _CMP_GT_OQ) | ((uint32_t)_mm512_cmp_ps_mask(x, t, _CMP_EQ_OQ) & before);
  return __builtin_popcount(hit & fresh);
}

AVX512 int64_t mapk_f32_count_before_avx512(const float *row, int64_t n, int64_t c, float s, int *nan_free) {
  const __m512 t = _mm512_set1_ps(s);
  __mmask16 nan = 0;
  int64_t full = n / 16 * 16, home = c / 16 * 16 < full ? c / 16 * 16 : full;
  int64_t count = 0, i = 0;
  for (; i < home; i += 16) {
    __m512 x = _mm512_loadu_ps(row + i);
    nan |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    count += __builtin_popcount((uint32_t)_mm512_cmp_ps_mask(x, t, _CMP_GE_OQ));
  }
  if (home < full) {
    count += mixed512(row, home, home, c, t, &nan);
    for (i = home + 16; i < full; i += 16) {
      __m512 x = _mm512_loadu_ps(row + i);
      nan |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
      count += __builtin_popcount((uint32_t)_mm512_cmp_ps_mask(x, t, _CMP_GT_OQ));
    }
  }
  if (i < n) count += mixed512(row, n - 16, i, c, t, &nan);
  if (nan_free) *nan_free = nan == 0;
  return count;
}

AVX512 int64_t mapk_f32_next_block_avx512(const float *row, int64_t from, int64_t end, float t, uint32_t *mask) {
  const __m512 tt = _mm512_set1_ps(t);
  int64_t i = from;
  for (; i <= end; i += 16) {
    uint32_t m = (uint32_t)_mm512_cmp_ps_mask(_mm512_loadu_ps(row + i), tt, _CMP_NLT_UQ);
    if (m) {
      *mask = m;
      return i;
    }
  }
  return i;
}

AVX512 int mapk_f32_nan_free_avx512(const float *row, int64_t n) {
  __mmask16 nan = 0;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512 x = _mm512_loadu_ps(row + i);
    nan |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
  }
  __m512 x = _mm512_loadu_ps(row + n - 16);
  nan |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
  return nan == 0;
}

AVX512 int64_t mapk_f16_count_before_positive_avx512(const int16_t *row, int64_t n, int64_t c, int16_t key,
                                                      int *nan_free) {
  const __m512i magnitude = _mm512_set1_epi16(0x7FFF);
  __m512i largest = _mm512_setzero_si512();
  int64_t count = 0, i = 0;
  int64_t full = n / 16 * 16, home = c / 16 * 16 < full ? c / 16 * 16 : full;
  /* 32 scores (two blocks) per register; a lone block is a masked load of 16
   * lanes (the lanes left out read as 0 and are not counted). */
#define COUNT_RUN(end, threshold) do { \
    const __m512i t_ = _mm512_set1_epi16(threshold); \
    for (; i + 32 <= (end); i += 32) { \
      __m512i x_ = _mm512_loadu_si512((const void *)(row + i)); \
      largest = _mm512_max_epi16(largest, _mm512_and_si512(x_, magnitude)); \
      count += __builtin_popcount((uint32_t)_mm512_cmpgt_epi16_mask(x_, t_)); \
    } \
    if (i < (end)) { \
      __m512i x_ = _mm512_maskz_loadu_epi16(0xFFFFu, row + i); \
      largest = _mm512_max_epi16(largest, _mm512_and_si512(x_, magnitude)); \
      count += __builtin_popcount((uint32_t)_mm512_mask_cmpgt_epi16_mask(0xFFFFu, x_, t_)); \
      i += 16; \
    } \
  } while (0)
  /* One block of 16 at `base` against key - 1 before c and key from c on, lanes `from - base` and up. */
#define COUNT_MIXED(base, from) do { \
    __m512i x_ = _mm512_maskz_loadu_epi16(0xFFFFu, row + (base)); \
    largest = _mm512_max_epi16(largest, _mm512_and_si512(x_, magnitude)); \
    int64_t at_ = c - (base), first_ = (from) - (base); \
    uint32_t before_ = at_ <= 0 ? 0u : at_ >= 16 ? 0xFFFFu : (1u << at_) - 1; \
    uint32_t fresh_ = 0xFFFFu & ~((1u << first_) - 1); \
    uint32_t hit_ = ((uint32_t)_mm512_cmpgt_epi16_mask(x_, _mm512_set1_epi16((int16_t)(key - 1))) & before_) | \
                    ((uint32_t)_mm512_cmpgt_epi16_mask(x_, _mm512_set1_epi16(key)) & ~before_); \
    count += __builtin_popcount(hit_ & fresh_); \
  } while (0)
  COUNT_RUN(home, (int16_t)(key - 1));
  if (home < full) {
    COUNT_MIXED(home, home);
    i = home + 16;
    COUNT_RUN(full, key);
  }
  if (i < n) COUNT_MIXED(n - 16, i);
#undef COUNT_RUN
#undef COUNT_MIXED
  if (nan_free) *nan_free = _mm512_cmpgt_epi16_mask(largest, _mm512_set1_epi16(0x7C00)) == 0;
  return count;
}

AVX512 int mapk_f16_nan_free_avx512(const int16_t *row, int64_t n) {
  const __m512i magnitude = _mm512_set1_epi16(0x7FFF);
  __m512i largest = _mm512_setzero_si512();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32)
    largest = _mm512_max_epi16(largest, _mm512_and_si512(_mm512_loadu_si512((const void *)(row + i)), magnitude));
  /* The rest: the last 32 or fewer scores, read with a mask. */
  int64_t rest = n - i;
  if (rest > 0) {
    __mmask32 m = rest >= 32 ? 0xFFFFFFFFu : (__mmask32)((1u << rest) - 1);
    largest = _mm512_max_epi16(largest, _mm512_and_si512(_mm512_maskz_loadu_epi16(m, row + i), magnitude));
  }
  return _mm512_cmpgt_epi16_mask(largest, _mm512_set1_epi16(0x7C00)) == 0;
}

AVX512 float mapk_max_scan_f32_avx512(const float *p, int64_t n) {
  __m512 a = _mm512_set1_ps(-INFINITY), b = a;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    a = _mm512_max_ps(_mm512_loadu_ps(p + i), a);
    b = _mm512_max_ps(_mm512_loadu_ps(p + i + 16), b);
  }
  a = _mm512_max_ps(a, b);
  float lanes[16];
  _mm512_storeu_ps(lanes, a);
  float m = -INFINITY;
  for (int l = 0; l < 16; l++) m = lanes[l] > m ? lanes[l] : m;
  for (; i < n; i++) m = p[i] > m ? p[i] : m;
  return m;
}
#endif
