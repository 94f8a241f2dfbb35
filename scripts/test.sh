#!/usr/bin/env bash
# The whole test suite: installs the reference implementations, builds optimised code, runs the portable-kernel
# pass and the Slurm launcher test, then every test (last, so its summary line closes the output).
# With arguments (e.g. --filter X) only the main `swift test` run happens, with those arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
# Runs one step and prints its wall time (CI must stay well under 45 minutes).
step() {
  local start=$SECONDS
  "$@"
  echo "test.sh: $* took $((SECONDS - start)) s"
}
step scripts/setup-python.sh
step scripts/setup-mujoco.sh
step scripts/setup-figures.sh
step scripts/setup-ale.sh
export SPARSERL_REQUIRE_REFERENCES=1
if [ $# -eq 0 ]; then
  step scripts/test-example.sh 200 debug  # the example package, built as an outside package (its own build folder)
  step swift build -c release -Xswiftc -enable-testing --build-tests
  # The kernel tests and the gradient checks once more on the portable kernels (as on a CPU without AVX2 + FMA):
  # the same build, filtered, about a minute.
  SPARSERL_KERNELS=portable step swift test -c release -Xswiftc -enable-testing --skip-build \
    --filter 'SparseRLNumericsTests\.Kernel|SparseRLNetworksTests\.GradientTests'
  # The Slurm launcher on a real single-node cluster (scripts/test-slurm.sh).
  step scripts/test-slurm.sh .build/release/sparserl
  # The same build options everywhere: a build planned with other options recompiles every module.
  step scripts/install.sh "$(mktemp -d)" -Xswiftc -enable-testing --build-tests  # a fresh prefix, checked
  step scripts/docs.sh -Xswiftc -enable-testing --build-tests  # API documentation: no DocC warning, no undocumented symbol
fi
exec swift test -c release -Xswiftc -enable-testing "$@"
