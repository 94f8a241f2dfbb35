// Selects the kernel variant once per process and forwards the public entry points to it.
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "KernelVariants.h"
#include "ThreadPool.h"

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

/// Whether the AVX2 + FMA variant runs its AVX-512 build (KernelsAVX512.c: the same bits): 1 yes, 0 no, -1 not
/// decided yet (on first use: the CPU and OS support AVX-512F and SPARSERL_AVX512 is not `0`).
static _Atomic int wide = -1;

static bool cpu_supports_avx512f(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
#else
  return false;
#endif
}

bool srl_kernels_use_avx512(void) {
  int use = atomic_load_explicit(&wide, memory_order_relaxed);
  if (use < 0) {
    const char *request = getenv("SPARSERL_AVX512");
    bool disabled = request != NULL && strcmp(request, "0") == 0;
    use = srl_kernels_variant() == SRL_KERNELS_AVX2_FMA && cpu_supports_avx512f() && !disabled;
    atomic_store_explicit(&wide, use, memory_order_relaxed);
  }
  return use == 1;
}

bool srl_kernels_set_avx512(bool enabled) {
  bool possible = srl_kernels_variant() == SRL_KERNELS_AVX2_FMA && cpu_supports_avx512f();
  atomic_store_explicit(&wide, enabled && possible, memory_order_relaxed);
  return enabled && possible;
}

static inline const srl_kernel_table *kernels(void) {
#if defined(__x86_64__)
  if (srl_kernels_variant() == SRL_KERNELS_AVX2_FMA)
    return srl_kernels_use_avx512() ? &srl_avx512_kernels : &srl_avx2_fma_kernels;
#endif
  return &srl_portable_kernels;
}

// MARK: - Splitting by result rows (see "Threads" in CSparseRLKernels.h)

/// How many chunks a call of `work` multiply-adds over `rows` result rows is split into: `per_thread` per
/// thread (dynamic claiming evens out threads that start late), each at least `minimum_rows` rows and
/// `SRL_PARALLEL_MIN_WORK / 2` multiply-adds.
static long parts_for(double work, long rows, long minimum_rows, long per_thread) {
  long threads = srl_thread_count();
  if (threads <= 1 || work < SRL_PARALLEL_MIN_WORK) return 1;
  long parts = threads * per_thread;
  long by_rows = rows / minimum_rows;
  long by_work = (long)(work / (SRL_PARALLEL_MIN_WORK / 2));
  if (parts > by_rows) parts = by_rows;
  if (parts > by_work) parts = by_work;
  return parts < 1 ? 1 : parts;
}

typedef struct gemm_job {
  long m, n, k;
  const float *a;
  long a_row_stride, a_column_stride;
  const float *b;
  long b_row_stride, b_column_stride;
  float *c;
  long c_row_stride;
  bool accumulate;
} gemm_job;

/// Chunk `part` of a GEMM: a contiguous range of rows of C, cut at multiples of the micro-kernel's 4 rows so that
/// every tile is the one the serial call computes.
static void gemm_part(void *context, long part, long parts, float *workspace) {
  const gemm_job *job = context;
  long tiles = (job->m + 3) / 4;
  long first = tiles * part / parts * 4;
  long last = tiles * (part + 1) / parts * 4;
  if (last > job->m) last = job->m;
  if (first >= last) return;
  kernels()->gemm(last - first, job->n, job->k, job->a + first * job->a_row_stride, job->a_row_stride,
                  job->a_column_stride, job->b, job->b_row_stride, job->b_column_stride,
                  job->c + first * job->c_row_stride, job->c_row_stride, job->accumulate, workspace);
}

void srl_gemm(long m, long n, long k, const float *a, long a_row_stride, long a_column_stride, const float *b,
              long b_row_stride, long b_column_stride, float *c, long c_row_stride, bool accumulate,
              float *workspace) {
  long parts = parts_for((double)m * (double)n * (double)k, m, 8, 2);
  if (parts <= 1) {
    kernels()->gemm(m, n, k, a, a_row_stride, a_column_stride, b, b_row_stride, b_column_stride, c, c_row_stride,
                    accumulate, workspace);
    return;
  }
  gemm_job job = {m, n, k, a, a_row_stride, a_column_stride, b, b_row_stride, b_column_stride, c, c_row_stride,
                  accumulate};
  srl_parallel_run(gemm_part, &job, parts, workspace);
}

/// The row where part `part` of `parts` starts when rows are split into parts of about equal entry counts
/// (`start` holds `rows + 1` ascending offsets).
static long balanced_row(const int32_t *start, long rows, long part, long parts) {
  if (part <= 0) return 0;
  if (part >= parts) return rows;
  long goal = start[0] + (long)(((double)(start[rows] - start[0]) * (double)part) / (double)parts);
  long low = 0, high = rows;  // first row whose start is >= goal
  while (low < high) {
    long middle = (low + high) / 2;
    if (start[middle] < goal)
      low = middle + 1;
    else
      high = middle;
  }
  return low;
}

