// The entry points every kernel variant defines (KernelBodies.h instantiated once per variant) and the table
// that KernelDispatch.c selects from.
#ifndef CSPARSERL_KERNEL_VARIANTS_H
#define CSPARSERL_KERNEL_VARIANTS_H

#include "CSparseRLKernels.h"

typedef struct srl_kernel_table {
  void (*gemm)(long, long, long, const float *, long, long, const float *, long, long, float *, long, bool,
               float *);
  void (*matrix_vector)(const float *, const float *, float *, long, long);
  void (*matrix_vector_transposed)(const float *, const float *, float *, long, long);
  void (*row_gather)(long, const int32_t *, const int32_t *, const int32_t *, const float *, const float *,
                     float *, long, srl_epilogue);
  void (*sampled_product)(long, const int32_t *, const int32_t *, const float *, const float *, float *, long,
                          bool);
  void (*adam_update)(long, float *, const float *, float *, float *, float, float, float, float, float, float,
                      float);
  void (*polyak_update)(long, float *, const float *, float, float);
  void (*outer_product)(long, long, const float *, const float *, float *, bool);
  void (*thin_forward)(long, long, const float *, const float *, float *, long, srl_epilogue);
  void (*thin_input_gradient)(long, long, const float *, const float *, float *, long, srl_epilogue);
  void (*thin_weight_gradient)(long, long, const float *, const float *, float *, long, bool);
  void (*relu_forward)(long, const float *, float *);
  void (*relu_backward)(long, const float *, const float *, float *);
  void (*apply_epilogue)(long, long, srl_epilogue, float *);
  void (*add_row_sums)(long, long, const float *, float *);
} srl_kernel_table;

extern const srl_kernel_table srl_portable_kernels;
#if defined(__x86_64__)
extern const srl_kernel_table srl_avx2_fma_kernels;
extern const srl_kernel_table srl_avx512_kernels;
#endif

#endif
