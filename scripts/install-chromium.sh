#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (as root, or through sudo when it is there).
set -euo pipefail
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium
