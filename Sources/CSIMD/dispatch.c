/*
 * dispatch.c: which instruction set the primitives of mapk_simd.h use, found
 * once from the CPU's features (and MAPK_SIMD), and the calls through it.
 */
#include "mapk_simd.h"
#include "kernels.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

/* XCR0: whether the operating system saves the vector registers a level
 * needs (read only once cpuid said OSXSAVE, so the instruction exists). */
static uint64_t xcr0(void) {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t)hi << 32 | lo;
}

static int detect(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return MAPK_SIMD_BASELINE;
  int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, popcnt = (c >> 23) & 1;
  if (!osxsave || !avx) return MAPK_SIMD_BASELINE;
  uint64_t xcr = xcr0();
  if ((xcr & 0x6) != 0x6) return MAPK_SIMD_BASELINE; /* XMM and YMM state */
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return MAPK_SIMD_BASELINE;
  int avx2 = (b >> 5) & 1, bmi2 = (b >> 8) & 1;
  int avx512f = (b >> 16) & 1, avx512bw = (b >> 30) & 1;
  if (!avx2 || !bmi2 || !popcnt) return MAPK_SIMD_BASELINE;
  /* Opmask, upper ZMM0-15 and ZMM16-31 state. */
  if (avx512f && avx512bw && (xcr & 0xE0) == 0xE0) return MAPK_SIMD_AVX512;
  return MAPK_SIMD_AVX2;
}
#else
static int detect(void) { return MAPK_SIMD_BASELINE; }
#endif

/* -1: not chosen yet. The level only selects among paths that give the same
 * results, so a relaxed load is enough. */
static _Atomic int active = -1;
static _Atomic int best_level = -1;

int mapk_simd_best_level(void) {
  int b = atomic_load_explicit(&best_level, memory_order_relaxed);
  if (b < 0) {
    b = detect();
    atomic_store_explicit(&best_level, b, memory_order_relaxed);
  }
  return b;
}

static int choose(void) {
  int best = mapk_simd_best_level();
  /* The default stops at AVX2: the AVX-512 loops have been checked against
   * the reference only where the differential test could run them, so they
   * are used when asked for (MAPK_SIMD=avx512 or mapk_simd_set_level). */
  int level = best < MAPK_SIMD_AVX2 ? best : MAPK_SIMD_AVX2;
  const char *forced = getenv("MAPK_SIMD");
  if (forced != NULL) {
    /* A level the CPU lacks, or an unknown name, leaves the default. */
    if (strcmp(forced, "baseline") == 0) level = MAPK_SIMD_BASELINE;
    else if (strcmp(forced, "avx2") == 0 && best >= MAPK_SIMD_AVX2) level = MAPK_SIMD_AVX2;
    else if (strcmp(forced, "avx512") == 0 && best >= MAPK_SIMD_AVX512) level = MAPK_SIMD_AVX512;
  }
  int expected = -1;
  /* The first chooser wins; a racing one returns what was stored. */
  if (!atomic_compare_exchange_strong(&active, &expected, level)) return expected;
  return level;
}

int mapk_simd_level(void) {
  int level = atomic_load_explicit(&active, memory_order_relaxed);
  return level >= 0 ? level : choose();
}

int mapk_simd_set_level(int level) {
  if (level < MAPK_SIMD_BASELINE || level > mapk_simd_best_level()) return -1;
  atomic_store_explicit(&active, level, memory_order_relaxed);
  return 0;
}

const char *mapk_simd_level_name(int level) {
  switch (level) {
  case MAPK_SIMD_AVX2: return "avx2";
  case MAPK_SIMD_AVX512: return "avx512";
  default: return "baseline";
  }
}

/* The calls. The Swift kernel calls a primitive only when the level is above
 * the baseline; the plain C fallbacks below keep every entry point defined
 * (and correct) on any CPU, arm64 included. */

int mapk_f32_group_maxima(const float *row, int64_t n, int64_t segments, int32_t *out) {
#if defined(__x86_64__)
  switch (mapk_simd_level()) {
  case MAPK_SIMD_AVX512: return mapk_f32_group_maxima_avx512(row, n, segments, out);
  case MAPK_SIMD_AVX2: return mapk_f32_group_maxima_avx2(row, n, segments, out);
  }
#endif
  return mapk_f32_group_maxima_plain(row, n, segments, out);
}

int64_t mapk_f32_count_before(const float *row, int64_t n, int64_t c, float s, int *nan_free) {
#if defined(__x86_64__)
  switch (mapk_simd_level()) {
  case MAPK_SIMD_AVX512: return mapk_f32_count_before_avx512(row, n, c, s, nan_free);
  case MAPK_SIMD_AVX2: return mapk_f32_count_before_avx2(row, n, c, s, nan_free);
  }
#endif
  return mapk_f32_count_before_plain(row, n, c, s, nan_free);
}

