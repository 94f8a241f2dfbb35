// The fork-join pool behind the kernels' batch split (ThreadPool.c). Internal to CSparseRLKernels.
#ifndef CSPARSERL_THREAD_POOL_H
#define CSPARSERL_THREAD_POOL_H

#include "CSparseRLKernels.h"

/// One chunk of a job: `chunk` in `0..<chunks`, with a packing workspace of `SRL_GEMM_WORKSPACE_FLOATS` floats
/// that belongs to the thread running it.
typedef void (*srl_parallel_task)(void *context, long chunk, long chunks, float *workspace);

/// Runs `task` for every chunk in `0..<chunks` and returns when all are done. The calling thread (with
/// `caller_workspace`) and the workers claim chunks from a shared counter, so which thread runs a chunk varies,
/// and a task must compute the same result whichever thread runs it. A call made while another thread's job
/// runs executes all its chunks on its own thread.
void srl_parallel_run(srl_parallel_task task, void *context, long chunks, float *caller_workspace);

#endif
