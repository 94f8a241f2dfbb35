// The kernel bodies, written once and compiled once per variant. The including file defines
//   SRL_TARGET  the attribute that enables the variant's instructions on every function (or nothing),
//   SRL_FUSED   1 if multiply-adds are fused (one rounding), 0 for `acc + a * b`,
//   SRL_TABLE   the name of the `srl_kernel_table` to define,
//   SRL_WIDE    (optional, default 0) 1 to hold the row gather's 16-to-64-entry chunks in 16-float (AVX-512)
//               vectors: the same lane-by-lane multiply-adds, so the same bits as 8-float vectors.
// Every function is static, so each variant's copy is private to its translation unit; only the table is seen.
//
// Floating-point contraction is off: a multiply-add is fused exactly where `madd` says so, and every variant does
// the same operations in the same order (they differ only in the rounding of fused vs unfused multiply-adds),
// so results are deterministic for a given variant.
//
// Shapes follow SparseRLNumerics: weights `W` `[out x in]`, activations feature-major `[features x batch]`,
// all row-major float32. None of these functions allocates.
#pragma clang fp contract(off)

#include <limits.h>
#include <string.h>

typedef float v8 __attribute__((ext_vector_type(8)));
typedef float v4 __attribute__((ext_vector_type(4)));
typedef float v2 __attribute__((ext_vector_type(2)));

#ifndef SRL_WIDE
#define SRL_WIDE 0
#endif

#define INLINE static inline __attribute__((always_inline)) SRL_TARGET
#define KERNEL static __attribute__((noinline)) SRL_TARGET

// MARK: - Vector helpers

/// Unaligned 8-float load and store.
INLINE v8 load(const float *p) {
  v8 v;
  memcpy(&v, p, sizeof v);
  return v;
}

INLINE void store(float *p, v8 v) { memcpy(p, &v, sizeof v); }

INLINE v8 splat(float x) { return (v8){x, x, x, x, x, x, x, x}; }

/// `acc + a * b`, one `vfmadd231ps` per 8 lanes in the AVX2 + FMA variant.
INLINE v8 madd(v8 acc, v8 a, v8 b) {
#if SRL_FUSED
  return __builtin_elementwise_fma(a, b, acc);
#else
  return acc + a * b;
#endif
}

INLINE float madd1(float acc, float a, float b) {
#if SRL_FUSED
  return __builtin_fmaf(a, b, acc);
#else
  return acc + a * b;
#endif
}

/// Sum of the eight lanes by pairwise halving: (0..3 + 4..7), then (0,1 + 2,3), then lane 0 + lane 1.
INLINE float hsum(v8 v) {
  v4 four = v.lo + v.hi;
  v2 two = four.lo + four.hi;
  return two[0] + two[1];
}

// MARK: - Epilogue (bias, ReLU, ReLU gate)

// Plain compares, multiplies and adds (no fused multiply-add), so every variant gives the same bits, and a product
// that applies the epilogue as it finishes a row gives the bits of the separate passes (`apply_epilogue`,
// `relu_forward`, `relu_backward`). The row just written is still in L1, so the epilogue costs no memory pass.

typedef int v8i __attribute__((ext_vector_type(8)));

/// `v <= 0 ? 0 : v` per lane (Swift's `max(v, 0)`: -0 and +0 give +0, NaN stays NaN).
INLINE v8 relu8(v8 v) {
  v8i keep = ~(v <= (v8)0);
  v8i bits;
  memcpy(&bits, &v, sizeof bits);
  bits &= keep;
  memcpy(&v, &bits, sizeof v);
  return v;
}

/// `gate > 0 ? 1 : 0` per lane: ReLU's derivative read from its output.
INLINE v8 relu_derivative8(v8 gate) {
  const v8 one = splat(1);
  v8i one_bits;
  memcpy(&one_bits, &one, sizeof one_bits);
  v8i derivative_bits = (gate > (v8)0) & one_bits;
  v8 derivative;
  memcpy(&derivative, &derivative_bits, sizeof derivative);
  return derivative;
}

INLINE float relu1(float v) { return v <= 0 ? 0 : v; }
INLINE float relu_derivative1(float gate) { return gate > 0 ? 1.0f : 0.0f; }

/// The epilogue on one row of `columns` entries: `bias` points at the row's bias (or is NULL), `gate` at the row's
/// gate entries (or is NULL). O(columns).
INLINE void finish_row(float *row, long columns, const float *bias, bool relu, const float *gate) {
  if (!bias && !relu && !gate) return;
  const v8 b = splat(bias ? *bias : 0);
  long c = 0;
  for (; c + 8 <= columns; c += 8) {
    v8 v = load(row + c);
    if (bias) v = v + b;
    if (relu) v = relu8(v);
    if (gate) v = v * relu_derivative8(load(gate + c));
    store(row + c, v);
  }
  for (; c < columns; c++) {
    float v = row[c];
    if (bias) v = v + *bias;
    if (relu) v = relu1(v);
    if (gate) v = v * relu_derivative1(gate[c]);
    row[c] = v;
  }
}

/// `finish_row` for row `row` of a `[rows x columns]` result.
INLINE void finish_result_row(float *result, long row, long columns, srl_epilogue e) {
  finish_row(result + row * columns, columns, e.bias ? e.bias + row : NULL, e.relu,
             e.gate ? e.gate + row * columns : NULL);
}

// MARK: - Packed matrix multiply

