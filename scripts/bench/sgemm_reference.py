#!/usr/bin/env python3
"""OpenBLAS single-thread sgemm timings for the dense products of a linear layer, through numpy.

Used by `sparserl bench kernels` for its OpenBLAS column. For each (size, batch) it times, on float32,
feature-major data like the Swift kernels (W [size x size], X and dY [size x batch]):
  forward   Y  = W @ X
  backward  dX = W.T @ dY  and  dW = dY @ X.T   (transposes are views: BLAS gets transpose flags, no copies)
writing into preallocated outputs (`out=`), and prints one JSON object with the median seconds per call.

Usage: sgemm_reference.py --sizes 256,1024 --batches 1,32,256 [--repeats 11] [--min-sample-seconds 0.002]
       [--thread-cpu-time]
The thread count is pinned to one before numpy is imported (OPENBLAS_NUM_THREADS=1 and friends).
"""
import argparse
import json
import os
import statistics
import sys
import time

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"

import numpy as np  # noqa: E402  (must follow the thread pinning above)


def median_seconds(call, repeats, min_sample_seconds, clock):
    """Median time of one call: calls are grouped so that each timed sample lasts at least min_sample_seconds."""
    call()
    start = clock()
    call()
    single = max(clock() - start, 1e-9)
    per_sample = max(1, int(min_sample_seconds / single))
    samples = []
    for _ in range(repeats):
        start = clock()
        for _ in range(per_sample):
            call()
        samples.append((clock() - start) / per_sample)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="256,1024")
    parser.add_argument("--batches", default="1,32,256")
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--min-sample-seconds", type=float, default=0.002)
    parser.add_argument("--thread-cpu-time", action="store_true",
                        help="time the thread's CPU time instead of wall-clock time")
    args = parser.parse_args()
    clock = time.thread_time if args.thread_cpu_time else time.perf_counter
    sizes = [int(s) for s in args.sizes.split(",") if s]
    batches = [int(b) for b in args.batches.split(",") if b]
    rng = np.random.default_rng(0)
    results = []
    for size in sizes:
        w = rng.uniform(-1, 1, (size, size)).astype(np.float32)
        dw = np.empty_like(w)
        for batch in batches:
            x = rng.uniform(-1, 1, (size, batch)).astype(np.float32)
            dy = rng.uniform(-1, 1, (size, batch)).astype(np.float32)
            y = np.empty_like(x)
            dx = np.empty_like(x)

            def forward():
                np.matmul(w, x, out=y)

            def backward():
                np.matmul(w.T, dy, out=dx)
                np.matmul(dy, x.T, out=dw)

            results.append({
                "size": size,
                "batch": batch,
                "forward": median_seconds(forward, args.repeats, args.min_sample_seconds, clock),
                "backward": median_seconds(backward, args.repeats, args.min_sample_seconds, clock),
            })
    config = np.show_config(mode="dicts") if hasattr(np, "show_config") else {}
    blas = config.get("Build Dependencies", {}).get("blas", {}) if isinstance(config, dict) else {}
    json.dump({"numpy": np.__version__, "blas": f"{blas.get('name', '?')} {blas.get('version', '')}".strip(),
               "results": results}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
