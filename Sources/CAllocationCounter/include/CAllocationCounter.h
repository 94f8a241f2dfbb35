// Counts heap allocations of the whole process, for `sparserl bench agents` ("no heap allocation per training
// step in steady state"). Linked only into the `sparserl` executable: on Linux with glibc it defines `malloc`,
// `calloc`, `realloc`, `posix_memalign`, `aligned_alloc` and `memalign`, each counting the call (one relaxed
// atomic increment) and forwarding to glibc's own implementation (`__libc_malloc`, ...). `free` is not
// interposed. Elsewhere nothing is interposed and the count is unavailable.
#ifndef CALLOCATION_COUNTER_H
#define CALLOCATION_COUNTER_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Whether allocations are counted in this process (Linux with glibc).
bool srl_allocation_counting_available(void);

/// Allocation calls (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) since the process
/// started, from every thread; 0 when counting is unavailable.
long srl_allocation_count(void);

#ifdef __cplusplus
}
#endif

#endif
