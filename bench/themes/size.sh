#!/usr/bin/env bash
# What the generated themes cost in render.wasm: the module as built, then the same tree with the
# generated palette table emptied (only the seven hand-made themes), raw and gzip -9 bytes. The
# build tree is put back as it was at the end (the table regenerated, the module relinked).
#   make wasm && bash bench/themes/size.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
inc=build/wasm/functions/render/themes/generated_themes.inc
wasm=build/wasm/functions/render/render.wasm
[ -f "$inc" ] || { echo "build first: make wasm" >&2; exit 1; }
size() { echo "$(stat -c %s "$1") raw, $(gzip -9 -c "$1" | wc -c) gzipped"; }
n=$(grep -c '^{"' "$inc")
echo "render.wasm with 7 + $n themes: $(size "$wasm")"
cp "$inc" "$inc.keep"
trap 'touch functions/render/theme/gen_themes.mjs; cmake --build --preset wasm >/dev/null; rm -f "$inc.keep"' EXIT
: > "$inc"
cmake --build --preset wasm --target render >/dev/null
echo "render.wasm with the 7 hand-made themes only: $(size "$wasm")"