// `C (+)= A B`, single-threaded, with a packed, register-blocked micro-kernel.
// - `A` `[m x k]` is read in place through its strides (its rows are broadcast one scalar at a time, so any
//   layout streams well).
// - `B` `[k x n]`: for each depth block of DEPTH_BLOCK rows and each panel of PANEL_WIDTH columns it is packed
//   into the workspace as `depth x 16` contiguous floats (zero-padded past the last column): two vector loads
//   per depth step, and the panel (16 KiB) stays in L1 while the micro-kernel sweeps all row tiles of `A`.
// - The micro-kernel keeps a 4 x 16 tile of `C` in 8 vector accumulators, each updated by one FMA per depth
//   step: eight independent chains cover FMA latency x throughput (4 x 2) on current cores, in 11 of the 16
//   ymm registers (a 6 x 16 tile spills and measured twice as slow). Edge tiles use the same code specialised
//   for fewer rows or one vector of columns.
// Complexity O(m n k) arithmetic plus O(k n) packing.
enum { TILE_ROWS = 4, PANEL_WIDTH = 16, DEPTH_BLOCK = 256 };
_Static_assert(DEPTH_BLOCK * PANEL_WIDTH == SRL_GEMM_WORKSPACE_FLOATS, "workspace size");

/// Packs `B[depth_start..<depth_start+depth, column_start..<column_start+columns]` as `depth` rows of 16.
INLINE void pack_panel(const float *b, long b_row_stride, long b_column_stride, long depth_start, long depth,
                       long column_start, long columns, float *packed) {
  const float *source = b + depth_start * b_row_stride + column_start * b_column_stride;
  if (b_column_stride == 1 && columns == PANEL_WIDTH) {
    for (long d = 0; d < depth; d++) {
      const float *row = source + d * b_row_stride;
      store(packed + d * PANEL_WIDTH, load(row));
      store(packed + d * PANEL_WIDTH + 8, load(row + 8));
    }
  } else if (b_row_stride == 1) {
    // Transposing read (B = X^T): walk each source column contiguously.
    for (long column = 0; column < columns; column++) {
      const float *source_column = source + column * b_column_stride;
      for (long d = 0; d < depth; d++) packed[d * PANEL_WIDTH + column] = source_column[d];
    }
    if (columns < PANEL_WIDTH) {
      for (long d = 0; d < depth; d++)
        memset(packed + d * PANEL_WIDTH + columns, 0, (size_t)(PANEL_WIDTH - columns) * sizeof(float));
    }
  } else {
    for (long d = 0; d < depth; d++) {
      const float *row = source + d * b_row_stride;
      float *target = packed + d * PANEL_WIDTH;
      for (long column = 0; column < columns; column++) target[column] = row[column * b_column_stride];
      if (columns < PANEL_WIDTH) memset(target + columns, 0, (size_t)(PANEL_WIDTH - columns) * sizeof(float));
    }
  }
}

/// Writes (or adds) the first `columns` lanes of `low ++ high` to `row`.
INLINE void store_row(v8 low, v8 high, const int wide, float *row, long columns, bool add_to_c) {
  if (columns == 16 && wide) {
    if (add_to_c) {
      store(row, load(row) + low);
      store(row + 8, load(row + 8) + high);
    } else {
      store(row, low);
      store(row + 8, high);
    }
  } else if (columns == 8) {
    store(row, add_to_c ? load(row) + low : low);
  } else {
    long narrow = columns < 8 ? columns : 8;
    for (long lane = 0; lane < narrow; lane++) row[lane] = add_to_c ? row[lane] + low[lane] : low[lane];
    if (wide && columns > 8) {
      for (long lane = 8; lane < columns; lane++)
        row[lane] = add_to_c ? row[lane] + high[lane - 8] : high[lane - 8];
    }
  }
}

/// `C[0..<rows, 0..<columns] (+)= A[0..<rows, 0..<depth] P`, `P` a packed `depth x 16` panel. `rows` (1...4)
/// and `wide` (16 or 8 columns computed) are constants after inlining, so unused accumulators disappear.
INLINE void micro_kernel(const int rows, const int wide, const float *a, long a_row_stride, long a_depth_stride,
                         const float *panel, long depth, float *c, long c_row_stride, long columns,
                         bool add_to_c) {
  v8 c00 = 0, c01 = 0, c10 = 0, c11 = 0, c20 = 0, c21 = 0, c30 = 0, c31 = 0;
  // Row pointers; rows past `rows` alias the last valid row and are never read.
  const float *a0 = a;
  const float *a1 = a + (rows > 1 ? 1 : rows - 1) * a_row_stride;
  const float *a2 = a + (rows > 2 ? 2 : rows - 1) * a_row_stride;
  const float *a3 = a + (rows > 3 ? 3 : rows - 1) * a_row_stride;
  long offset = 0;
  for (long d = 0; d < depth; d++) {
    v8 b0 = load(panel);
    v8 b1 = wide ? load(panel + 8) : (v8)0;
    v8 s0 = splat(a0[offset]);
    c00 = madd(c00, s0, b0);
    if (wide) c01 = madd(c01, s0, b1);
    if (rows > 1) {
      v8 s1 = splat(a1[offset]);
      c10 = madd(c10, s1, b0);
      if (wide) c11 = madd(c11, s1, b1);
    }
    if (rows > 2) {
      v8 s2 = splat(a2[offset]);
      c20 = madd(c20, s2, b0);
      if (wide) c21 = madd(c21, s2, b1);
    }
    if (rows > 3) {
      v8 s3 = splat(a3[offset]);
      c30 = madd(c30, s3, b0);
      if (wide) c31 = madd(c31, s3, b1);
    }
    offset += a_depth_stride;
    panel += PANEL_WIDTH;
  }
  store_row(c00, c01, wide, c, columns, add_to_c);
  if (rows > 1) store_row(c10, c11, wide, c + c_row_stride, columns, add_to_c);
  if (rows > 2) store_row(c20, c21, wide, c + 2 * c_row_stride, columns, add_to_c);
  if (rows > 3) store_row(c30, c31, wide, c + 3 * c_row_stride, columns, add_to_c);
}

