// Counts heap allocations, for `sparserl bench agents --profile` and the agents' `AllocationTests` ("no heap
// allocation per training step in steady state"). Linked only into the `sparserl` executable and the test
// product: on Linux with glibc it defines `malloc`, `calloc`, `realloc`, `posix_memalign`, `aligned_alloc` and
// `memalign`, each counting the call (one relaxed atomic increment for the process, one increment of a
// thread-local counter) and forwarding to glibc's own implementation (`__libc_malloc`, ...). `free` is not
// interposed. Elsewhere nothing is interposed and the counts are unavailable.
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

/// Allocation calls made by the calling thread since it started (other threads' allocations, such as tests
/// running in parallel, are not included); 0 when counting is unavailable.
long srl_thread_allocation_count(void);

#ifdef __cplusplus
}
#endif

#endif
