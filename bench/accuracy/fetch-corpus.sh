#!/usr/bin/env bash
# Fetches the real-file corpus of bench/accuracy/compare.py for the languages that no installed
# package provides (Java, Kotlin, C#, Swift, Ruby, Lua, Dart, Erlang, OCaml, D, Haxe, Perl, JSX,
# TSX, Dockerfile, Elixir, Haskell, R, ...). Benchmark data only: never built into a module, never
# committed, not used by any test. Upstream tarballs of Debian source packages (apt-get source, like
# scripts/fetch-deps.sh) and one npm tarball (npm pack), each pinned by sha256, unpacked into
# deps/src/corpus/NAME (git-ignored). Quick when already done.
#
# Pygments 2.14 (Debian bookworm's, the one the tables are exported from) has no JSX/TSX lexer: the
# JSX and TSX rows (and only those) compare with the JsxLexer/TsxLexer of a newer Debian
# python3-pygments .deb (sid's 2.20; trixie's 2.18 has JSX but no TSX), fetched below from the
# Debian pool by its path, pinned by sha256 and unpacked (not installed) into deps/src/pygments-ref.
# Swift has no Debian source package in bookworm
# (swiftlang is not in it): its files come from thrift's and flatbuffers' Swift libraries. The
# clojure and scala-xml orig tarballs are gone from the mirror (404), so Clojure and Scala have no
# real-file row.
set -euo pipefail
cd "$(dirname "$0")/../.."
DL=deps/dl/corpus
SRC=deps/src/corpus
mkdir -p "$DL" "$SRC"

# name | kind (src = Debian source package, npm) | package=version | file | sha256 | paths to
# unpack (* = all)
PINS="
thrift|src|thrift=0.17.0-2|thrift_0.17.0.orig.tar.gz|f5888bcd3b8de40c2c2ab86896867ad9b18510deb412cba3e5da76fb4c604c29|thrift-0.17.0/lib thrift-0.17.0/build/docker thrift-0.17.0/tutorial
kotlin|src|kotlin=1.3.31+ds1-1|kotlin_1.3.31+ds1.orig.tar.xz|2c45fa552ee4bdb0990ec6c0d62a23b9ad5f52eafc7d0434a3176c71e1cc393c|kotlin-1.3.31/libraries/stdlib kotlin-1.3.31/core kotlin-1.3.31/libraries/tools
flatbuffers|src|flatbuffers=2.0.8+dfsg1-2|flatbuffers_2.0.8+dfsg1.orig.tar.xz|424b8c76568e718a1a05c3fbc6b2070c83b5e55d9b48568fa4f744e9bcd1163a|flatbuffers-2.0.8
elixir|src|elixir-lang=1.14.0.dfsg-2|elixir-lang_1.14.0.dfsg.orig.tar.xz|3dfa724f36b90d1bc41b9626a8ea0c293255c3a21a4d608c576ce39e2a23e5c9|*
quickcheck|src|haskell-quickcheck=2.14.2-1|haskell-quickcheck_2.14.2.orig.tar.gz|d87b6c85696b601175274361fa62217894401e401e150c3c5d4013ac53cd36f3|*
r6|src|r-cran-r6=2.5.1-1|r-cran-r6_2.5.1.orig.tar.gz|8d92bd29c2ed7bf15f2778618ffe4a95556193d21d8431a7f75e7e5fc102bf48|*
docusaurus|npm|@docusaurus/theme-classic@3.10.2|docusaurus-theme-classic-3.10.2.tgz|8ddb9d445860239816342186502b4e793d8d1ad5d103567dbc80831ede615d0c|package
"

echo "$PINS" | while IFS='|' read -r name kind pkg file sha paths; do
  [ -n "$name" ] || continue
  stamp="$SRC/$name/.fetched-$sha"
  [ -f "$stamp" ] && continue
  if [ ! -f "$DL/$file" ] || ! echo "$sha  $DL/$file" | sha256sum -c --quiet - 2>/dev/null; then
    echo "fetch-corpus: $kind $pkg"
    if [ "$kind" = src ]; then
      (cd "$DL" && apt-get source --download-only -qq "$pkg" >/dev/null 2>&1) || true
    else
      (cd "$DL" && npm pack --silent "$pkg" >/dev/null 2>&1) || true
    fi
  fi
  if [ ! -f "$DL/$file" ]; then
    echo "fetch-corpus: $file is not available (is a deb-src entry set?)" >&2
    exit 1
  fi
  echo "$sha  $DL/$file" | sha256sum -c --quiet - || { echo "fetch-corpus: checksum mismatch for $file" >&2; exit 1; }
  rm -rf "$SRC/$name" && mkdir -p "$SRC/$name"
  [ "$paths" = "*" ] && paths=""
  # shellcheck disable=SC2086  # paths is a list
  tar -xf "$DL/$file" -C "$SRC/$name" $paths
  touch "$stamp"
done

# The newer Pygments of the JSX/TSX rows: a binary .deb from the Debian pool (sid), not installed,
# only unpacked; compare.py runs it in a separate interpreter. The pool keeps a file while some
# suite lists it: should sid move on, pin the new version's path and sha256 here
# (`apt-cache show python3-pygments` with a sid source list gives both).
# name | pool path | sha256 | folder inside the package
REF="pygments-ref|pool/main/p/pygments/python3-pygments_2.20.0+dfsg-2_all.deb|86d35bdd58c1c4366a9d3ba2dfda6e7c6b1e3a97c25bf3dd79b50cdf726fd327|usr/lib/python3/dist-packages/pygments"
IFS='|' read -r name pool sha dir <<<"$REF"
deb=$DL/$(basename "$pool")
dst=deps/src/$name
if [ ! -f "$dst/.fetched-$sha" ]; then
  if [ ! -f "$deb" ] || ! echo "$sha  $deb" | sha256sum -c --quiet - 2>/dev/null; then
    echo "fetch-corpus: $pool"
    # (python3 rather than curl: the build needs python3 anyway, setup.sh does not install curl)
    python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(*sys.argv[1:])' \
      "http://deb.debian.org/debian/$pool" "$deb" || {
      echo "fetch-corpus: $pool is not on the Debian mirror any more (pin sid's current one)" >&2
      exit 1
    }
  fi
  echo "$sha  $deb" | sha256sum -c --quiet - || { echo "fetch-corpus: checksum mismatch for $deb" >&2; exit 1; }
  rm -rf "$dst" "$dst.tmp" && mkdir -p "$dst.tmp" "$dst"
  dpkg-deb -x "$deb" "$dst.tmp"
  mv "$dst.tmp/$dir" "$dst/pygments"
  rm -rf "$dst.tmp"
  touch "$dst/.fetched-$sha"
fi
