// The compute kernels of SparseRLNumerics, in C so that one build carries an AVX2 + FMA variant (compiled with
// per-function target attributes) and a portable variant, and picks one at run time from the CPU's features.
// SPARSERL_KERNELS=portable in the environment forces the portable variant; SPARSERL_KERNELS=avx2 requires the
// AVX2 + FMA one; unset or `auto` picks AVX2 + FMA when the CPU (and OS) support it. The choice is made once per
// process, at the first kernel call (or `srl_kernels_variant`), and never changes afterwards.
//
// Every matrix is float32, row-major, addressed by explicit strides; integers are `long` (Swift `Int`). The
// Swift wrappers in Sources/SparseRLNumerics/Kernels check shapes; these functions trust their arguments.
// No function allocates memory.
#ifndef CSPARSERL_KERNELS_H
#define CSPARSERL_KERNELS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The implementation the kernels run.
typedef enum srl_kernel_variant {
  /// Baseline instructions of the target (SSE2 on x86-64, NEON on arm64); unfused multiply-adds on x86-64.
  SRL_KERNELS_PORTABLE = 0,
  /// 256-bit AVX2 vectors and fused multiply-adds (x86-64 CPUs since 2013).
  SRL_KERNELS_AVX2_FMA = 1,
} srl_kernel_variant;

/// The variant in use (selects it on first call; exits with status 2 and a message if SPARSERL_KERNELS is invalid).
srl_kernel_variant srl_kernels_variant(void);

/// Whether the AVX2 + FMA variant runs its AVX-512 build: the same kernels with AVX-512F enabled and the row
/// gather in 16-float vectors, bit-identical to the AVX2 build. Decided on first use: yes when the CPU and OS
/// support AVX-512F, unless SPARSERL_AVX512=0; always no under the portable variant.
bool srl_kernels_use_avx512(void);

/// Turns the AVX-512 build on or off (on only where `srl_kernels_use_avx512` could be true) and returns whether
/// it is now in use; for tests and benchmarks that compare the two builds in one process. Call it while no kernel
/// runs.
bool srl_kernels_set_avx512(bool enabled);

/// Floats of scratch `srl_gemm` needs (one packed panel of 256 x 16 floats).
#define SRL_GEMM_WORKSPACE_FLOATS 4096

/// `C = A B`, or `C += A B` when `accumulate`: `A` is `[m x k]` with element (r, c) at
/// `a[r * a_row_stride + c * a_column_stride]`, `B` `[k x n]` likewise, `C` `[m x n]` with row stride
/// `c_row_stride`. `workspace` holds `SRL_GEMM_WORKSPACE_FLOATS` floats (64-byte aligned for best speed).
void srl_gemm(long m, long n, long k, const float *a, long a_row_stride, long a_column_stride, const float *b,
              long b_row_stride, long b_column_stride, float *c, long c_row_stride, bool accumulate,
              float *workspace);

/// `result = M v` for a row-major `[rows x columns]` matrix `M` (`v` has `columns` entries).
void srl_matrix_vector(const float *matrix, const float *vector, float *result, long rows, long columns);

/// `result = M^T v` for a row-major `[rows x columns]` matrix `M` (`v` has `rows` entries, `result` `columns`).
void srl_matrix_vector_transposed(const float *matrix, const float *vector, float *result, long rows,
                                  long columns);

/// What a kernel applies to each entry `v` of result row `r` before it leaves the kernel, in this order (each
/// step optional): `v = v + bias[r]`; then `v = v <= 0 ? 0 : v` if `relu` (ReLU, Swift's `max(v, 0)`); then
/// `v = v * (gate[r, c] > 0 ? 1 : 0)` (ReLU's backward, `gate` being the ReLU's output, laid out as the result).
/// The same adds, compares and multiplies as `srl_apply_epilogue`, `srl_relu_forward` and `srl_relu_backward`,
/// so the bits are those of the separate passes. `{NULL, false, NULL}` applies nothing.
typedef struct srl_epilogue {
  const float *bias;
  bool relu;
  const float *gate;
} srl_epilogue;

/// `destination[r, :] = sum_{k in start[r]..<start[r+1]} value(k) * source[index[k], :]` for `r < rows`, with
/// `value(k) = values[position[k]]` if `position` is not NULL, else `values[k]`; rows are `batch` floats long.
/// Each row gets `epilogue` (`bias` and `gate` indexed from row 0) once its sum is complete.
void srl_row_gather(long rows, const int32_t *start, const int32_t *index, const int32_t *position,
                    const float *values, const float *source, float *destination, long batch,
                    srl_epilogue epilogue);

/// `result[k] = left[r, :] . right[index[k], :]` (or `+=` when `accumulate`) for every entry `k` in
/// `start[r]..<start[r+1]` of every row `r < rows`; rows of `left` and `right` are `batch` floats long.
void srl_sampled_product(long rows, const int32_t *start, const int32_t *index, const float *left,
                         const float *right, float *result, long batch, bool accumulate);