// One non-inlined entry point per tile shape, so each gets its own register allocation.
#define MICRO_KERNEL(NAME, ROWS, WIDE)                                                                      \
  KERNEL void NAME(const float *a, long a_row_stride, long a_depth_stride, const float *panel, long depth,   \
                   float *c, long c_row_stride, long columns, bool add_to_c) {                              \
    micro_kernel(ROWS, WIDE, a, a_row_stride, a_depth_stride, panel, depth, c, c_row_stride, columns,         \
                 add_to_c);                                                                                   \
  }
MICRO_KERNEL(micro_kernel_4x16, 4, 1)
MICRO_KERNEL(micro_kernel_3x16, 3, 1)
MICRO_KERNEL(micro_kernel_2x16, 2, 1)
MICRO_KERNEL(micro_kernel_1x16, 1, 1)
MICRO_KERNEL(micro_kernel_4x8, 4, 0)
MICRO_KERNEL(micro_kernel_3x8, 3, 0)
MICRO_KERNEL(micro_kernel_2x8, 2, 0)
MICRO_KERNEL(micro_kernel_1x8, 1, 0)
#undef MICRO_KERNEL

KERNEL void gemm(long m, long n, long k, const float *a, long a_row_stride, long a_column_stride, const float *b,
                 long b_row_stride, long b_column_stride, float *c, long c_row_stride, bool accumulate,
                 float *packed) {
  if (m <= 0 || n <= 0) return;
  if (k == 0) {
    if (!accumulate) {
      for (long row = 0; row < m; row++) memset(c + row * c_row_stride, 0, (size_t)n * sizeof(float));
    }
    return;
  }
  for (long depth_start = 0; depth_start < k; depth_start += DEPTH_BLOCK) {
    long depth = k - depth_start < DEPTH_BLOCK ? k - depth_start : DEPTH_BLOCK;
    bool add_to_c = accumulate || depth_start > 0;
    for (long column_start = 0; column_start < n; column_start += PANEL_WIDTH) {
      long columns = n - column_start < PANEL_WIDTH ? n - column_start : PANEL_WIDTH;
      pack_panel(b, b_row_stride, b_column_stride, depth_start, depth, column_start, columns, packed);
      for (long row_start = 0; row_start < m; row_start += TILE_ROWS) {
        long rows = m - row_start < TILE_ROWS ? m - row_start : TILE_ROWS;
        const float *a_tile = a + row_start * a_row_stride + depth_start * a_column_stride;
        float *c_tile = c + row_start * c_row_stride + column_start;
        void (*tile)(const float *, long, long, const float *, long, float *, long, long, bool);
        if (columns > 8) {
          tile = rows == 4   ? micro_kernel_4x16
                 : rows == 3 ? micro_kernel_3x16
                 : rows == 2 ? micro_kernel_2x16
                             : micro_kernel_1x16;
        } else {
          tile = rows == 4 ? micro_kernel_4x8 : rows == 3 ? micro_kernel_3x8 : rows == 2 ? micro_kernel_2x8
                                                                                          : micro_kernel_1x8;
        }
        tile(a_tile, a_row_stride, a_column_stride, packed, depth, c_tile, c_row_stride, columns, add_to_c);
      }
    }
  }
}

// MARK: - Dot products and matrix-vector products

// Dot products of one contiguous vector `v` with contiguous rows of the same length (consecutive matrix rows, or
// rows gathered through a sparsity pattern): two vector accumulators per row, so `dot4` runs eight independent
// FMA chains; blocks of 16, then one block of 8, then an unfused scalar tail. O(count) per row.
INLINE void dot4(const float *v, const float *r0, const float *r1, const float *r2, const float *r3, long count,
                 float result[4]) {
  v8 s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
  long j = 0;
  for (; j + 16 <= count; j += 16) {
    v8 v0 = load(v + j);
    v8 v1 = load(v + j + 8);
    s00 = madd(s00, v0, load(r0 + j));
    s01 = madd(s01, v1, load(r0 + j + 8));
    s10 = madd(s10, v0, load(r1 + j));
    s11 = madd(s11, v1, load(r1 + j + 8));
    s20 = madd(s20, v0, load(r2 + j));
    s21 = madd(s21, v1, load(r2 + j + 8));
    s30 = madd(s30, v0, load(r3 + j));
    s31 = madd(s31, v1, load(r3 + j + 8));
  }
  if (j + 8 <= count) {
    v8 v0 = load(v + j);
    s00 = madd(s00, v0, load(r0 + j));
    s10 = madd(s10, v0, load(r1 + j));
    s20 = madd(s20, v0, load(r2 + j));
    s30 = madd(s30, v0, load(r3 + j));
    j += 8;
  }
  float t0 = hsum(s00 + s01), t1 = hsum(s10 + s11), t2 = hsum(s20 + s21), t3 = hsum(s30 + s31);
  for (; j < count; j++) {
    float x = v[j];
    t0 += x * r0[j];
    t1 += x * r1[j];
    t2 += x * r2[j];
    t3 += x * r3[j];
  }
  result[0] = t0;
  result[1] = t1;
  result[2] = t2;
  result[3] = t3;
}

