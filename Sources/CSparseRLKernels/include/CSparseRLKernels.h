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

/// `destination[r, :] = sum_{k in start[r]..<start[r+1]} value(k) * source[index[k], :]` for `r < rows`, with
/// `value(k) = values[position[k]]` if `position` is not NULL, else `values[k]`; rows are `batch` floats long.
void srl_row_gather(long rows, const int32_t *start, const int32_t *index, const int32_t *position,
                    const float *values, const float *source, float *destination, long batch);

/// `result[k] = left[r, :] . right[index[k], :]` (or `+=` when `accumulate`) for every entry `k` in
/// `start[r]..<start[r+1]` of every row `r < rows`; rows of `left` and `right` are `batch` floats long.
void srl_sampled_product(long rows, const int32_t *start, const int32_t *index, const float *left,
                         const float *right, float *result, long batch, bool accumulate);

#ifdef __cplusplus
}
#endif

#endif
