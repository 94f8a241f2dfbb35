#!/usr/bin/env bash
# The whole test suite: installs the reference implementations, then builds optimised code and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-python.sh
scripts/setup-mujoco.sh
scripts/setup-ale.sh
export SPARSERL_REQUIRE_REFERENCES=1
exec swift test -c release -Xswiftc -enable-testing "$@"
