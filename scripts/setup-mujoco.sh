#!/usr/bin/env bash
# Installs the MuJoCo runtime that SparseRL's MuJoCo environments load at run time, into .mujoco/ (gitignored):
#   .mujoco/lib/libmujoco.so.<version>     the MuJoCo C library of the `mujoco` wheel in .venv (the same version
#                                          the gymnasium reference uses), with its headers in .mujoco/include
#   .mujoco/lib/libsparserl_mujoco.so      the C shim of scripts/mujoco/sparserl_mujoco.c, compiled against them
#   .mujoco/assets -> gymnasium's envs/mujoco/assets folder (the model XML files)
#   .mujoco/dmc/<domain>-<task>.xml        the DeepMind Control Suite tasks' models as the installed dm-control
#                                          builds them (scripts/mujoco/export_dmc_models.py), with links to the
#                                          package's common/ and dog_assets/ folders
# Swift finds this folder through $SPARSERL_MUJOCO_HOME, else as .mujoco in the package root.
# Needs a C compiler (gcc or cc) and scripts/setup-python.sh (run first if needed). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-python.sh
python=.venv/bin/python
home=.mujoco
shim=scripts/mujoco/sparserl_mujoco.c
dmc_export=scripts/mujoco/export_dmc_models.py

read -r mujoco_dir mujoco_version gymnasium_dir dm_control_version < <("$python" - <<'PY'
import importlib.metadata, importlib.util, os
import mujoco
spec = importlib.util.find_spec("gymnasium")
print(os.path.dirname(mujoco.__file__), mujoco.__version__, os.path.dirname(spec.origin),
      importlib.metadata.version("dm-control"))
PY
)
library="$mujoco_dir/libmujoco.so.$mujoco_version"
assets="$gymnasium_dir/envs/mujoco/assets"
for needed in "$library" "$mujoco_dir/include/mujoco/mujoco.h" "$assets/half_cheetah.xml"; do
  if [ ! -e "$needed" ]; then
    echo "setup-mujoco: $needed not found (is the mujoco wheel in .venv complete?)" >&2
    exit 1
  fi
done

stamp="$home/.sparserl-stamp"
fingerprint="$mujoco_version $assets $(cksum < "$shim") dm-control $dm_control_version $(cksum < "$dmc_export")"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ] && [ -f "$home/lib/libsparserl_mujoco.so" ]; then
  exit 0
fi

compiler="${CC:-$(command -v gcc || command -v cc || true)}"
if [ -z "$compiler" ]; then
  echo "setup-mujoco: no C compiler found (install gcc, or set CC)" >&2
  exit 1
fi

rm -rf "$home"
mkdir -p "$home/lib"
cp "$library" "$home/lib/"
cp -r "$mujoco_dir/include" "$home/include"
ln -s "$(cd "$assets" && pwd)" "$home/assets"
"$compiler" -O2 -fPIC -shared -Wall -Wextra -Werror -std=c11 -D_POSIX_C_SOURCE=200809L \
  -I "$home/include" "$shim" -o "$home/lib/libsparserl_mujoco.so" \
  "$home/lib/libmujoco.so.$mujoco_version" -Wl,-rpath,'$ORIGIN' -lpthread
MUJOCO_GL=disable "$python" "$dmc_export" "$home/dmc"
echo "$fingerprint" > "$stamp"
echo "setup-mujoco: MuJoCo $mujoco_version ready in $home"
