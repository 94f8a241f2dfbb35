#!/usr/bin/env bash
# The whole test suite: installs the reference implementations, then builds optimised code and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-python.sh
scripts/setup-mujoco.sh
export SPARSERL_REQUIRE_REFERENCES=1
swift test -c release -Xswiftc -enable-testing "$@"
if [ $# -eq 0 ]; then
  scripts/install.sh "$(mktemp -d)" -Xswiftc -enable-testing  # installs into a fresh prefix (no rebuild) and checks it
  scripts/test-example.sh                                     # the example package, built as an outside package
  scripts/docs.sh -Xswiftc -enable-testing                    # API documentation: no DocC warning, no undocumented symbol
fi
