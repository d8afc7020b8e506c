/*
 * mapk_simd.h: the innermost SIMD loops of mapk's top-k row scan, in C, so
 * that one binary uses the CPU's vector width (AVX2, AVX-512) where it has
 * it while still running on any x86-64 (SSE2) and on arm64.
 *
 * Each primitive exists once per instruction set, with a per-function
 * `target` attribute (no compiler flag: the package stays usable by
 * version), and is picked at run time from the CPU's features (cpuid and
 * xgetbv). The baseline (level 0) is not in this module: it is the portable
 * Swift SIMD code of `MAPKKernel` (SSE2 on x86-64, NEON on arm64), which the
 * kernel runs whenever `mapk_simd_level()` is 0. Every primitive computes
 * exactly what its Swift counterpart computes (integer counts, group maxima of
 * the same groups), so results never depend on the path.
 *
 * By default the level is the CPU's best up to AVX2; AVX-512 is used when
 * asked for (it was not verified on a machine that has it). The level can be
 * forced with the environment variable MAPK_SIMD=baseline|avx2|avx512 (read
 * once, at the first call) or with `mapk_simd_set_level`. A level the CPU
 * lacks is never used.
 */
#ifndef MAPK_SIMD_H
#define MAPK_SIMD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The levels. */
#define MAPK_SIMD_BASELINE 0
#define MAPK_SIMD_AVX2 1
#define MAPK_SIMD_AVX512 2

/* The level in use (MAPK_SIMD_BASELINE, _AVX2 or _AVX512). */
int mapk_simd_level(void);
/* The highest level this CPU (and its operating system) supports. */
int mapk_simd_best_level(void);
/* Uses `level` from now on; returns 0, or -1 (and changes nothing) if this
 * CPU lacks it. Not meant to be called while another thread evaluates. */
int mapk_simd_set_level(int level);
/* The level's name: "baseline", "avx2" or "avx512". */
const char *mapk_simd_level_name(int level);

/*
 * float32 rows (`row[0..<n]`, n >= 16).
 */

/* The maxima of the groups of the bound pass: the row's n / 16 blocks of 16
 * floats are cut into `segments` (1 <= segments <= n / 16) runs of blocks,
 * segment s taking blocks [s * blocks / segments, (s + 1) * blocks /
 * segments); group (s, l) is lane l of segment s's blocks (the last segment
 * also takes the last 16 floats, without the lanes a block covered). Writes
 * the order-preserving key of each group's maximum (NaN never is one; -inf's
 * key for a group of NaN) to out[s * 16 + l]. Returns 1 if no lane sum of
 * the row is NaN (so the row holds no NaN), else 0. */
int mapk_f32_group_maxima(const float *row, int64_t n, int64_t segments, int32_t *out);

/* The number of scores of row[0..<n] (n >= 16) that rank before the score `s`
 * at index c: larger ones, and equal ones (IEEE equality) at lower indices.
 * If `nan_free` is not NULL it receives 1 if the row holds no NaN (0 may also
 * mean both infinities; the count is then meaningless); NULL skips the check
 * (a cheaper pass: a row's later labels, once its first pass checked). */
int64_t mapk_f32_count_before(const float *row, int64_t n, int64_t c, float s, int *nan_free);

/* The first block start i = from + 16 j <= end whose 16 floats hold a lane
 * with !(x < t) (a score at or above t, or a NaN); its lanes in *mask (bit l:
 * row[i + l]). Returns a value above `end` (the first such block start) if
 * there is none. */
int64_t mapk_f32_next_block(const float *row, int64_t from, int64_t end, float t, uint32_t *mask);

/* 1 if row[0..<n] (n >= 16) holds no NaN. */
int mapk_f32_nan_free(const float *row, int64_t n);

/* The k-th largest (1 <= k <= 16) of the 16 keys keys[0..<16] (the group
 * maxima of a one-segment bound pass): the largest key that at least k of
 * the keys are at or above, found by counting, with no branch. */
int32_t mapk_i32_kth_largest16(const int32_t *keys, int64_t k);

/* Short float32 rows (1 <= n <= 64): the hit pattern at k (1 <= k <= 63) of
 * the m distinct labels ids[0..<m] (each below n): bit r - 1 set for each
 * label ranked r <= k, in TensorFlow's order (larger score first, ties by
 * lower index; -0.0 == 0.0). `table` is the short rows' "before" table:
 * lane j of its row c (`stride` >= 8 * ceil(n / 8) lanes a row) is -1 when
 * j < c, else 0. Returns -1 if the row holds a NaN. */
int64_t mapk_f32_short_row_mask(const float *row, int64_t n, const int32_t *ids, int64_t m, int64_t k,
                                const int32_t *table, int64_t stride);

/* Runs of short float32 rows with dense labels: for r in [from, to), row r
 * is base[r * n ..< (r + 1) * n] (1 <= n <= 64) and its labels are the
 * `width` slots labels[r * width ..< (r + 1) * width] (int64 when
 * label_bytes is 8, else int32); a slot in [0, n) counts in the row's n
 * (repeats too) and its class is ranked once. Writes row r's hit pattern
 * (mapk_f32_short_row_mask's, at k <= 63) to masks[r - from] and its n to
 * relevant[r - from]. Stops at the first row with no label in range or a
 * NaN and returns it (`to` when every row was counted). `ids` has room for
 * `width` classes. */
int64_t mapk_f32_short_rows(const float *base, int64_t n, int64_t from, int64_t to, const void *labels,
                            int64_t label_bytes, int64_t width, int64_t k, const int32_t *table, int64_t stride,
                            int32_t *ids, int64_t *masks, int32_t *relevant);

/* The first index of the largest score of row[0..<n] (n >= 16) in IEEE
 * order (-0.0 == 0.0: the lower index of the two), that is the class ranked
 * first in TensorFlow's order; -1 if the row holds a NaN. */
int64_t mapk_f32_argmax(const float *row, int64_t n);

/*
 * float16 rows, as their raw bits read as signed 16-bit integers (n >= 16).
 */

/* The number of scores that rank before the one at index c, whose key `key`
 * is positive (then a score ranks before it iff its signed bits exceed
 * key - 1 before c, key after c). If `nan_free` is not NULL it receives 1 if
 * no magnitude is above infinity's (the row holds no NaN); NULL skips the
 * check (a cheaper pass). */
int64_t mapk_f16_count_before_positive(const int16_t *row, int64_t n, int64_t c, int16_t key, int *nan_free);

/* 1 if row[0..<n] (n >= 16) holds no NaN. */
int mapk_f16_nan_free(const int16_t *row, int64_t n);

/*
 * The bandwidth ceiling (the benchmark): the largest of p[0..<n] (NaN
 * ignored, -inf for none), a lane-wise max with no branch, with `level`'s
 * vectors (at most the best level; a plain loop at the baseline). */
float mapk_max_scan_f32(int level, const float *p, int64_t n);

/*
 * Multi-hot labels (multihot.c): one row's true columns at a time.
 */

/* The columns of the nonzero bytes of the bool row p[0..<n], increasing, in
 * cols[0..<count] (cols has room for n; slots past the count may be
 * overwritten); returns the count. `level` caps the instruction set (at most
 * the CPU's best: pass mapk_simd_level(), which honours MAPK_SIMD=baseline);
 * every level returns the same. The row may start at any byte. */
int64_t mapk_multihot_row_u8(int level, const uint8_t *p, int64_t n, int32_t *cols);
/* The same for an int32 (int64) row that holds only 0 and 1 (1 is true);
 * returns -1 - c for the first column c holding another value (cols then
 * holds the ones before it, or less). */
int64_t mapk_multihot_row_i32(int level, const int32_t *p, int64_t n, int32_t *cols);
int64_t mapk_multihot_row_i64(int level, const int64_t *p, int64_t n, int32_t *cols);

#ifdef __cplusplus
}
#endif

#endif