INLINE float dot1(const float *v, const float *r, long count) {
  v8 s0 = 0, s1 = 0;
  long j = 0;
  for (; j + 16 <= count; j += 16) {
    s0 = madd(s0, load(v + j), load(r + j));
    s1 = madd(s1, load(v + j + 8), load(r + j + 8));
  }
  if (j + 8 <= count) {
    s0 = madd(s0, load(v + j), load(r + j));
    j += 8;
  }
  float t = hsum(s0 + s1);
  for (; j < count; j++) t += v[j] * r[j];
  return t;
}

/// `result = M v`, `M` `[rows x columns]`: four row dot products at a time. O(rows * columns).
KERNEL void matrix_vector(const float *matrix, const float *vector, float *result, long rows, long columns) {
  long row = 0;
  for (; row + 4 <= rows; row += 4) {
    const float *r0 = matrix + row * columns;
    dot4(vector, r0, r0 + columns, r0 + 2 * columns, r0 + 3 * columns, columns, result + row);
  }
  for (; row < rows; row++) result[row] = dot1(vector, matrix + row * columns, columns);
}

/// `result = M^T v`, `M` `[rows x columns]`: blocks of 64 result entries in eight vector accumulators while
/// streaming down the rows, then blocks of 8 (two accumulators over alternate rows), then a scalar tail.
/// O(rows * columns).
KERNEL void matrix_vector_transposed(const float *matrix, const float *vector, float *result, long rows,
                                     long columns) {
  long column = 0;
  for (; column + 64 <= columns; column += 64) {
    v8 s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    const float *p = matrix + column;
    for (long i = 0; i < rows; i++) {
      v8 v = splat(vector[i]);
      s0 = madd(s0, load(p), v);
      s1 = madd(s1, load(p + 8), v);
      s2 = madd(s2, load(p + 16), v);
      s3 = madd(s3, load(p + 24), v);
      s4 = madd(s4, load(p + 32), v);
      s5 = madd(s5, load(p + 40), v);
      s6 = madd(s6, load(p + 48), v);
      s7 = madd(s7, load(p + 56), v);
      p += columns;
    }
    float *out = result + column;
    store(out, s0);
    store(out + 8, s1);
    store(out + 16, s2);
    store(out + 24, s3);
    store(out + 32, s4);
    store(out + 40, s5);
    store(out + 48, s6);
    store(out + 56, s7);
  }
  for (; column + 8 <= columns; column += 8) {
    v8 s0 = 0, s1 = 0;
    const float *p = matrix + column;
    long i = 0;
    for (; i + 2 <= rows; i += 2) {
      s0 = madd(s0, load(p), splat(vector[i]));
      s1 = madd(s1, load(p + columns), splat(vector[i + 1]));
      p += 2 * columns;
    }
    if (i < rows) s0 = madd(s0, load(p), splat(vector[i]));
    store(result + column, s0 + s1);
  }
  for (; column < columns; column++) {
    float t = 0;
    for (long i = 0; i < rows; i++) t += matrix[i * columns + column] * vector[i];
    result[column] = t;
  }
}

// MARK: - Sparse kernels

/// Rows per group and source bytes per block of the blocked sparse products (see `gather_rows`).
enum { SOURCE_GROUP_ROWS = 128, SOURCE_BLOCK_BYTES = 256 * 1024 };

// Row gather: for each output row and each chunk of up to 64 batch entries, the chunk lives in up to eight vector
// accumulators while `value(k) * source[index[k], chunk]` is added for every entry `k` of the row (a broadcast
// times a contiguous run of the batch), then it is stored once. Over CSR this is `Y = W X`; over CSC with value
// positions it is `dX = W^T dY` (a gather, never a scatter). O(nnz * batch + rows * batch).

#if SRL_WIDE
typedef float v16 __attribute__((ext_vector_type(16)));

INLINE v16 load16(const float *p) {
  v16 v;
  memcpy(&v, p, sizeof v);
  return v;
}

INLINE void store16(float *p, v16 v) { memcpy(p, &v, sizeof v); }

/// `gather_chunk` for `vectors` (2, 4 or 8) chunks of 8 entries held as half as many 16-float vectors: each lane
/// is its own chain of fused multiply-adds in the same order, so the bits are those of the 8-float chunks.
INLINE void gather_chunk_wide(const int vectors, long first, long end, const int32_t *index, const int32_t *position,
                              const float *values, const float *source, float *out, long batch, const bool indirect,
                              const bool resume) {
  v16 a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  if (resume) {
    a0 = load16(out);
    if (vectors > 2) a1 = load16(out + 16);
    if (vectors > 4) {
      a2 = load16(out + 32);
      a3 = load16(out + 48);
    }
  }
  for (long k = first; k < end; k++) {
    float value = values[indirect ? position[k] : k];
    v16 w = (v16){value, value, value, value, value, value, value, value,
                  value, value, value, value, value, value, value, value};
    const float *s = source + (long)index[k] * batch;
    a0 = __builtin_elementwise_fma(w, load16(s), a0);
    if (vectors > 2) a1 = __builtin_elementwise_fma(w, load16(s + 16), a1);
    if (vectors > 4) {
      a2 = __builtin_elementwise_fma(w, load16(s + 32), a2);
      a3 = __builtin_elementwise_fma(w, load16(s + 48), a3);
    }
  }
  store16(out, a0);
  if (vectors > 2) store16(out + 16, a1);
  if (vectors > 4) {
    store16(out + 32, a2);
    store16(out + 48, a3);
  }
}
#endif

