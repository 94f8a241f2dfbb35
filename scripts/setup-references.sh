#!/usr/bin/env bash
# Creates the OPTIONAL virtual environment .venv-references (git-ignored) with the PyTorch and JAX agents that
# `sparserl bench agents --references` runs beside ours (scripts/bench_references.py): Stable-Baselines3 with torch,
# SBX (JAX on the CPU) and gymnasium[mujoco]. No test and no CI step needs it.
#
# Pins: scripts/requirements-bench-references.txt (SB3, SBX) and the gymnasium/mujoco lines of
# scripts/requirements-reference.txt. torch: CPU-only wheels from the index in $SPARSERL_TORCH_INDEX_URL when it
# is set and reachable (PyTorch's CPU wheel index), otherwise PyPI's default torch (which also installs the CUDA
# runtime wheels, a few GB, unused on a CPU machine). Idempotent: a complete .venv-references is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-references
requirements=scripts/requirements-bench-references.txt
stamp="$venv/.sparserl-requirements"
mapfile -t pins < <(grep -E '^(gymnasium|mujoco)\b' scripts/requirements-reference.txt)
fingerprint="$(cat "$requirements") ${pins[*]} ${SPARSERL_TORCH_INDEX_URL:-}"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ]; then
  echo "setup-references: $venv is up to date"
  exit 0
fi
python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check)
"${pip[@]}" install --quiet --upgrade pip
if ! "$venv/bin/python" -c 'import torch' 2>/dev/null; then
  if [ -n "${SPARSERL_TORCH_INDEX_URL:-}" ] \
    && "${pip[@]}" install --quiet --timeout 30 --index-url "$SPARSERL_TORCH_INDEX_URL" torch; then
    echo "setup-references: CPU-only torch from $SPARSERL_TORCH_INDEX_URL"
  else
    [ -n "${SPARSERL_TORCH_INDEX_URL:-}" ] && echo "setup-references: $SPARSERL_TORCH_INDEX_URL unreachable; torch from PyPI"
    "${pip[@]}" install --quiet torch
  fi
fi
"${pip[@]}" install --quiet -r "$requirements" "${pins[@]}"
"$venv/bin/python" - <<'PY'
import importlib.metadata as m
print("setup-references:", ", ".join(f"{p} {m.version(p)}" for p in
      ["torch", "stable-baselines3", "sbx-rl", "jax", "jaxlib", "flax", "gymnasium", "mujoco"]))
PY
echo "$fingerprint" > "$stamp"
echo "setup-references: ready in $venv"
