// Selects the kernel variant once per process and forwards the public entry points to it.
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "KernelVariants.h"

/// Whether this CPU and its operating system support AVX2 and FMA (the runtime's CPU model, read via CPUID and
/// XGETBV; false off x86-64).
static bool cpu_supports_avx2_fma(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

/// The exit status of a process whose SPARSERL_KERNELS cannot be honoured (a usage error, as for a wrong
/// command-line argument).
static const int invalid_request_status = 2;

/// The variant SPARSERL_KERNELS asks for on this CPU; an invalid request ends the process with a message and
/// status 2.
static srl_kernel_variant select_variant(void) {
  const char *request = getenv("SPARSERL_KERNELS");
  bool fast = cpu_supports_avx2_fma();
  if (request == NULL || request[0] == 0 || strcmp(request, "auto") == 0)
    return fast ? SRL_KERNELS_AVX2_FMA : SRL_KERNELS_PORTABLE;
  if (strcmp(request, "portable") == 0) return SRL_KERNELS_PORTABLE;
  if (strcmp(request, "avx2") == 0) {
    if (fast) return SRL_KERNELS_AVX2_FMA;
    fprintf(stderr, "SparseRL: SPARSERL_KERNELS=avx2, but this CPU does not support AVX2 and FMA; "
                    "use auto or portable\n");
    exit(invalid_request_status);
  }
  fprintf(stderr, "SparseRL: SPARSERL_KERNELS=%s is not a kernel variant; the allowed values are auto (or unset), "
                  "portable and avx2\n", request);
  exit(invalid_request_status);
}

/// The selected variant, or -1 before the first call. Every thread computes the same value, so a race between
/// first calls is harmless.
static _Atomic int selected = -1;

srl_kernel_variant srl_kernels_variant(void) {
  int variant = atomic_load_explicit(&selected, memory_order_relaxed);
  if (variant < 0) {
    variant = (int)select_variant();
    atomic_store_explicit(&selected, variant, memory_order_relaxed);
  }
  return (srl_kernel_variant)variant;
}

static inline const srl_kernel_table *kernels(void) {
#if defined(__x86_64__)
  if (srl_kernels_variant() == SRL_KERNELS_AVX2_FMA) return &srl_avx2_fma_kernels;
#endif
  return &srl_portable_kernels;
}

void srl_gemm(long m, long n, long k, const float *a, long a_row_stride, long a_column_stride, const float *b,
              long b_row_stride, long b_column_stride, float *c, long c_row_stride, bool accumulate,
              float *workspace) {
  kernels()->gemm(m, n, k, a, a_row_stride, a_column_stride, b, b_row_stride, b_column_stride, c, c_row_stride,
                  accumulate, workspace);
}

void srl_matrix_vector(const float *matrix, const float *vector, float *result, long rows, long columns) {
  kernels()->matrix_vector(matrix, vector, result, rows, columns);
}

void srl_matrix_vector_transposed(const float *matrix, const float *vector, float *result, long rows,
                                  long columns) {
  kernels()->matrix_vector_transposed(matrix, vector, result, rows, columns);
}

void srl_row_gather(long rows, const int32_t *start, const int32_t *index, const int32_t *position,
                    const float *values, const float *source, float *destination, long batch) {
  kernels()->row_gather(rows, start, index, position, values, source, destination, batch);
}

void srl_sampled_product(long rows, const int32_t *start, const int32_t *index, const float *left,
                         const float *right, float *result, long batch, bool accumulate) {
  kernels()->sampled_product(rows, start, index, left, right, result, batch, accumulate);
}
