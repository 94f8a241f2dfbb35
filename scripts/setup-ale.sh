#!/usr/bin/env bash
# Installs the Arcade Learning Environment runtime that SparseRL's Atari environments load at run time, into
# .ale/ (gitignored):
#   .ale/lib/libale.so               the ALE C++ library of the `ale-py` wheel in .venv (its `_ale_py` extension
#                                    module, which exports the ALEInterface symbols), with the libraries it needs
#   .ale/lib/libsparserl_ale.so      the C shim of scripts/ale/sparserl_ale.cpp, compiled against the headers of
#                                    the `ale-py` source distribution of the same version (.ale/include)
#   .ale/roms -> the wheel's ROM folder (ale_py/roms/<game>.bin)
# The extension module leaves its Python symbols to the interpreter; the shim links the interpreter's shared
# libpython so that they resolve (ALE's C++ code never calls them). Swift finds this folder through
# $SPARSERL_ALE_HOME, else as .ale in the package root.
# Needs g++ (or $CXX) and scripts/setup-python.sh (run first if needed). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-python.sh
python=.venv/bin/python
home=.ale
shim=scripts/ale/sparserl_ale.cpp

read -r ale_dir ale_version extension libpython_dir libpython < <("$python" - <<'PY'
import glob, os, sysconfig
import ale_py
directory = os.path.dirname(ale_py.__file__)
extension = glob.glob(os.path.join(directory, "_ale_py*.so"))
print(directory, ale_py.__version__, extension[0] if extension else "-",
      sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("LDLIBRARY"))
PY
)
for needed in "$extension" "$ale_dir/roms/pong.bin" "$libpython_dir/$libpython"; do
  if [ ! -e "$needed" ]; then
    echo "setup-ale: $needed not found (is the ale-py wheel in .venv complete, and is Python built with a shared" \
      "libpython?)" >&2
    exit 1
  fi
done

stamp="$home/.sparserl-stamp"
fingerprint="$ale_version $extension $libpython_dir/$libpython $(cksum < "$shim")"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ] && [ -f "$home/lib/libsparserl_ale.so" ]; then
  exit 0
fi

compiler="${CXX:-$(command -v g++ || command -v c++ || true)}"
if [ -z "$compiler" ]; then
  echo "setup-ale: no C++ compiler found (install g++, or set CXX)" >&2
  exit 1
fi

rm -rf "$home"
mkdir -p "$home/lib" "$home/include" "$home/download"

# The headers come from the source distribution of the same version. pip prepares its metadata before saving it,
# which needs scikit-build-core and CMake: a throwaway tool environment provides them.
tools="$home/download/tools"
python3 -m venv "$tools"
"$tools/bin/python" -m pip install --quiet --disable-pip-version-check scikit-build-core cmake ninja
PATH="$PWD/$tools/bin:$PATH" "$tools/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
  --no-binary :all: --no-build-isolation --dest "$home/download" "ale-py==$ale_version"
tar -xzf "$home/download/ale_py-$ale_version.tar.gz" -C "$home/download"
source_dir="$home/download/ale_py-$ale_version/src/ale"
(cd "$source_dir/.." && find ale -name '*.hpp' -o -name '*.hxx' -o -name '*.h') | while read -r header; do
  mkdir -p "$home/include/$(dirname "$header")"
  cp "$source_dir/../$header" "$home/include/$header"
done
IFS=. read -r major minor patch <<< "$ale_version"
sed -e "s/@ALE_VERSION@/$ale_version/" -e "s/@ALE_VERSION_MAJOR@/$major/" -e "s/@ALE_VERSION_MINOR@/$minor/" \
  -e "s/@ALE_VERSION_PATCH@/$patch/" -e "s/@ALE_VERSION_GIT_SHA@//" \
  "$source_dir/version.hpp.in" > "$home/include/version.hpp"
rm -rf "$home/download"

cp "$extension" "$home/lib/libale.so"
if [ -d "$ale_dir/../ale_py.libs" ]; then cp "$ale_dir/../ale_py.libs/"* "$home/lib/"; fi
ln -s "$(cd "$ale_dir/roms" && pwd)" "$home/roms"
"$compiler" -O2 -fPIC -shared -std=c++17 -Wall -Wextra -Werror -Wno-unused-parameter \
  -I "$home/include" -I "$home/include/ale" "$shim" -o "$home/lib/libsparserl_ale.so" \
  -L "$home/lib" -l:libale.so -L "$libpython_dir" -l:"$libpython" \
  -Wl,-rpath,'$ORIGIN' -Wl,-rpath,"$libpython_dir"
echo "$fingerprint" > "$stamp"
echo "setup-ale: ALE $ale_version ready in $home"
