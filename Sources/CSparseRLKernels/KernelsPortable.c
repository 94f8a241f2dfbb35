// The portable variant: the target's baseline instructions (SSE2 on x86-64, so 8-float vectors are split into
// two 4-float halves). Multiply-adds are fused only where the baseline has FMA (arm64); on x86-64 a fused
// multiply-add without the FMA instruction would be a library call per lane.
#include "KernelVariants.h"

#define SRL_TARGET
#if defined(__aarch64__) || defined(__FMA__)
#define SRL_FUSED 1
#else
#define SRL_FUSED 0
#endif
#define SRL_TABLE srl_portable_kernels
// 8-float vectors cross only always-inlined helpers, so the non-AVX calling convention clang warns about is
// never used.
#pragma clang diagnostic ignored "-Wpsabi"
#include "KernelBodies.h"
