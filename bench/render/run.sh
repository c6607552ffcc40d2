#!/usr/bin/env bash
# Render benchmark: ours (build/wasm/modules/render.wasm under Node) against Pygments + Pillow and
# shiki + satori + resvg-wasm, on three inputs sliced at run time from files Debian and npm
# packages install. Writes bench/results/render.md (or $1).
#
#   bash bench/render/run.sh            # from the repository root, after `npm ci` and `make wasm`
#   RUNS=40 bash bench/render/run.sh    # more timed runs per input and tool (default 20,
#                                       # taken in ROUNDS=4 interleaved rounds; RUNS % ROUNDS == 0)
#
# Installs nothing. Exits non-zero, saying why, when a peer cannot run. When render.wasm has no
# /render route yet, our rows are recorded as "pending" and the exit status is 0.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
OUT_MD=${1:-bench/results/render.md}
RUNS=${RUNS:-20}
ROUNDS=${ROUNDS:-4} # the tools take turns, RUNS/ROUNDS timed runs each per turn
PY=/usr/bin/python3 # Debian's python3-pygments and python3-pil live here, not in a pyenv
WASM=build/wasm/modules/render.wasm
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf
COMMAND="bash bench/render/run.sh${1:+ $1}"
[ "$ROUNDS" = 4 ] || COMMAND="ROUNDS=$ROUNDS $COMMAND"
[ "$RUNS" = 20 ] || COMMAND="RUNS=$RUNS $COMMAND"

die() { echo "bench/render: $*" >&2; exit 1; }
[ "$ROUNDS" -ge 1 ] && [ $((RUNS % ROUNDS)) -eq 0 ] || die "RUNS ($RUNS) must be a multiple of ROUNDS ($ROUNDS)"
PER_ROUND=$((RUNS / ROUNDS))
# Steady-state code for every wasm module (ours; shiki's Oniguruma, satori's yoga, resvg): V8 compiles them
# with its optimising tier up front instead of tiering up while the first timed runs go (not timed).
NODE_FLAGS="--no-liftoff"

# --- prerequisites -------------------------------------------------------------------------
[ -x "$PY" ] || die "$PY not found (apt-get install python3)"
"$PY" -c 'import pygments, PIL' 2>/dev/null || die "Pygments or Pillow missing for $PY (apt-get install python3-pygments python3-pil)"
[ -f "$FONT" ] || die "$FONT missing (apt-get install fonts-dejavu-core)"
"$PY" -c 'from PIL import ImageFont; ImageFont.truetype("DejaVuSansMono.ttf", 14)' 2>/dev/null \
  || fc-list 2>/dev/null | grep -q 'DejaVu Sans Mono' || die "Pygments cannot find the font 'DejaVu Sans Mono' (fontconfig)"
for pkg in shiki satori @resvg/resvg-wasm undici; do
  [ -f "node_modules/$pkg/package.json" ] || die "node_modules/$pkg missing: run npm ci"
done
[ -f "$WASM" ] || die "$WASM missing: run make wasm (or cmake --build build/wasm)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/render-bench.XXXXXX")
echo "bench/render: work dir $WORK (inputs and the PNGs each tool made)" >&2
# A snapshot of the module: what is timed is what is sized, even if a build replaces it meanwhile.
cp "$WASM" "$WORK/render.wasm"
WASM="$WORK/render.wasm"

