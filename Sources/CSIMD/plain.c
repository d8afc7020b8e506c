/*
 * plain.c: the primitives one score at a time, for any CPU. They define what
 * the vector versions compute (the same groups, the same counts).
 */
#include "kernels.h"

#include <math.h>
#include <string.h>

static int32_t key32(float x) {
  int32_t bits;
  memcpy(&bits, &x, 4);
  int32_t sign = bits >> 31;
  return ((bits & 0x7FFFFFFF) ^ sign) - sign;
}

int mapk_f32_group_maxima_plain(const float *row, int64_t n, int64_t segments, int32_t *out) {
  int64_t blocks = n / 16;
  for (int64_t s = 0; s < segments; s++) {
    float m[16];
    for (int l = 0; l < 16; l++) m[l] = -INFINITY;
    for (int64_t b = s * blocks / segments; b < (s + 1) * blocks / segments; b++)
      for (int l = 0; l < 16; l++) {
        float x = row[b * 16 + l];
        m[l] = x > m[l] ? x : m[l]; /* false for NaN: NaN is never a maximum */
      }
    if (s == segments - 1 && blocks * 16 < n) {
      /* The last 16 scores, without the lanes a block covered. */
      for (int64_t l = blocks * 16 - (n - 16); l < 16; l++) {
        float x = row[n - 16 + l];
        m[l] = x > m[l] ? x : m[l];
      }
    }
    for (int l = 0; l < 16; l++) out[s * 16 + l] = key32(m[l]);
  }
  return mapk_f32_nan_free_plain(row, n);
}

int64_t mapk_f32_count_before_plain(const float *row, int64_t n, int64_t c, float s, int *nan_free) {
  int64_t count = 0;
  /* Scores before c rank before it when at least s, after it when above s
   * (the score at c itself is neither). */
  for (int64_t j = 0; j < n; j++) count += row[j] > s || (row[j] == s && j < c);
  if (nan_free) *nan_free = mapk_f32_nan_free_plain(row, n);
  return count;
}

int64_t mapk_f32_next_block_plain(const float *row, int64_t from, int64_t end, float t, uint32_t *mask) {
  int64_t i = from;
  for (; i <= end; i += 16) {
    uint32_t m = 0;
    for (int l = 0; l < 16; l++) m |= (uint32_t)(!(row[i + l] < t)) << l;
    if (m) {
      *mask = m;
      return i;
    }
  }
  return i;
}

int mapk_f32_nan_free_plain(const float *row, int64_t n) {
  for (int64_t j = 0; j < n; j++)
    if (row[j] != row[j]) return 0;
  return 1;
}

int64_t mapk_f32_short_row_mask_plain(const float *row, int64_t n, const int32_t *ids, int64_t m, int64_t k,
                                      const int32_t *table, int64_t stride) {
  (void)table;
  (void)stride;
  for (int64_t j = 0; j < n; j++)
    if (row[j] != row[j]) return -1;
  int64_t mask = 0;
  for (int64_t i = 0; i < m; i++) {
    int64_t c = ids[i], beaten = 0;
    int32_t s = key32(row[c]);
    for (int64_t j = 0; j < n; j++) beaten += key32(row[j]) > s || (key32(row[j]) == s && j < c);
    if (beaten < k) mask |= (int64_t)1 << beaten;
  }
  return mask;
}

int64_t mapk_f32_argmax_plain(const float *row, int64_t n) {
  int64_t best = 0;
  for (int64_t j = 0; j < n; j++) {
    if (row[j] != row[j]) return -1;
    /* Strictly larger: among equal maxima the lowest index stays. */
    if (row[j] > row[best]) best = j;
  }
  return best;
}

int64_t mapk_f32_short_rows_plain(const float *base, int64_t n, int64_t from, int64_t to, const void *labels,
                                  int64_t label_bytes, int64_t width, int64_t k, const int32_t *table, int64_t stride,
                                  int32_t *ids, int64_t *masks, int32_t *relevant) {
  for (int64_t r = from; r < to; r++) {
    int64_t valid_slots = 0, m = 0;
    for (int64_t i = 0; i < width; i++) {
      int64_t v = label_bytes == 8 ? ((const int64_t *)labels)[r * width + i] : ((const int32_t *)labels)[r * width + i];
      if (v < 0 || v >= n) continue;
      valid_slots++;
      int repeat = 0;
      for (int64_t j = 0; j < m; j++) repeat |= ids[j] == v;
      if (!repeat) ids[m++] = (int32_t)v;
    }
    if (valid_slots == 0) return r;
    int64_t mask = mapk_f32_short_row_mask_plain(base + r * n, n, ids, m, k, table, stride);
    if (mask < 0) return r;
    masks[r - from] = mask;
    relevant[r - from] = (int32_t)valid_slots;
  }
  return to;
}

int64_t mapk_f16_count_before_positive_plain(const int16_t *row, int64_t n, int64_t c, int16_t key, int *nan_free) {
  int64_t count = 0;
  /* A positive key is the score's bits; signed bits above key - 1 before c
   * and above key after it rank before c (the score at c is key itself). */
  for (int64_t j = 0; j < n; j++) count += row[j] > (j < c ? key - 1 : key);
  if (nan_free) *nan_free = mapk_f16_nan_free_plain(row, n);
  return count;
}

int mapk_f16_nan_free_plain(const int16_t *row, int64_t n) {
  for (int64_t j = 0; j < n; j++)
    if ((row[j] & 0x7FFF) > 0x7C00) return 0;
  return 1;
}

float mapk_max_scan_f32_plain(const float *p, int64_t n) {
  float m[8];
  for (int l = 0; l < 8; l++) m[l] = -INFINITY;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; l++) m[l] = p[i + l] > m[l] ? p[i + l] : m[l];
  float best = -INFINITY;
  for (int l = 0; l < 8; l++) best = m[l] > best ? m[l] : best;
  for (; i < n; i++) best = p[i] > best ? p[i] : best;
  return best;
}

int32_t mapk_i32_kth_largest16_plain(const int32_t *keys, int64_t k) {
  int32_t best = INT32_MIN;
  for (int l = 0; l < 16; l++) {
    int64_t atLeast = 0;
    for (int j = 0; j < 16; j++) atLeast += keys[j] >= keys[l];
    if (atLeast >= k && keys[l] > best) best = keys[l];
  }
  return best;
}
