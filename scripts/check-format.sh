#!/usr/bin/env bash
# Formatting held by CI: every C++ file git tracks (outside deps/; the i18n catalogs' .inc tables
# keep their hand-aligned layout) must be as clang-format-16 (Debian) writes it
# with the repository's .clang-format. `make format` rewrites them; `make test` runs this check.
# Only the files changed against a base are checked when FORMAT_BASE is set (e.g. origin/main).
set -euo pipefail
cd "$(dirname "$0")/.."
CF=${CLANG_FORMAT:-clang-format-16}
if [ -n "${FORMAT_BASE:-}" ]; then
  mapfile -t files < <(git diff --name-only --diff-filter=ACMR "$FORMAT_BASE" -- '*.cpp' '*.h' '*.c' ':!deps/')
else
  mapfile -t files < <(git ls-files -- '*.cpp' '*.h' '*.c' ':!deps/')
fi
[ ${#files[@]} -gt 0 ] || exit 0
bad=()
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  if ! "$CF" --dry-run --Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "check-format: ${#bad[@]} file(s) differ from $CF's formatting (run: make format):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check-format: ${#files[@]} C++ files formatted"