# --- inputs: name|language|source|from|to ------------------------------------------------
UNDICI_VERSION=$(node -p "require('./node_modules/undici/package.json').version")
INPUTS=(
  "py50|python|/usr/lib/python3.11/textwrap.py|238|287"
  "pl50|perl|/usr/share/perl/5.36/Text/Wrap.pm|20|69"
  "cjk50|python|/usr/lib/python3.11/textwrap.py|238|287"
  "cpp200|cpp|/usr/include/c++/12/optional|701|900"
  "js1000|javascript|node_modules/undici/lib/web/fetch/index.js|1|1000"
)
# pl50 is a table-driven language (Pygments' Perl rules run by PCRE2 in render.wasm). cjk50 is
# py50 with a Chinese, Japanese or Korean comment and an emoji on every other line
# (bench/render/cjk_sample.mjs); ours draws them with the asset fonts (build/assets), the peers
# with DejaVu Sans Mono, which has none of them. The largest input stays last (report.mjs).
ext() { case $1 in python) echo py ;; cpp) echo cpp ;; javascript) echo js ;; perl) echo pl ;; esac; }
pkg_of() {
  case $1 in
    node_modules/*) echo "npm undici@$UNDICI_VERSION (pinned by package-lock.json)" ;;
    *) local p; p=$(dpkg -S "$1" 2>/dev/null | head -1 | cut -d: -f1) || true
       [ -n "$p" ] && echo "Debian $p $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null)" || echo "unknown" ;;
  esac
}
inputs_json="["
sep=""
for spec in "${INPUTS[@]}"; do
  IFS='|' read -r name lang src from to <<<"$spec"
  [ -r "$src" ] || die "input source $src missing"
  file="$WORK/$name.$(ext "$lang")"
  sed -n "${from},${to}p" "$src" | expand -t 8 >"$file"
  if [ "$name" = cjk50 ]; then node bench/render/cjk_sample.mjs "$file" "$file.tmp" && mv "$file.tmp" "$file"; fi
  lines=$(wc -l <"$file")
  [ "$lines" -eq $((to - from + 1)) ] || die "$src has fewer than $to lines"
  sha=$(sha256sum "$file" | cut -d' ' -f1)
  inputs_json+="$sep{\"name\":\"$name\",\"language\":\"$lang\",\"file\":\"$file\",\"source\":\"$src\",\"from\":$from,\"to\":$to,\"lines\":$lines,\"sha256\":\"$sha\",\"package\":\"$(pkg_of "$src")\"}"
  sep=","
done
inputs_json+="]"
echo "$inputs_json" >"$WORK/manifest.json"

load() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_BEFORE=$(load)
RESULTS="$WORK/results.jsonl"
: >"$RESULTS"

# --- the tools, taking turns -----------------------------------------------------------------
ours_status="ok"
for round in $(seq 1 "$ROUNDS"); do
  if [ "$ours_status" = ok ]; then
    echo "bench/render: round $round/$ROUNDS: ours (render.wasm) ..." >&2
    set +e
    RENDER_WASM="$WASM" node $NODE_FLAGS bench/render/ours.mjs "$WORK/manifest.json" "$WORK" "$PER_ROUND" >>"$RESULTS" 2>"$WORK/ours.err"
    rc=$?
    set -e
    if [ $rc -eq 3 ]; then
      ours_status=$(tail -1 "$WORK/ours.err")
      echo "bench/render: ours is PENDING: $ours_status" >&2
    elif [ $rc -ne 0 ]; then
      cat "$WORK/ours.err" >&2
      die "our render module failed (exit $rc)"
    fi
  fi
  echo "bench/render: round $round/$ROUNDS: Pygments + Pillow ..." >&2
  "$PY" bench/render/pygments_bench.py "$WORK/manifest.json" "$WORK" "$PER_ROUND" >>"$RESULTS" \
    || die "the Pygments baseline failed"
  echo "bench/render: round $round/$ROUNDS: shiki + satori + resvg-wasm ..." >&2
  node $NODE_FLAGS bench/render/shiki_stack.mjs "$WORK/manifest.json" "$WORK" "$PER_ROUND" >>"$RESULTS" \
    || die "the shiki + satori + resvg-wasm stack failed"
done
LOAD_AFTER=$(load)

# --- sizes and machine ---------------------------------------------------------------------
gz() { gzip -9 -c "$1" | wc -c; }
fonts_json="["
sep=""
shopt -s nullglob
for f in build/wasm/modules/*.{ttf,otf,woff,woff2} build/wasm/modules/fonts/*; do
  fonts_json+="$sep{\"path\":\"$f\",\"bytes\":$(stat -c %s "$f"),\"gzip_bytes\":$(gz "$f")}"
  sep=","
done
fonts_json+="]"
versions=$(node -e '
  const rs = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map(JSON.parse);
  const v = {}; for (const r of rs) v[r.tool] = r.version; console.log(JSON.stringify(v));' "$RESULTS")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
ours_font=$(grep -E '^RENDER_MONO_FONT:' build/wasm/CMakeCache.txt 2>/dev/null | cut -d= -f2-) || true
git_rev="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- functions shared 2>/dev/null || echo ' + uncommitted changes in functions/ or shared/')"

node -e '
  const [out, ...a] = process.argv.slice(1);
  const [date, command, runs, rounds, nproc, cpu, os, lb, la, nodev, py, wasm, wasmgz, wasmsha, git, status, inputs, fonts, versions, font] = a;
  require("fs").writeFileSync(out, JSON.stringify({ date, command, runs: +runs, rounds: +rounds, nproc: +nproc, cpu, os,
    load_before: lb, load_after: la, node: nodev, python: py, wasm_bytes: +wasm, wasm_gzip_bytes: +wasmgz,
    wasm_sha256: wasmsha, git, ours_status: status, inputs: JSON.parse(inputs), font_files: JSON.parse(fonts),
    versions: JSON.parse(versions), ours_font: font }, null, 1));' \
  "$WORK/meta.json" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$COMMAND" "$RUNS" "$ROUNDS" "$(nproc)" "$cpu" \
  "$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)" "$LOAD_BEFORE" "$LOAD_AFTER" \
  "$(node --version)" "$("$PY" -c 'import platform; print(platform.python_version())')" \
  "$(stat -c %s "$WASM")" "$(gz "$WASM")" "$(sha256sum "$WASM" | cut -d' ' -f1)" "$git_rev" "$ours_status" \
  "$inputs_json" "$fonts_json" "$versions" "${ours_font:-unknown}"

mkdir -p "$(dirname "$OUT_MD")"
node bench/render/report.mjs "$WORK/meta.json" "$RESULTS" "$OUT_MD" >/dev/null
echo "bench/render: wrote $OUT_MD (PNGs in $WORK)" >&2
