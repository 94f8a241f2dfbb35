// The kernels' worker threads (see "Threads" in CSparseRLKernels.h).
//
// One fork-join job at a time: the calling thread publishes the job and bumps `generation`; each worker spins
// on `generation` for about 1.5 ms (SPINS_BEFORE_SLEEP pauses: 60,000 x ~26 ns on the Zen 4 machine of
// docs/benchmarks.md), then sleeps on a condition variable. The spin outlasts the serial stretches inside one
// update (SAC's actor forward and backward and its tanh-Gaussian, 0.2-0.5 ms between the twin critics' side-by-side
// phases), so those phases do not wait for a thread to wake; a pool idle for longer sleeps. The caller runs
// chunks itself and waits (spinning, then yielding) until every chunk is finished. Workers are started by the
// first `srl_set_thread_count` that needs them and live until the process exits; a smaller count leaves the extra
// workers idle (asleep).
#define _GNU_SOURCE  // sched_getaffinity and CPU_COUNT
#include "ThreadPool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum { MAX_WORKERS = SRL_MAX_THREADS - 1, SPINS_BEFORE_SLEEP = 60000, SPINS_BEFORE_YIELD = 1000 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static atomic_long generation;
static atomic_long sleepers;
static atomic_long thread_count = 1;
static atomic_long ready_workers;
static long started_workers;
static float *workspaces[MAX_WORKERS];

// The job in progress: its task and context (written by the caller before it publishes the job; atomics only so
// that a late reader of the previous job reads a value rather than racing), the claim word and the number of
// finished chunks. The claim word holds the job's sequence number (bits 40-63), its chunk count (bits 20-39) and
// its next unclaimed chunk (bits 0-19), so a claim validates all three at once.
static atomic_flag busy = ATOMIC_FLAG_INIT;
static _Atomic(srl_parallel_task) job_task;
static _Atomic(void *) job_context;
static atomic_ulong claim;
static atomic_long finished_chunks;

enum { CLAIM_FIELD_BITS = 20 };
#define CLAIM_FIELD_MASK ((1UL << CLAIM_FIELD_BITS) - 1)
static inline long claim_next(unsigned long word) { return (long)(word & CLAIM_FIELD_MASK); }
static inline long claim_chunks(unsigned long word) { return (long)((word >> CLAIM_FIELD_BITS) & CLAIM_FIELD_MASK); }

static inline void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/// Claims and runs chunks of the current job until none is left. A claim is a compare-and-swap of the whole
/// claim word, so it succeeds only while the chunk it read is still unclaimed in the job it read: that job cannot
/// have finished (its chunk is not done), so the task and context read before the swap are that job's. A worker
/// that arrives late therefore runs chunks of whichever job is current, never a chunk of one job with another's
/// task, and the caller waits for every chunk it claims like any other.
static void run_chunks(float *workspace) {
  unsigned long word = atomic_load_explicit(&claim, memory_order_acquire);
  for (;;) {
    long chunk = claim_next(word), chunks = claim_chunks(word);
    if (chunk >= chunks) return;
    srl_parallel_task task = atomic_load_explicit(&job_task, memory_order_relaxed);
    void *context = atomic_load_explicit(&job_context, memory_order_relaxed);
    if (!atomic_compare_exchange_weak_explicit(&claim, &word, word + 1, memory_order_acq_rel,
                                               memory_order_acquire))
      continue;  // `word` now holds the current claim word
    task(context, chunk, chunks, workspace);
    atomic_fetch_add_explicit(&finished_chunks, 1, memory_order_release);
    word = atomic_load_explicit(&claim, memory_order_acquire);
  }
}

static void *worker_main(void *argument) {
  long part = (long)(intptr_t)argument;
  long seen = atomic_load(&generation);
  atomic_fetch_add(&ready_workers, 1);
  for (;;) {
    long current;
    int spins = 0;
    while ((current = atomic_load_explicit(&generation, memory_order_acquire)) == seen) {
      if (++spins < SPINS_BEFORE_SLEEP) {
        relax();
        continue;
      }
      pthread_mutex_lock(&lock);
      atomic_fetch_add(&sleepers, 1);
      while (atomic_load(&generation) == seen) pthread_cond_wait(&wake, &lock);
      atomic_fetch_sub(&sleepers, 1);
      pthread_mutex_unlock(&lock);
      spins = 0;
    }
    seen = current;
    if (part < atomic_load_explicit(&thread_count, memory_order_relaxed)) run_chunks(workspaces[part - 1]);
  }
  return NULL;
}

