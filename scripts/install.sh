#!/usr/bin/env bash
# Builds sparserl (release) and installs it into PREFIX:
#   PREFIX/bin/sparserl
#   PREFIX/share/sparserl/configs/                        the presets (`sparserl presets` finds them from bin/)
#   PREFIX/share/bash-completion/completions/sparserl     shell completions (swift-argument-parser's scripts)
#   PREFIX/share/zsh/site-functions/_sparserl
#   PREFIX/share/fish/vendor_completions.d/sparserl.fish
# Usage: scripts/install.sh PREFIX [swift build options...]     e.g. scripts/install.sh ~/.local
# Then put PREFIX/bin on PATH. MuJoCo environments also need SPARSERL_MUJOCO_HOME=<checkout>/.mujoco (see README).
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: scripts/install.sh PREFIX [swift build options...]" >&2
  exit 2
fi
mkdir -p "$1"
prefix=$(cd "$1" && pwd)
shift
cd "$(dirname "$0")/.."

# The whole package with the caller's options (scripts/test.sh passes its own), so an existing build is reused:
# a build planned differently (`--product sparserl`, or without `--build-tests` after a build with it) made the
# next build recompile every module.
swift build -c release "$@"
bin=$(swift build -c release --show-bin-path "$@")
shopt -s nullglob
bundles=("$bin"/*_SparseRLExperiments.resources/configs)
if [ ${#bundles[@]} -ne 1 ]; then
  echo "install.sh: expected one SparseRLExperiments resource bundle with configs/ in $bin" >&2
  exit 1
fi

mkdir -p "$prefix/bin" "$prefix/share/sparserl" "$prefix/share/bash-completion/completions" \
  "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
install -m 755 "$bin/sparserl" "$prefix/bin/sparserl"
rm -rf "$prefix/share/sparserl/configs"
cp -R "${bundles[0]}" "$prefix/share/sparserl/configs"
sparserl="$prefix/bin/sparserl"
"$sparserl" --generate-completion-script bash >"$prefix/share/bash-completion/completions/sparserl"
"$sparserl" --generate-completion-script zsh >"$prefix/share/zsh/site-functions/_sparserl"
"$sparserl" --generate-completion-script fish >"$prefix/share/fish/vendor_completions.d/sparserl.fish"

# The installed program must find its presets from anywhere.
count=$(cd / && "$sparserl" presets | wc -l)
echo "installed $sparserl ($count presets in $prefix/share/sparserl/configs) and bash, zsh and fish completions"
