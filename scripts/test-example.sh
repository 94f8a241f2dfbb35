#!/usr/bin/env bash
# Builds Examples/TrainSparseSAC, a package that depends on SparseRL by path as an outside package would, and runs
# it briefly: it trains a 90%-sparse SAC agent, loads the saved policy and checks it plays as the trained one did.
# Usage: scripts/test-example.sh [STEPS]   (default 1500: 750 random warm-up steps, 750 updates)
set -euo pipefail
cd "$(dirname "$0")/../Examples/TrainSparseSAC"
swift build -c release
"$(swift build -c release --show-bin-path)/TrainSparseSAC" "${1:-1500}"
