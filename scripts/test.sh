#!/usr/bin/env bash
# The whole test suite: installs the reference implementations, then builds optimised code and runs every test
# (the kernel tests twice: with the kernel variant the CPU selects, then with the portable one).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-python.sh
scripts/setup-mujoco.sh
export SPARSERL_REQUIRE_REFERENCES=1
swift test -c release -Xswiftc -enable-testing "$@"
# The kernel tests and the gradient checks once more on the portable kernels (as on a CPU without AVX2 + FMA):
# the same build, filtered, about a minute.
SPARSERL_KERNELS=portable swift test -c release -Xswiftc -enable-testing --skip-build \
  --filter 'SparseRLNumericsTests\.Kernel|SparseRLNetworksTests\.GradientTests'
