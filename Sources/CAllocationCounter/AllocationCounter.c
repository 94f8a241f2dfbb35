// See include/CAllocationCounter.h. The definitions below take precedence over glibc's for every caller in
// the process (the Swift runtime and Foundation included), because symbols of the executable come first in
// the dynamic linker's search order (the `sparserl` executable and the test product link this target).
#include "CAllocationCounter.h"

#include <stdlib.h>  // defines __GLIBC__ on glibc

#if defined(__linux__) && defined(__GLIBC__)
#include <errno.h>
#include <stdatomic.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static atomic_long allocations;
// Initial-exec TLS of the executable: reached at a fixed offset from the thread pointer, so counting never
// calls into the dynamic linker (which could allocate, and recurse).
static _Thread_local long thread_allocations __attribute__((tls_model("initial-exec")));

static inline void count_one(void) {
  atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
  thread_allocations += 1;
}

void *malloc(size_t size) {
  count_one();
  return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
  count_one();
  return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
  count_one();
  return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
  count_one();
  return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
  count_one();
  return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
  // POSIX: the alignment must be a power of two and a multiple of sizeof(void *).
  if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
  count_one();
  void *pointer = __libc_memalign(alignment, size);
  if (pointer == NULL && size != 0) return ENOMEM;
  *result = pointer;
  return 0;
}

bool srl_allocation_counting_available(void) { return true; }

long srl_allocation_count(void) { return atomic_load_explicit(&allocations, memory_order_relaxed); }

long srl_thread_allocation_count(void) { return thread_allocations; }

#else

bool srl_allocation_counting_available(void) { return false; }

long srl_allocation_count(void) { return 0; }

long srl_thread_allocation_count(void) { return 0; }

#endif
