// The AVX-512 variant of the AVX2 + FMA kernels: the same bodies with AVX-512F enabled on each function and the
// row gather's chunks of 16-64 batch entries in 16-float vectors (SRL_WIDE). Every kernel gives the bits of the
// AVX2 + FMA variant (the gather's lanes are independent chains; nothing else changes its operations), so it is
// not a numerical variant of its own: KernelDispatch.c uses it under the AVX2 + FMA variant when the CPU has
// AVX-512F, unless SPARSERL_AVX512=0.
#include "KernelVariants.h"

#if defined(__x86_64__)
#define SRL_TARGET __attribute__((target("avx512f,avx2,fma")))
#define SRL_FUSED 1
#define SRL_WIDE 1
#define SRL_TABLE srl_avx512_kernels
#include "KernelBodies.h"
#endif
