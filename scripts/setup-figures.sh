#!/usr/bin/env bash
# Installs rsvg-convert (Debian's librsvg2-bin), the SVG renderer the figure tests of `sparserl report` use.
# Idempotent: does nothing when rsvg-convert is already there.
set -euo pipefail
if command -v rsvg-convert > /dev/null; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then echo "setup-figures: run as root to apt-get install librsvg2-bin" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends librsvg2-bin > /dev/null 2>&1 \
  || { apt-get update > /dev/null && apt-get install -y --no-install-recommends librsvg2-bin > /dev/null; }
echo "setup-figures: rsvg-convert ready"