/// One row, `vectors` (1, 2, 4 or 8) chunks of 8 batch entries held in registers across the row's entries.
INLINE void gather_chunk(const int vectors, long first, long end, const int32_t *index, const int32_t *position,
                         const float *values, const float *source, float *out, long batch, const bool indirect,
                         const bool resume) {
#if SRL_WIDE
  if (vectors > 1) {
    gather_chunk_wide(vectors, first, end, index, position, values, source, out, batch, indirect, resume);
    return;
  }
#endif
  v8 a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  if (resume) {
    a0 = load(out);
    if (vectors > 1) a1 = load(out + 8);
    if (vectors > 2) {
      a2 = load(out + 16);
      a3 = load(out + 24);
    }
    if (vectors > 4) {
      a4 = load(out + 32);
      a5 = load(out + 40);
      a6 = load(out + 48);
      a7 = load(out + 56);
    }
  }
  for (long k = first; k < end; k++) {
    v8 w = splat(values[indirect ? position[k] : k]);
    const float *s = source + (long)index[k] * batch;
    a0 = madd(a0, w, load(s));
    if (vectors > 1) a1 = madd(a1, w, load(s + 8));
    if (vectors > 2) {
      a2 = madd(a2, w, load(s + 16));
      a3 = madd(a3, w, load(s + 24));
    }
    if (vectors > 4) {
      a4 = madd(a4, w, load(s + 32));
      a5 = madd(a5, w, load(s + 40));
      a6 = madd(a6, w, load(s + 48));
      a7 = madd(a7, w, load(s + 56));
    }
  }
  store(out, a0);
  if (vectors > 1) store(out + 8, a1);
  if (vectors > 2) {
    store(out + 16, a2);
    store(out + 24, a3);
  }
  if (vectors > 4) {
    store(out + 32, a4);
    store(out + 40, a5);
    store(out + 48, a6);
    store(out + 56, a7);
  }
}

/// One batch entry of one row (four independent partial sums to hide the FMA latency).
INLINE float gather_scalar(long first, long end, const int32_t *index, const int32_t *position, const float *values,
                           const float *source, long batch, const bool indirect) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  long k = first;
  for (; k + 4 <= end; k += 4) {
    s0 = madd1(s0, values[indirect ? position[k] : k], source[(long)index[k] * batch]);
    s1 = madd1(s1, values[indirect ? position[k + 1] : k + 1], source[(long)index[k + 1] * batch]);
    s2 = madd1(s2, values[indirect ? position[k + 2] : k + 2], source[(long)index[k + 2] * batch]);
    s3 = madd1(s3, values[indirect ? position[k + 3] : k + 3], source[(long)index[k + 3] * batch]);
  }
  for (; k < end; k++) s0 = madd1(s0, values[indirect ? position[k] : k], source[(long)index[k] * batch]);
  return (s0 + s1) + (s2 + s3);
}

/// One row's outputs for `width` batch entries (chunks of 64, 32, 16, 8, then scalars; `resume` only for
/// widths that are a multiple of 8).
INLINE void gather_span(long first, long end, const int32_t *index, const int32_t *position, const float *values,
                        const float *source, float *out, long width, long batch, const bool indirect,
                        const bool resume) {
  long column = 0;
  for (; column + 64 <= width; column += 64)
    gather_chunk(8, first, end, index, position, values, source + column, out + column, batch, indirect, resume);
  if (column + 32 <= width) {
    gather_chunk(4, first, end, index, position, values, source + column, out + column, batch, indirect, resume);
    column += 32;
  }
  if (column + 16 <= width) {
    gather_chunk(2, first, end, index, position, values, source + column, out + column, batch, indirect, resume);
    column += 16;
  }
  if (column + 8 <= width) {
    gather_chunk(1, first, end, index, position, values, source + column, out + column, batch, indirect, resume);
    column += 8;
  }
  for (; column < width; column++)
    out[column] = gather_scalar(first, end, index, position, values, source + column, batch, indirect);
}

/// The largest source row the entries of rows `[first, end)` read (their indices ascend within a row).
INLINE long last_source_row(const int32_t *start, const int32_t *index, long first, long end) {
  long last = -1;
  for (long row = first; row < end; row++)
    if (start[row + 1] > start[row] && index[start[row + 1] - 1] > last) last = index[start[row + 1] - 1];
  return last;
}

/// The end of the entries of a row from `first` whose index is below `limit` (indices ascend within a row).
INLINE long block_end(const int32_t *index, long first, long row_end, long limit) {
  if (first >= row_end || index[row_end - 1] < limit) return row_end;
  long end = first;
  while (index[end] < limit) end++;
  return end;
}

