/*
 * bw.c: the bandwidth ceiling of a .npy dump (any dtype), measured in C, to
 * cross-check mapk-bench's (Benchmarks/mapk-bench/Ceiling.swift). The same
 * work: map the file, split its floats into T contiguous parts, and have T
 * threads take a lane-wise max (AVX2, two independent accumulators, no
 * branch); report the best of 3 scans. Any evaluation of the dump reads its
 * bytes at least once, so no evaluation can be faster.
 *
 *     cc -O3 -mavx2 -pthread Benchmarks/ceiling/bw.c -o /tmp/bw
 *     /tmp/bw DUMP.pred.npy THREADS
 *
 * Make a dump with `mapk generate` or `mapk-bench --dir DIR --keep`; run it
 * right after mapk-bench so that both read a hot page cache. Never needed by
 * the build or the tests.
 */
#include <fcntl.h>
#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  const float *p;
  size_t n;
  float max;
} part;

static void *scan(void *arg) {
  part *w = arg;
  __m256 a = _mm256_set1_ps(-INFINITY), b = a;
  size_t i = 0;
  for (; i + 16 <= w->n; i += 16) {
    a = _mm256_max_ps(a, _mm256_loadu_ps(w->p + i));
    b = _mm256_max_ps(b, _mm256_loadu_ps(w->p + i + 8));
  }
  float lanes[8];
  _mm256_storeu_ps(lanes, _mm256_max_ps(a, b));
  float m = lanes[0];
  for (int q = 1; q < 8; q++) m = lanes[q] > m ? lanes[q] : m;
  for (; i < w->n; i++) m = w->p[i] > m ? w->p[i] : m; /* the last < 16 floats */
  w->max = m;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s FILE.npy THREADS\n", argv[0]);
    return 2;
  }
  int threads = atoi(argv[2]);
  if (threads < 1 || threads > 256) {
    fprintf(stderr, "THREADS must be 1 to 256\n");
    return 2;
  }
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    perror(argv[1]);
    return 1;
  }
  const unsigned char *base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  /* The .npy header: magic, version, then its length (2 bytes in version 1, 4 after). */
  if (st.st_size < 12 || memcmp(base, "\x93NUMPY", 6) != 0) {
    fprintf(stderr, "%s: not a .npy file\n", argv[1]);
    return 1;
  }
  size_t header = base[6] == 1 ? 10 + (size_t)(base[8] | base[9] << 8)
                               : 12 + (size_t)(base[8] | base[9] << 8 | base[10] << 16 | (uint32_t)base[11] << 24);
  if (header > (size_t)st.st_size) {
    fprintf(stderr, "%s: the .npy header runs past the end\n", argv[1]);
    return 1;
  }
  /* Any dtype: its data bytes are scanned as float32 lanes (for a dtype
   * other than <f4 the max is meaningless; the rate of reading the bytes is
   * the point: float16, int32 ids and bool labels have their ceiling too). */
  const float *floats = (const float *)(base + header);
  size_t n = ((size_t)st.st_size - header) / 4;
  double bytes = (double)(n * 4), best = 1e300;
  float max = 0;
  for (int round = 0; round < 3; round++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t th[256];
    part parts[256];
    for (int t = 0; t < threads; t++) {
      size_t lo = n * t / threads, hi = n * (t + 1) / threads;
      parts[t] = (part){floats + lo, hi - lo, 0};
      pthread_create(&th[t], NULL, scan, &parts[t]);
    }
    max = -INFINITY;
    for (int t = 0; t < threads; t++) {
      pthread_join(th[t], NULL);
      if (parts[t].max > max) max = parts[t].max;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (s < best) best = s;
  }
  printf("threads=%d max=%g best of 3: %.4f s, %.2f GB/s\n", threads, max, best, bytes / best / 1e9);
  return 0;
}
