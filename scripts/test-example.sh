#!/usr/bin/env bash
# Builds Examples/TrainSparseSAC, a package that depends on SparseRL by path as an outside package would, and runs
# it briefly: it trains a 90%-sparse SAC agent, loads the saved policy and checks it plays as the trained one did.
# Usage: scripts/test-example.sh [STEPS] [CONFIGURATION]   (default 1500 steps: 750 random warm-up steps, 750
# updates; release). scripts/test.sh builds it in debug with 200 steps: a debug build of the whole package costs a
# third of a release one, and the check is that an outside package builds and runs, not its speed.
set -euo pipefail
cd "$(dirname "$0")/../Examples/TrainSparseSAC"
configuration=${2:-release}
swift build -c "$configuration"
"$(swift build -c "$configuration" --show-bin-path)/TrainSparseSAC" "${1:-1500}"
