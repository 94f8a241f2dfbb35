// The AVX2 + FMA variant: the kernel bodies compiled with `target("avx2,fma")` on each function, so the rest of
// the package stays buildable for, and runnable on, the baseline x86-64 target (no -target-cpu flag).
#include "KernelVariants.h"

#if defined(__x86_64__)
#define SRL_TARGET __attribute__((target("avx2,fma")))
#define SRL_FUSED 1
#define SRL_TABLE srl_avx2_fma_kernels
#include "KernelBodies.h"
#endif