long srl_set_thread_count(long count) {
  if (count < 1) count = 1;
  if (count > SRL_MAX_THREADS) count = SRL_MAX_THREADS;
  pthread_mutex_lock(&lock);
  while (started_workers < count - 1) {
    long part = started_workers + 1;
    workspaces[part - 1] = aligned_alloc(64, SRL_GEMM_WORKSPACE_FLOATS * sizeof(float));
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    if (workspaces[part - 1] == NULL || pthread_create(&thread, &attributes, worker_main, (void *)(intptr_t)part)) {
      pthread_attr_destroy(&attributes);
      fprintf(stderr, "SparseRL: could not start kernel thread %ld\n", part);
      break;
    }
    pthread_attr_destroy(&attributes);
    started_workers++;
  }
  while (atomic_load(&ready_workers) < started_workers) sched_yield();
  if (count > started_workers + 1) count = started_workers + 1;
  atomic_store(&thread_count, count);
  pthread_mutex_unlock(&lock);
  return count;
}

long srl_thread_count(void) { return atomic_load_explicit(&thread_count, memory_order_relaxed); }

void srl_parallel_run(srl_parallel_task task, void *context, long chunks, float *caller_workspace) {
  // One thread, one chunk, or another thread's job running (tests calling kernels concurrently): run the chunks
  // here, in order. Every chunk computes its outputs exactly as the serial kernel does, so the result is the same.
  if (srl_thread_count() <= 1 || chunks <= 1 || atomic_flag_test_and_set_explicit(&busy, memory_order_acquire)) {
    for (long chunk = 0; chunk < chunks; chunk++) task(context, chunk, chunks, caller_workspace);
    return;
  }
  if (chunks > (long)CLAIM_FIELD_MASK) {
    fprintf(stderr, "SparseRL: %ld chunks exceed the thread pool's limit of %lu\n", chunks, CLAIM_FIELD_MASK);
    abort();
  }
  atomic_store_explicit(&job_task, task, memory_order_relaxed);
  atomic_store_explicit(&job_context, context, memory_order_relaxed);
  atomic_store_explicit(&finished_chunks, 0, memory_order_relaxed);
  // A new sequence number, the chunk count and chunk 0: publishes the fields above (release) and ends every
  // claim of the previous job.
  unsigned long sequence = (atomic_load_explicit(&claim, memory_order_relaxed) >> (2 * CLAIM_FIELD_BITS)) + 1;
  atomic_store_explicit(&claim, (sequence << (2 * CLAIM_FIELD_BITS)) | ((unsigned long)chunks << CLAIM_FIELD_BITS),
                        memory_order_release);
  atomic_fetch_add(&generation, 1);  // sequentially consistent: publishes the job before `sleepers` is read
  if (atomic_load(&sleepers) > 0) {
    pthread_mutex_lock(&lock);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);
  }
  // The caller works too, so a worker that is asleep or descheduled only means fewer chunks run elsewhere.
  run_chunks(caller_workspace);
  int spins = 0;
  while (atomic_load_explicit(&finished_chunks, memory_order_acquire) < chunks) {
    if (++spins < SPINS_BEFORE_YIELD) {
      relax();
    } else {
      sched_yield();
    }
  }
  atomic_flag_clear_explicit(&busy, memory_order_release);
}

typedef struct task_job {
  srl_task task;
  void *context;
} task_job;

static void task_part(void *context, long part, long parts, float *workspace) {
  (void)parts;
  (void)workspace;
  const task_job *job = context;
  job->task(job->context, part);
}

void srl_run_tasks(srl_task task, void *context, long count) {
  task_job job = {task, context};
  srl_parallel_run(task_part, &job, count, NULL);
}

long srl_available_cores(void) {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    long count = CPU_COUNT(&set);
    if (count > 0) return count;
  }
#endif
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? online : 1;
}
