#!/usr/bin/env bash
# Times the sparse kernels of revision REV (default main) against the working tree's, side by side in one process
# (scripts/bench/sparse_kernels_ab.c), for each layer given as ROWS:COLUMNS:DENSITY:BATCH (default: the SimBa
# critic blocks' 8192 x 2048 and 2048 x 8192 layers at density 0.1, the 1024 x 1024 layer of the kernel table, and
# two odd shapes). Needs clang and git; x86-64 with AVX2 + FMA (the variant compiled).
#   scripts/bench/sparse-kernels-ab.sh [REV] [ROWS:COLUMNS:DENSITY:BATCH ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
rev=${1:-main}
shift || true
shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || shapes=(8192:2048:0.1:256 2048:8192:0.1:256 1024:1024:0.1:256 300:5000:0.02:37 2048:8192:0.1:250)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/before" "$work/after"
for side in before after; do
  for file in KernelBodies.h KernelVariants.h include/CSparseRLKernels.h; do
    if [ $side = before ]; then
      git show "$rev:Sources/CSparseRLKernels/$file" > "$work/$side/$(basename $file)"
    else
      cp "Sources/CSparseRLKernels/$file" "$work/$side/$(basename $file)"
    fi
  done
  printf '#include "KernelVariants.h"\n#define SRL_TARGET __attribute__((target("avx2,fma")))\n#define SRL_FUSED 1\n#include "KernelBodies.h"\n' \
    > "$work/$side/variant.c"
  clang -O2 -w -I "$work/$side" -DSRL_TABLE=${side}_kernels -c "$work/$side/variant.c" -o "$work/$side.o"
done
clang -O2 -I "$work/after" scripts/bench/sparse_kernels_ab.c "$work/before.o" "$work/after.o" -o "$work/ab" -lm
echo "| kernel | $rev | working tree | after / before |"
echo "|---|---|---|---|"
for shape in "${shapes[@]}"; do
  IFS=: read -r rows columns density batch <<< "$shape"
  "$work/ab" "$rows" "$columns" "$density" "$batch" 3
done
