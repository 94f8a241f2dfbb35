// Before/after timing of the sparse kernels (row gather forward, row gather input gradient, sampled product) in
// one process: `before.o` and `after.o` are KernelBodies.h of two revisions compiled as the AVX2 + FMA variant
// (scripts/bench/sparse-kernels-ab.sh builds them). For one layer `rows x columns` with a uniformly random
// pattern of the given density and a batch, it alternates the two variants `repetitions` times, keeps each
// kernel's fastest thread-CPU time, and checks that both compute the same result (maximum absolute difference).
// The "after" input gradient runs as SparseKernels.inputGradient does above a batch of 64: values copied into CSC
// order first (that copy is timed), then the gather without value positions.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "KernelVariants.h"

extern const srl_kernel_table before_kernels, after_kernels;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static uint64_t state = 88172645463325252ull;
static uint64_t next(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}
static float uniform(void) { return (float)((next() >> 40) / (double)(1 << 24)) * 2 - 1; }

static float *random_array(long n) {
  float *a = malloc(n * sizeof(float));
  for (long i = 0; i < n; i++) a[i] = uniform();
  return a;
}

static double max_difference(const float *a, const float *b, long n) {
  double m = 0;
  for (long i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - (double)b[i]));
  return m;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s ROWS COLUMNS DENSITY BATCH [REPETITIONS]\n", argv[0]);
    return 2;
  }
  long rows = atol(argv[1]), columns = atol(argv[2]), batch = atol(argv[4]);
  double density = atof(argv[3]);
  int repetitions = argc > 5 ? atoi(argv[5]) : 3;
  // CSR with ascending column indices, then the CSC transpose with value positions.
  int32_t *row_start = malloc((rows + 1) * sizeof(int32_t));
  long capacity = (long)(rows * columns * density * 1.2) + rows + 16, nnz = 0;
  int32_t *column_index = malloc(capacity * sizeof(int32_t));
  row_start[0] = 0;
  for (long r = 0; r < rows; r++) {
    for (long c = 0; c < columns; c++)
      if ((next() >> 11) * (1.0 / 9007199254740992.0) < density && nnz < capacity) column_index[nnz++] = (int32_t)c;
    row_start[r + 1] = (int32_t)nnz;
  }
  float *values = random_array(nnz);
  int32_t *column_start = calloc(columns + 1, sizeof(int32_t));
  for (long k = 0; k < nnz; k++) column_start[column_index[k] + 1]++;
  for (long c = 0; c < columns; c++) column_start[c + 1] += column_start[c];
  int32_t *fill = malloc(columns * sizeof(int32_t));
  memcpy(fill, column_start, columns * sizeof(int32_t));
  int32_t *row_index = malloc(nnz * sizeof(int32_t)), *position = malloc(nnz * sizeof(int32_t));
  for (long r = 0; r < rows; r++)
    for (long k = row_start[r]; k < row_start[r + 1]; k++) {
      long c = column_index[k];
      row_index[fill[c]] = (int32_t)r;
      position[fill[c]] = (int32_t)k;
      fill[c]++;
    }
  float *transposed = malloc(nnz * sizeof(float));
  float *x = random_array(columns * batch), *dy = random_array(rows * batch);
  float *y[2], *dx[2], *g[2];
  for (int i = 0; i < 2; i++) {
    y[i] = malloc(rows * batch * sizeof(float));
    dx[i] = malloc(columns * batch * sizeof(float));
    g[i] = malloc(nnz * sizeof(float));
  }
  const srl_kernel_table *table[2] = {&before_kernels, &after_kernels};
  double best[2][3];
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++) best[i][j] = INFINITY;
  for (int repetition = 0; repetition < repetitions; repetition++)
    for (int i = 0; i < 2; i++) {
      double t0 = now();
      table[i]->row_gather(rows, row_start, column_index, NULL, values, x, y[i], batch);
      double t1 = now();
      if (i == 1 && batch > 64) {
        for (long k = 0; k < nnz; k++) transposed[k] = values[position[k]];
        table[i]->row_gather(columns, column_start, row_index, NULL, transposed, dy, dx[i], batch);
      } else {
        table[i]->row_gather(columns, column_start, row_index, position, values, dy, dx[i], batch);
      }
      double t2 = now();
      table[i]->sampled_product(rows, row_start, column_index, dy, x, g[i], batch, false);
      double t3 = now();
      best[i][0] = fmin(best[i][0], t1 - t0);
      best[i][1] = fmin(best[i][1], t2 - t1);
      best[i][2] = fmin(best[i][2], t3 - t2);
    }
  const char *names[3] = {"forward W X", "input gradient W^T dY", "weight gradient (sampled)"};
  double fma = (double)nnz * batch;
  printf("| %ldx%ld, density %.3g, batch %ld, %ld active |||||\n", rows, columns, density, batch, nnz);
  for (int j = 0; j < 3; j++)
    printf("| %s | %.2f ms (%.1f GFMA/s) | %.2f ms (%.1f GFMA/s) | %.2f |\n", names[j], best[0][j] * 1e3,
           fma / best[0][j] * 1e-9, best[1][j] * 1e3, fma / best[1][j] * 1e-9, best[1][j] / best[0][j]);
  double d = fmax(max_difference(y[0], y[1], rows * batch),
                  fmax(max_difference(dx[0], dx[1], columns * batch), max_difference(g[0], g[1], nnz)));
  printf("| largest difference before/after | %g ||||\n", d);
  return d == 0 ? 0 : 1;
}