int64_t mapk_f32_next_block(const float *row, int64_t from, int64_t end, float t, uint32_t *mask) {
#if defined(__x86_64__)
  switch (mapk_simd_level()) {
  case MAPK_SIMD_AVX512: return mapk_f32_next_block_avx512(row, from, end, t, mask);
  case MAPK_SIMD_AVX2: return mapk_f32_next_block_avx2(row, from, end, t, mask);
  }
#endif
  return mapk_f32_next_block_plain(row, from, end, t, mask);
}

int mapk_f32_nan_free(const float *row, int64_t n) {
#if defined(__x86_64__)
  switch (mapk_simd_level()) {
  case MAPK_SIMD_AVX512: return mapk_f32_nan_free_avx512(row, n);
  case MAPK_SIMD_AVX2: return mapk_f32_nan_free_avx2(row, n);
  }
#endif
  return mapk_f32_nan_free_plain(row, n);
}

int32_t mapk_i32_kth_largest16(const int32_t *keys, int64_t k) {
#if defined(__x86_64__)
  /* No AVX-512 version: a CPU with AVX-512 has AVX2 (detect() checks it first). */
  switch (mapk_simd_level()) {
  case MAPK_SIMD_AVX512:
  case MAPK_SIMD_AVX2: return mapk_i32_kth_largest16_avx2(keys, k);
  }
#endif
  return mapk_i32_kth_largest16_plain(keys, k);
}

int64_t mapk_f32_short_row_mask(const float *row, int64_t n, const int32_t *ids, int64_t m, int64_t k,
                                const int32_t *table, int64_t stride) {
#if defined(__x86_64__)
  /* No AVX-512 loop of its own: a CPU with AVX-512 has AVX2 (detect() checks it first). */
  switch (mapk_simd_level()) {
  case MAPK_SIMD_AVX512:
  case MAPK_SIMD_AVX2: return mapk_f32_short_row_mask_avx2(row, n, ids, m, k, table, stride);
  }
#endif
  return mapk_f32_short_row_mask_plain(row, n, ids, m, k, table, stride);
}

int64_t mapk_f32_short_rows(const float *base, int64_t n, int64_t from, int64_t to, const void *labels,
                            int64_t label_bytes, int64_t width, int64_t k, const int32_t *table, int64_t stride,
                            int32_t *ids, int64_t *masks, int32_t *relevant) {
#if defined(__x86_64__)
  /* No AVX-512 loop of its own: a CPU with AVX-512 has AVX2 (detect() checks it first). */
  switch (mapk_simd_level()) {
  case MAPK_SIMD_AVX512:
  case MAPK_SIMD_AVX2:
    return mapk_f32_short_rows_avx2(base, n, from, to, labels, label_bytes, width, k, table, stride, ids, masks,
                                    relevant);
  }
#endif
  return mapk_f32_short_rows_plain(base, n, from, to, labels, label_bytes, width, k, table, stride, ids, masks, relevant);
}

int64_t mapk_f32_argmax(const float *row, int64_t n) {
#if defined(__x86_64__)
  /* No AVX-512 loop of its own: a CPU with AVX-512 has AVX2 (detect() checks it first). */
  switch (mapk_simd_level()) {
  case MAPK_SIMD_AVX512:
  case MAPK_SIMD_AVX2: return mapk_f32_argmax_avx2(row, n);
  }
#endif
  return mapk_f32_argmax_plain(row, n);
}

int64_t mapk_f16_count_before_positive(const int16_t *row, int64_t n, int64_t c, int16_t key, int *nan_free) {
#if defined(__x86_64__)
  switch (mapk_simd_level()) {
  case MAPK_SIMD_AVX512: return mapk_f16_count_before_positive_avx512(row, n, c, key, nan_free);
  case MAPK_SIMD_AVX2: return mapk_f16_count_before_positive_avx2(row, n, c, key, nan_free);
  }
#endif
  return mapk_f16_count_before_positive_plain(row, n, c, key, nan_free);
}

int mapk_f16_nan_free(const int16_t *row, int64_t n) {
#if defined(__x86_64__)
  switch (mapk_simd_level()) {
  case MAPK_SIMD_AVX512: return mapk_f16_nan_free_avx512(row, n);
  case MAPK_SIMD_AVX2: return mapk_f16_nan_free_avx2(row, n);
  }
#endif
  return mapk_f16_nan_free_plain(row, n);
}

float mapk_max_scan_f32(int level, const float *p, int64_t n) {
#if defined(__x86_64__)
  switch (level < mapk_simd_best_level() ? level : mapk_simd_best_level()) {
  case MAPK_SIMD_AVX512: return mapk_max_scan_f32_avx512(p, n);
  case MAPK_SIMD_AVX2: return mapk_max_scan_f32_avx2(p, n);
  }
#endif
  return mapk_max_scan_f32_plain(p, n);
}
