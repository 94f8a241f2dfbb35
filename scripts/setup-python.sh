#!/usr/bin/env bash
# Creates the project-local virtual environment .venv with the Python reference implementations the tests
# compare against (gymnasium, MinAtar, mujoco, tensorboard, rliable). Idempotent: a complete .venv is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=scripts/requirements-reference.txt
stamp=.venv/.sparserl-requirements
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && cmp -s "$requirements" "$stamp"; then
  exit 0
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
cp "$requirements" "$stamp"
echo "setup-python: reference environment ready in .venv"
