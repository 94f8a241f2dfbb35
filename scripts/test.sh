#!/usr/bin/env bash
# The whole test suite: installs the reference implementations, then builds optimised code and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-python.sh
scripts/setup-mujoco.sh
scripts/setup-figures.sh
export SPARSERL_REQUIRE_REFERENCES=1
swift test -c release -Xswiftc -enable-testing "$@"
# The Slurm launcher on a real single-node cluster (scripts/test-slurm.sh); only for the whole suite.
if [ $# -eq 0 ]; then scripts/test-slurm.sh .build/release/sparserl; fi
