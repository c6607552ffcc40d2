#!/usr/bin/env bash
# Fetches the C/C++ dependency sources from Debian source packages, checks them against the pinned
# upstream tarball sha256 and unpacks them into deps/src (git-ignored). Quick when already done.
#
# Pinned by the upstream ("orig") tarball, not the Debian revision: security updates replace the
# Debian revision on the mirrors, while the upstream tarball of a version never changes.
set -euo pipefail
cd "$(dirname "$0")/.."
DL=deps/dl
SRC=deps/src
mkdir -p "$DL" "$SRC"

# name | source package | upstream version | orig tarball | sha256 | unpacked folder
PINS="
freetype|freetype|2.12.1+dfsg|freetype_2.12.1+dfsg.orig.tar.xz|7dedb6b9adf331559daea614a83b8de42a753e685ec8e1c4bdb4529eb880b0d1|freetype-2.12.1
libpng|libpng1.6|1.6.39|libpng1.6_1.6.39.orig.tar.gz|a00e9d2f2f664186e4202db9299397f851aea71b36a35e74910b8820e380d441|libpng-1.6.39
zlib|zlib|1.2.13.dfsg|zlib_1.2.13.dfsg.orig.tar.bz2|71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1|zlib-1.2.13.dfsg
simdjson|simdjson|3.0.1|simdjson_3.0.1.orig.tar.gz|156b1bc5eb0561b2bd166b46d191fd3d95a3e709cc63761477d3b7aec2b6e9ed|simdjson-3.0.1
fribidi|fribidi|1.0.8|fribidi_1.0.8.orig.tar.bz2|94c7b68d86ad2a9613b4dcffe7bbeb03523d63b5b37918bdf2e4ef34195c1e6c|fribidi-1.0.8
harfbuzz|harfbuzz|6.0.0+dfsg|harfbuzz_6.0.0+dfsg.orig.tar.xz|89266cb363e49b6aa999eda04ca25b0d234a69ad9304679631371f4697652368|harfbuzz-6.0.0
pcre2|pcre2|10.42|pcre2_10.42.orig.tar.gz|c33b418e3b936ee3153de2c61cc638e7e4fe3156022a5c77d0711bcbb9d64f1f|pcre2-10.42
"

echo "$PINS" | while IFS='|' read -r name pkg ver orig sha dir; do
  [ -n "$name" ] || continue
  stamp="$SRC/$name/.fetched-$sha"
  [ -f "$stamp" ] && continue
  if [ ! -f "$DL/$orig" ] || ! echo "$sha  $DL/$orig" | sha256sum -c --quiet - 2>/dev/null; then
    echo "fetch-deps: apt-get source $pkg ($ver)"
    # The .debian.tar of a superseded revision may be gone from a mirror; only the orig tarball is
    # needed, so a partial download is judged by the checksum below, not by apt's exit code.
    (cd "$DL" && apt-get source --download-only -qq "$pkg" >/dev/null 2>&1) || true
  fi
  if [ ! -f "$DL/$orig" ]; then
    echo "fetch-deps: $orig is not available from the Debian source mirrors (is a deb-src entry set?)" >&2
    exit 1
  fi
  echo "$sha  $DL/$orig" | sha256sum -c --quiet - || { echo "fetch-deps: checksum mismatch for $orig" >&2; exit 1; }
  rm -rf "$SRC/$name" "$SRC/$name.tmp"
  mkdir -p "$SRC/$name.tmp"
  tar -xf "$DL/$orig" -C "$SRC/$name.tmp"
  mv "$SRC/$name.tmp/$dir" "$SRC/$name"
  rm -rf "$SRC/$name.tmp"
  touch "$stamp"
done

# Test data only (never built into a module): real sample files for the table-driven lexers'
# golden test (functions/render/lexer/golden_test.py). Pygments' own tests/examplefiles are not
# in its Debian package and its source package is not on the mirrors, so the samples come from two
# binary packages that ship one real file per language: chroma's lexer test inputs
# (lexers/testdata/*.actual) and rouge's demos. Pinned by the .deb's sha256; unpacked, not installed.
# name | binary package | version | .deb file | sha256 | folder inside the package
DEBS="
chroma-testdata|golang-github-alecthomas-chroma-v2-dev|2.5.0-1|golang-github-alecthomas-chroma-v2-dev_2.5.0-1_all.deb|3139934dcd27861529a4d39cbabd448c867b3ac0daebb37aa640bcb7ea3050dc|usr/share/gocode/src/github.com/alecthomas/chroma/v2/lexers/testdata
rouge-demos|ruby-rouge|3.30.0-2|ruby-rouge_3.30.0-2_all.deb|6dc70df7d84136ad5849c94a60e5dd1f56f7435cb4c3e14e938abff6df4235fb|usr/share/ruby-rouge/demos
"

echo "$DEBS" | while IFS='|' read -r name pkg ver deb sha dir; do
  [ -n "$name" ] || continue
  stamp="$SRC/$name/.fetched-$sha"
  [ -f "$stamp" ] && continue
  if [ ! -f "$DL/$deb" ] || ! echo "$sha  $DL/$deb" | sha256sum -c --quiet - 2>/dev/null; then
    echo "fetch-deps: apt-get download $pkg=$ver"
    (cd "$DL" && apt-get download -qq "$pkg=$ver" >/dev/null 2>&1) || true
  fi
  if [ ! -f "$DL/$deb" ]; then
    echo "fetch-deps: $deb is not available from the Debian mirrors" >&2
    exit 1
  fi
  echo "$sha  $DL/$deb" | sha256sum -c --quiet - || { echo "fetch-deps: checksum mismatch for $deb" >&2; exit 1; }
  rm -rf "$SRC/$name" "$SRC/$name.tmp"
  mkdir -p "$SRC/$name.tmp"
  dpkg-deb -x "$DL/$deb" "$SRC/$name.tmp"
  mv "$SRC/$name.tmp/$dir" "$SRC/$name"
  rm -rf "$SRC/$name.tmp"
  touch "$stamp"
done