/// Groups of `SOURCE_GROUP_ROWS` rows; a group whose entries read more than four `SOURCE_BLOCK_BYTES` blocks of the
/// source runs over the source in blocks of that size (its rows' entries in the first block, then in the next, ...),
/// so each block stays in cache while every row of the group reads it, instead of each row fetching its entries'
/// source rows from memory. A row's chunk accumulators are stored after one block and reloaded for the next:
/// every output is the same sequence of multiply-adds as in one pass, so the result is bit-identical. The
/// scalar tail columns (batch not a multiple of 8) run in one pass per row.
INLINE void gather_rows(long rows, const int32_t *start, const int32_t *index, const int32_t *position,
                        const float *values, const float *source, float *destination, long batch,
                        const bool indirect, srl_epilogue epilogue) {
  const long vector_width = batch & ~7L;
  const long block_rows = SOURCE_BLOCK_BYTES / ((long)sizeof(float) * batch);
  for (long group = 0; group < rows; group += SOURCE_GROUP_ROWS) {
    long group_end = group + SOURCE_GROUP_ROWS < rows ? group + SOURCE_GROUP_ROWS : rows;
    bool blocked =
        vector_width > 0 && block_rows > 0 && last_source_row(start, index, group, group_end) >= 4 * block_rows;
    if (!blocked) {
      for (long row = group; row < group_end; row++) {
        gather_span(start[row], start[row + 1], index, position, values, source, destination + row * batch, batch,
                    batch, indirect, false);
        finish_result_row(destination, row, batch, epilogue);
      }
      continue;
    }
    int32_t cursor[SOURCE_GROUP_ROWS];
    long remaining = 0;
    for (long row = group; row < group_end; row++) {
      long end = block_end(index, start[row], start[row + 1], block_rows);
      gather_span(start[row], end, index, position, values, source, destination + row * batch, vector_width,
                  batch, indirect, false);
      cursor[row - group] = (int32_t)end;
      remaining += start[row + 1] - end;
    }
    for (long limit = 2 * block_rows; remaining > 0; limit += block_rows) {
      for (long row = group; row < group_end; row++) {
        long first = cursor[row - group];
        long end = block_end(index, first, start[row + 1], limit);
        if (end == first) continue;
        gather_span(first, end, index, position, values, source, destination + row * batch, vector_width, batch,
                    indirect, true);
        cursor[row - group] = (int32_t)end;
        remaining -= end - first;
      }
    }
    for (long row = group; row < group_end; row++) {
      for (long column = vector_width; column < batch; column++)
        destination[row * batch + column] =
            gather_scalar(start[row], start[row + 1], index, position, values, source + column, batch, indirect);
      finish_result_row(destination, row, batch, epilogue);
    }
  }
}

KERNEL void row_gather(long rows, const int32_t *start, const int32_t *index, const int32_t *position,
                       const float *values, const float *source, float *destination, long batch,
                       srl_epilogue epilogue) {
  if (position)
    gather_rows(rows, start, index, position, values, source, destination, batch, true, epilogue);
  else
    gather_rows(rows, start, index, index, values, source, destination, batch, false, epilogue);
}

// Sampled product: `result[k] (+)= left[r, :] . right[index[k], :]` at the CSR entries only (the sparse weight
// gradient `dW_ij = sum_b dY_ib X_jb`), four entries of a row at a time so each loaded `left` vector feeds four
// FMAs; batches below one vector use plain scalar dot products. Large `right` matrices are read in blocks as in
// `gather_rows` (each entry's dot product is independent, so the order changes nothing). O(nnz * batch).

INLINE void write_result(float value, float *pointer, bool accumulate) {
  *pointer = accumulate ? *pointer + value : value;
}

KERNEL void sampled_product(long rows, const int32_t *start, const int32_t *index, const float *left,
                            const float *right, float *result, long batch, bool accumulate) {
  if (batch < 8) {
    for (long row = 0; row < rows; row++) {
      const float *l = left + row * batch;
      for (long k = start[row]; k < start[row + 1]; k++) {
        const float *r = right + (long)index[k] * batch;
        float t = 0;
        for (long b = 0; b < batch; b++) t = madd1(t, l[b], r[b]);
        write_result(t, result + k, accumulate);
      }
    }
    return;
  }
  const long block_rows = SOURCE_BLOCK_BYTES / ((long)sizeof(float) * batch);
  for (long group = 0; group < rows; group += SOURCE_GROUP_ROWS) {
    long group_end = group + SOURCE_GROUP_ROWS < rows ? group + SOURCE_GROUP_ROWS : rows;
    bool blocked = block_rows > 0 && last_source_row(start, index, group, group_end) >= 4 * block_rows;
    int32_t cursor[SOURCE_GROUP_ROWS];
    long remaining = 0;
    for (long row = group; row < group_end; row++) {
      cursor[row - group] = start[row];
      remaining += start[row + 1] - start[row];
    }
    for (long limit = blocked ? block_rows : LONG_MAX; remaining > 0; limit += block_rows) {
      for (long row = group; row < group_end; row++) {
        long k = cursor[row - group];
        long end = block_end(index, k, start[row + 1], limit);
        if (end == k) continue;
        cursor[row - group] = (int32_t)end;
        remaining -= end - k;
        const float *l = left + row * batch;
        for (; k + 4 <= end; k += 4) {
          float t[4];
          dot4(l, right + (long)index[k] * batch, right + (long)index[k + 1] * batch,
               right + (long)index[k + 2] * batch, right + (long)index[k + 3] * batch, batch, t);
          write_result(t[0], result + k, accumulate);
          write_result(t[1], result + k + 1, accumulate);
          write_result(t[2], result + k + 2, accumulate);
          write_result(t[3], result + k + 3, accumulate);
        }
        for (; k < end; k++) write_result(dot1(l, right + (long)index[k] * batch, batch), result + k, accumulate);
      }
      if (!blocked) break;
    }
  }
}

// MARK: - Element-wise updates (optimizer, target networks, batch-1 weight gradient)

// These use plain multiplies and adds (no fused multiply-add; contraction is off), so every variant computes
// exactly what the scalar Swift loops they replace computed: the wider variants only run 8 lanes at once.