// MARK: Threads
//
// `srl_gemm`, `srl_row_gather` and `srl_sampled_product` split calls with enough work (at least
// `SRL_PARALLEL_MIN_WORK` multiply-adds) across the kernel threads, by rows of their result: each thread computes
// whole output rows with the serial code, so results are bit-identical for every thread count. One thread (the
// caller's) by default.

/// Most threads the kernels use.
#define SRL_MAX_THREADS 64

/// Multiply-adds from which a kernel call is split across threads.
#define SRL_PARALLEL_MIN_WORK 131072

/// Sets how many threads the kernels use (clamped to 1...SRL_MAX_THREADS), starting workers the first time they
/// are needed (they live until the process exits); returns the count in effect.
long srl_set_thread_count(long count);

/// How many threads the kernels use.
long srl_thread_count(void);

/// The processors this process may run on: its CPU affinity mask on Linux (what `taskset`, cgroups' cpusets or
/// a batch scheduler's binding leave it), else the online processors; at least 1.
long srl_available_cores(void);

/// A task of `srl_run_tasks`: task `index` of the call's `count`.
typedef void (*srl_task)(void *context, long index);

/// Runs `task(context, i)` for every `i` in `0..<count` on the kernel threads (the caller included) and returns
/// when all are done: coarse-grained parallelism, e.g. the twin critics of one update on two cores. Which
/// thread runs a task varies; tasks must touch disjoint mutable state. The kernel calls made inside a task run
/// on that task's thread without splitting (one job at a time). With one thread, the tasks run in order on the
/// caller.
void srl_run_tasks(srl_task task, void *context, long count);

/// One Adam (AdamW) step over `count` stored entries: for each entry, in this order,
/// `decayed = p * shrink`, `g' = g + l2 * p`, `m = beta1 m + (1 - beta1) g'`, `v = beta2 v + (1 - beta2) g' g'`,
/// `p = decayed - step_size * m / (sqrt(v) * inverse_root + epsilon)`. Unfused arithmetic in every variant.
void srl_adam_update(long count, float *values, const float *gradients, float *first, float *second, float beta1,
                     float beta2, float step_size, float inverse_root, float epsilon, float shrink, float l2);

/// `target[i] = target[i] * keep + tau * online[i]` for `i < count` (Polyak averaging; unfused).
void srl_polyak_update(long count, float *target, const float *online, float keep, float tau);

/// `result[r * columns + c] (+)= left[r] * right[c]` for a `[rows x columns]` result (the batch-1 weight
/// gradient `dy x^T`); with `accumulate` the product is rounded before the add.
void srl_outer_product(long rows, long columns, const float *left, const float *right, float *result,
                       bool accumulate);

/// The most rows a weight may have for `srl_thin_forward`, `srl_thin_input_gradient` and
/// `srl_thin_weight_gradient` to be chosen over `srl_gemm` (output layers: a critic's one value, an actor's few
/// action dimensions).
#define SRL_THIN_ROWS 8

/// `output = W input` for `W` `[rows x depth]`, `input` `[depth x batch]`, `output` `[rows x batch]` (all
/// row-major, contiguous), reading `input` in place: for weights of few rows, where `srl_gemm` would pack all of
/// `input` for them. Then the epilogue on each output row. Never split across threads.
void srl_thin_forward(long rows, long depth, const float *weights, const float *input, float *output, long batch,
                      srl_epilogue epilogue);

/// `input_gradient = W^T output_gradient` for `W` `[rows x columns]` (few rows), `output_gradient`
/// `[rows x batch]`, `input_gradient` `[columns x batch]`, reading `W`'s columns in place; each entry is one
/// chain of multiply-adds over the rows, in ascending order. Then the epilogue (a ReLU gate) on each result row.
/// Never split across threads.
void srl_thin_input_gradient(long rows, long columns, const float *weights, const float *output_gradient,
                             float *input_gradient, long batch, srl_epilogue epilogue);

/// `weight_gradient (+)= output_gradient input^T` for `output_gradient` `[rows x batch]`, `input`
/// `[columns x batch]`, `weight_gradient` `[rows x columns]`: one dot product per entry, for weights of few rows.
/// Never split across threads.
void srl_thin_weight_gradient(long rows, long columns, const float *output_gradient, const float *input,
                              float *weight_gradient, long batch, bool accumulate);

/// `output[i] = input[i] <= 0 ? 0 : input[i]` (Swift's `max(x, 0)`: NaN stays NaN) for `i < count`.
void srl_relu_forward(long count, const float *input, float *output);

/// `input_gradient[i] = output_gradient[i] * (output[i] > 0 ? 1 : 0)` for `i < count`.
void srl_relu_backward(long count, const float *output, const float *output_gradient, float *input_gradient);

/// `epilogue` applied in place to every entry of a `[rows x columns]` matrix (`values[r * columns + c]`).
void srl_apply_epilogue(long rows, long columns, srl_epilogue epilogue, float *values);

/// `sums[r] += values[r, 0] + ... + values[r, columns - 1]` for a `[rows x columns]` matrix, summed in 8-lane
/// blocks (the order `add_row_sums` in KernelBodies.h documents), the same bits in every variant.
void srl_add_row_sums(long rows, long columns, const float *values, float *sums);

#ifdef __cplusplus
}
#endif

#endif
