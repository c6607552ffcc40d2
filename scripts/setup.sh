#!/usr/bin/env bash
# Installs what the build and the tests need on Debian 12, and nothing when it is already there.
# Called by `make run` and `make test`; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  clang-16 lld-16 llvm-16 wasi-libc libc++-16-dev-wasm32 libc++abi-16-dev-wasm32
  libclang-rt-16-dev-wasm32 libclang-rt-16-dev
  cmake make ninja-build dpkg-dev xz-utils ca-certificates binaryen clang-format-16
  libstb-dev catch2
  fonts-dejavu-core fonts-jetbrains-mono fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
  nodejs python3-pygments python3-pil python3-fonttools
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

# apt-get source needs a deb-src entry; add one beside the existing deb entries when there is none.
have_src() { grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; }
added_src=0
if ! have_src; then
  echo "setup: adding a deb-src entry for Debian bookworm"
  $SUDO tee /etc/apt/sources.list.d/bookworm-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  added_src=1
fi

if [ ${#missing[@]} -gt 0 ] || [ $added_src = 1 ]; then
  echo "setup: apt-get install ${missing[*]:-}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  [ ${#missing[@]} -eq 0 ] || $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Dependency sources from Debian source packages, pinned by version and sha256.
bash scripts/fetch-deps.sh

# npm packages pinned by package-lock.json.
if [ ! -d node_modules/wrangler ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