/// One Adam/AdamW step over `count` stored entries, in this order per entry:
/// `decayed = p * shrink; g' = g + l2 * p; m = b1 m + (1 - b1) g'; v = b2 v + (1 - b2) g' g';`
/// `p = decayed - step_size * m / (sqrt(v) * inverse_root + epsilon)`.
KERNEL void adam_update(long count, float *values, const float *gradients, float *first, float *second,
                        float beta1, float beta2, float step_size, float inverse_root, float epsilon, float shrink,
                        float l2) {
  const float one_minus_beta1 = 1 - beta1;
  const float one_minus_beta2 = 1 - beta2;
  long i = 0;
  for (; i + 8 <= count; i += 8) {
    v8 p = load(values + i);
    v8 decayed = p * splat(shrink);
    v8 g = load(gradients + i) + splat(l2) * p;
    v8 m = splat(beta1) * load(first + i) + splat(one_minus_beta1) * g;
    v8 v = splat(beta2) * load(second + i) + splat(one_minus_beta2) * g * g;
    store(first + i, m);
    store(second + i, v);
    store(values + i, decayed - splat(step_size) * m / (__builtin_elementwise_sqrt(v) * splat(inverse_root) +
                                                          splat(epsilon)));
  }
  for (; i < count; i++) {
    float p = values[i];
    float decayed = p * shrink;
    float g = gradients[i] + l2 * p;
    float m = beta1 * first[i] + one_minus_beta1 * g;
    float v = beta2 * second[i] + one_minus_beta2 * g * g;
    first[i] = m;
    second[i] = v;
    values[i] = decayed - step_size * m / (__builtin_sqrtf(v) * inverse_root + epsilon);
  }
}

/// `target = target * keep + tau * online` over `count` entries (Polyak averaging).
KERNEL void polyak_update(long count, float *target, const float *online, float keep, float tau) {
  long i = 0;
  for (; i + 8 <= count; i += 8) store(target + i, load(target + i) * splat(keep) + splat(tau) * load(online + i));
  for (; i < count; i++) target[i] = target[i] * keep + tau * online[i];
}

/// `result[r, c] = left[r] * right[c]`, or `result[r, c] += left[r] * right[c]` when `accumulate` (the product
/// rounded first, as the packed product at depth 1 does), for a row-major `[rows x columns]` result.
KERNEL void outer_product(long rows, long columns, const float *left, const float *right, float *result,
                          bool accumulate) {
  for (long r = 0; r < rows; r++) {
    float *row = result + r * columns;
    const v8 scale = splat(left[r]);
    long c = 0;
    if (accumulate) {
      for (; c + 8 <= columns; c += 8) store(row + c, load(row + c) + scale * load(right + c));
      for (; c < columns; c++) row[c] = row[c] + left[r] * right[c];
    } else {
      for (; c + 8 <= columns; c += 8) store(row + c, scale * load(right + c));
      for (; c < columns; c++) row[c] = left[r] * right[c];
    }
  }
}

// MARK: - Thin dense products (output layers of a few rows)

// `Y = W X`, `dX = W^T dY` and `dW (+)= dY X^T` for a weight of at most `SRL_THIN_ROWS` rows (a critic's 256 -> 1,
// an actor's 256 -> 6). The packed GEMM would copy all of `X` (or `W`) into panels for a reduction or output of a
// handful of rows (and, for `dY X^T`, transpose it one scalar at a time); these read their operands in place.

/// Rows `r0` and `r1` (equal for a single row) of `Y = W X` for `vectors` (1 or 4) chunks of 8 batch entries:
/// every output is one chain of multiply-adds over the depth, in ascending order. Row `r`'s weights are
/// `w_r[i * stride]`: 1 for `W` itself, the row length for `W^T` read out of `W` in place.
INLINE void thin_forward_chunk(const int vectors, const float *w0, const float *w1, long stride, long depth,
                               const float *x, long batch, float *y0, float *y1) {
  v8 a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
  for (long i = 0; i < depth; i++) {
    const float *row = x + i * batch;
    v8 s = splat(w0[i * stride]), t = splat(w1[i * stride]);
    v8 x0 = load(row);
    a0 = madd(a0, s, x0);
    b0 = madd(b0, t, x0);
    if (vectors > 1) {
      v8 x1 = load(row + 8), x2 = load(row + 16), x3 = load(row + 24);
      a1 = madd(a1, s, x1);
      b1 = madd(b1, t, x1);
      a2 = madd(a2, s, x2);
      b2 = madd(b2, t, x2);
      a3 = madd(a3, s, x3);
      b3 = madd(b3, t, x3);
    }
  }
  store(y0, a0);
  store(y1, b0);
  if (vectors > 1) {
    store(y0 + 8, a1);
    store(y0 + 16, a2);
    store(y0 + 24, a3);
    store(y1 + 8, b1);
    store(y1 + 16, b2);
    store(y1 + 24, b3);
  }
}

/// Rows in pairs of `Y = A X` for `A` `[rows x depth]` stored with row stride `row_stride` and column stride
/// `stride`, `X` `[depth x batch]`: each pair's outputs in chunks of 32 then 8 batch entries held in registers while
/// streaming down `X` (each loaded vector of `X` feeds two multiply-adds), then a scalar tail; the epilogue
/// finishes the pair's rows while they are in L1. O(rows * depth * batch).
INLINE void thin_rows(long rows, long depth, const float *a, long row_stride, long stride, const float *x, float *y,
                      long batch, srl_epilogue epilogue) {
  for (long r = 0; r < rows; r += 2) {
    const float *w0 = a + r * row_stride;
    const float *w1 = r + 1 < rows ? w0 + row_stride : w0;
    float *y0 = y + r * batch;
    float *y1 = r + 1 < rows ? y0 + batch : y0;
    long column = 0;
    for (; column + 32 <= batch; column += 32)
      thin_forward_chunk(4, w0, w1, stride, depth, x + column, batch, y0 + column, y1 + column);
    for (; column + 8 <= batch; column += 8)
      thin_forward_chunk(1, w0, w1, stride, depth, x + column, batch, y0 + column, y1 + column);
    for (; column < batch; column++) {
      float s = 0, t = 0;
      for (long i = 0; i < depth; i++) {
        s = madd1(s, w0[i * stride], x[i * batch + column]);
        t = madd1(t, w1[i * stride], x[i * batch + column]);
      }
      y0[column] = s;
      y1[column] = t;
    }
    finish_result_row(y, r, batch, epilogue);
    if (r + 1 < rows) finish_result_row(y, r + 1, batch, epilogue);
  }
}

