/*
 * kernels.h: the primitives of mapk_simd.h once per instruction set (not
 * part of the module's interface; dispatch.c picks one).
 */
#ifndef MAPK_SIMD_KERNELS_H
#define MAPK_SIMD_KERNELS_H

#include <stdint.h>

/* Plain C: any CPU (the Swift kernel never calls these at the baseline, but
 * a C caller may). */
int mapk_f32_group_maxima_plain(const float *row, int64_t n, int64_t segments, int32_t *out);
int64_t mapk_f32_count_before_plain(const float *row, int64_t n, int64_t c, float s, int *nan_free);
int64_t mapk_f32_next_block_plain(const float *row, int64_t from, int64_t end, float t, uint32_t *mask);
int mapk_f32_nan_free_plain(const float *row, int64_t n);
int32_t mapk_i32_kth_largest16_plain(const int32_t *keys, int64_t k);
int64_t mapk_f32_short_row_mask_plain(const float *row, int64_t n, const int32_t *ids, int64_t m, int64_t k,
                                      const int32_t *table, int64_t stride);
int64_t mapk_f32_short_rows_plain(const float *base, int64_t n, int64_t from, int64_t to, const void *labels,
                                  int64_t label_bytes, int64_t width, int64_t k, const int32_t *table, int64_t stride,
                                  int32_t *ids, int64_t *masks, int32_t *relevant);
int64_t mapk_f32_argmax_plain(const float *row, int64_t n);
int64_t mapk_f16_count_before_positive_plain(const int16_t *row, int64_t n, int64_t c, int16_t key, int *nan_free);
int mapk_f16_nan_free_plain(const int16_t *row, int64_t n);
float mapk_max_scan_f32_plain(const float *p, int64_t n);

#if defined(__x86_64__)
int mapk_f32_group_maxima_avx2(const float *row, int64_t n, int64_t segments, int32_t *out);
int64_t mapk_f32_count_before_avx2(const float *row, int64_t n, int64_t c, float s, int *nan_free);
int64_t mapk_f32_next_block_avx2(const float *row, int64_t from, int64_t end, float t, uint32_t *mask);
int mapk_f32_nan_free_avx2(const float *row, int64_t n);
int32_t mapk_i32_kth_largest16_avx2(const int32_t *keys, int64_t k);
int64_t mapk_f32_short_row_mask_avx2(const float *row, int64_t n, const int32_t *ids, int64_t m, int64_t k,
                                     const int32_t *table, int64_t stride);
int64_t mapk_f32_short_rows_avx2(const float *base, int64_t n, int64_t from, int64_t to, const void *labels,
                                 int64_t label_bytes, int64_t width, int64_t k, const int32_t *table, int64_t stride,
                                 int32_t *ids, int64_t *masks, int32_t *relevant);
int64_t mapk_f32_argmax_avx2(const float *row, int64_t n);
int64_t mapk_f16_count_before_positive_avx2(const int16_t *row, int64_t n, int64_t c, int16_t key, int *nan_free);
int mapk_f16_nan_free_avx2(const int16_t *row, int64_t n);
float mapk_max_scan_f32_avx2(const float *p, int64_t n);

int mapk_f32_group_maxima_avx512(const float *row, int64_t n, int64_t segments, int32_t *out);
int64_t mapk_f32_count_before_avx512(const float *row, int64_t n, int64_t c, float s, int *nan_free);
int64_t mapk_f32_next_block_avx512(const float *row, int64_t from, int64_t end, float t, uint32_t *mask);
int mapk_f32_nan_free_avx512(const float *row, int64_t n);
int64_t mapk_f16_count_before_positive_avx512(const int16_t *row, int64_t n, int64_t c, int16_t key, int *nan_free);
int mapk_f16_nan_free_avx512(const int16_t *row, int64_t n);
float mapk_max_scan_f32_avx512(const float *p, int64_t n);
#endif

#endif