typedef struct sparse_job {
  long rows;
  const int32_t *start, *index, *position;
  const float *values, *left, *right;
  float *result;
  long batch;
  bool accumulate;
  srl_epilogue epilogue;
} sparse_job;

static void row_gather_part(void *context, long part, long parts, float *workspace) {
  (void)workspace;
  const sparse_job *job = context;
  long first = balanced_row(job->start, job->rows, part, parts);
  long last = balanced_row(job->start, job->rows, part + 1, parts);
  if (first >= last) return;
  srl_epilogue epilogue = job->epilogue;
  if (epilogue.bias) epilogue.bias += first;
  if (epilogue.gate) epilogue.gate += first * job->batch;
  kernels()->row_gather(last - first, job->start + first, job->index, job->position, job->values, job->right,
                        job->result + first * job->batch, job->batch, epilogue);
}

static void sampled_product_part(void *context, long part, long parts, float *workspace) {
  (void)workspace;
  const sparse_job *job = context;
  long first = balanced_row(job->start, job->rows, part, parts);
  long last = balanced_row(job->start, job->rows, part + 1, parts);
  if (first >= last) return;
  kernels()->sampled_product(last - first, job->start + first, job->index, job->left + first * job->batch,
                             job->right, job->result, job->batch, job->accumulate);
}

void srl_matrix_vector(const float *matrix, const float *vector, float *result, long rows, long columns) {
  kernels()->matrix_vector(matrix, vector, result, rows, columns);
}

void srl_matrix_vector_transposed(const float *matrix, const float *vector, float *result, long rows,
                                  long columns) {
  kernels()->matrix_vector_transposed(matrix, vector, result, rows, columns);
}

void srl_row_gather(long rows, const int32_t *start, const int32_t *index, const int32_t *position,
                    const float *values, const float *source, float *destination, long batch,
                    srl_epilogue epilogue) {
  long parts = rows > 0 ? parts_for((double)(start[rows] - start[0]) * (double)batch, rows, 2, 4) : 1;
  if (parts <= 1) {
    kernels()->row_gather(rows, start, index, position, values, source, destination, batch, epilogue);
    return;
  }
  sparse_job job = {rows, start, index, position, values, NULL, source, destination, batch, false, epilogue};
  srl_parallel_run(row_gather_part, &job, parts, NULL);
}

void srl_sampled_product(long rows, const int32_t *start, const int32_t *index, const float *left,
                         const float *right, float *result, long batch, bool accumulate) {
  long parts = rows > 0 ? parts_for((double)(start[rows] - start[0]) * (double)batch, rows, 2, 4) : 1;
  if (parts <= 1) {
    kernels()->sampled_product(rows, start, index, left, right, result, batch, accumulate);
    return;
  }
  sparse_job job = {rows, start, index, NULL, NULL, left, right, result, batch, accumulate, {NULL, false, NULL}};
  srl_parallel_run(sampled_product_part, &job, parts, NULL);
}

void srl_adam_update(long count, float *values, const float *gradients, float *first, float *second, float beta1,
                     float beta2, float step_size, float inverse_root, float epsilon, float shrink, float l2) {
  kernels()->adam_update(count, values, gradients, first, second, beta1, beta2, step_size, inverse_root, epsilon,
                         shrink, l2);
}

void srl_polyak_update(long count, float *target, const float *online, float keep, float tau) {
  kernels()->polyak_update(count, target, online, keep, tau);
}

void srl_outer_product(long rows, long columns, const float *left, const float *right, float *result,
                       bool accumulate) {
  kernels()->outer_product(rows, columns, left, right, result, accumulate);
}

void srl_thin_forward(long rows, long depth, const float *weights, const float *input, float *output, long batch,
                      srl_epilogue epilogue) {
  kernels()->thin_forward(rows, depth, weights, input, output, batch, epilogue);
}

void srl_thin_input_gradient(long rows, long columns, const float *weights, const float *output_gradient,
                             float *input_gradient, long batch, srl_epilogue epilogue) {
  kernels()->thin_input_gradient(rows, columns, weights, output_gradient, input_gradient, batch, epilogue);
}

void srl_thin_weight_gradient(long rows, long columns, const float *output_gradient, const float *input,
                              float *weight_gradient, long batch, bool accumulate) {
  kernels()->thin_weight_gradient(rows, columns, output_gradient, input, weight_gradient, batch, accumulate);
}

void srl_relu_forward(long count, const float *input, float *output) { kernels()->relu_forward(count, input, output); }

void srl_relu_backward(long count, const float *output, const float *output_gradient, float *input_gradient) {
  kernels()->relu_backward(count, output, output_gradient, input_gradient);
}

void srl_apply_epilogue(long rows, long columns, srl_epilogue epilogue, float *values) {
  kernels()->apply_epilogue(rows, columns, epilogue, values);
}

void srl_add_row_sums(long rows, long columns, const float *values, float *sums) {
  kernels()->add_row_sums(rows, columns, values, sums);
}