/// `Y = W X`, `W` `[rows x depth]`, `X` `[depth x batch]`, `Y` `[rows x batch]`, then the epilogue: `thin_rows`
/// over `W`'s rows. O(rows * depth * batch).
KERNEL void thin_forward(long rows, long depth, const float *w, const float *x, float *y, long batch,
                         srl_epilogue epilogue) {
  thin_rows(rows, depth, w, depth, 1, x, y, batch, epilogue);
}

/// `dX = W^T dY`, `W` `[rows x columns]` (few rows), `dY` `[rows x batch]`, `dX` `[columns x batch]`, then the
/// epilogue (the gate of the ReLU before the layer): `thin_rows` over `W`'s columns read in place (stride
/// `columns`), so each output row is one chain over the few rows of `W`. O(rows * columns * batch).
KERNEL void thin_input_gradient(long rows, long columns, const float *w, const float *dy, float *dx, long batch,
                                srl_epilogue epilogue) {
  thin_rows(columns, rows, w, 1, columns, dy, dx, batch, epilogue);
}

/// `dW[r, j] (+)= dY[r, :] . X[j, :]` for `dW` `[rows x columns]`, `dY` `[rows x batch]`, `X` `[columns x batch]`:
/// the dot products of `dot4` (four rows of `X` per loaded `dY` vector). O(rows * columns * batch).
KERNEL void thin_weight_gradient(long rows, long columns, const float *dy, const float *x, float *dw, long batch,
                                 bool accumulate) {
  for (long r = 0; r < rows; r++) {
    const float *l = dy + r * batch;
    float *out = dw + r * columns;
    long j = 0;
    for (; j + 4 <= columns; j += 4) {
      float t[4];
      const float *x0 = x + j * batch;
      dot4(l, x0, x0 + batch, x0 + 2 * batch, x0 + 3 * batch, batch, t);
      write_result(t[0], out + j, accumulate);
      write_result(t[1], out + j + 1, accumulate);
      write_result(t[2], out + j + 2, accumulate);
      write_result(t[3], out + j + 3, accumulate);
    }
    for (; j < columns; j++) write_result(dot1(l, x + j * batch, batch), out + j, accumulate);
  }
}

// MARK: - Element-wise layer loops (activations, biases)

// ReLU and the epilogue as separate passes (the helpers in "Epilogue"), for the layers that do not fuse them.

/// `y = max(x, 0)` with Swift's `max(x, 0)` semantics: 0 where `x <= 0` (so -0 and +0 give +0), `x` otherwise
/// (so NaN stays NaN). O(count).
KERNEL void relu_forward(long count, const float *x, float *y) {
  long i = 0;
  for (; i + 8 <= count; i += 8) store(y + i, relu8(load(x + i)));
  for (; i < count; i++) y[i] = relu1(x[i]);
}

/// `dx = dy * (y > 0 ? 1 : 0)` (the product is taken, so an infinite or NaN `dy` where `y <= 0` gives NaN, as the
/// scalar loop). O(count).
KERNEL void relu_backward(long count, const float *y, const float *dy, float *dx) {
  long i = 0;
  for (; i + 8 <= count; i += 8) store(dx + i, load(dy + i) * relu_derivative8(load(y + i)));
  for (; i < count; i++) dx[i] = dy[i] * relu_derivative1(y[i]);
}

/// The epilogue on every row of a row-major `[rows x columns]` matrix, in place. O(rows * columns).
KERNEL void apply_epilogue(long rows, long columns, srl_epilogue epilogue, float *values) {
  for (long r = 0; r < rows; r++) finish_result_row(values, r, columns, epilogue);
}

/// `sums[r] += sum_c values[r, c]` (a bias gradient): per row, two 8-lane partial sums over blocks of 16, one more
/// block of 8 into the first, the lanes summed by `hsum`, then the scalar tail in order. O(rows * columns).
KERNEL void add_row_sums(long rows, long columns, const float *values, float *sums) {
  for (long r = 0; r < rows; r++) {
    const float *row = values + r * columns;
    v8 s0 = 0, s1 = 0;
    long c = 0;
    for (; c + 16 <= columns; c += 16) {
      s0 += load(row + c);
      s1 += load(row + c + 8);
    }
    if (c + 8 <= columns) {
      s0 += load(row + c);
      c += 8;
    }
    float total = hsum(s0 + s1);
    for (; c < columns; c++) total += row[c];
    sums[r] += total;
  }
}

const srl_kernel_table SRL_TABLE = {
    .gemm = gemm,
    .matrix_vector = matrix_vector,
    .matrix_vector_transposed = matrix_vector_transposed,
    .row_gather = row_gather,
    .sampled_product = sampled_product,
    .adam_update = adam_update,
    .polyak_update = polyak_update,
    .outer_product = outer_product,
    .thin_forward = thin_forward,
    .thin_input_gradient = thin_input_gradient,
    .thin_weight_gradient = thin_weight_gradient,
    .relu_forward = relu_forward,
    .relu_backward = relu_backward,
    .apply_epilogue = apply_epilogue,
    .add_row_sums = add_row_sums,
};
