#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (default 60) and reports executions and crashes.
#   make fuzz FUZZ_SECONDS=300
# Corpora grow in build/fuzz/corpus/<target>; crashes are saved in build/fuzz/crashes/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
[ -f build/fuzz/build.ninja ] || cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target fuzzers >/dev/null
mkdir -p build/fuzz/crashes
printf '| target | seconds | executions | crashes |\n| --- | --- | --- | --- |\n' > build/fuzz/report.md
status=0
for bin in build/fuzz/tests/fuzz/fuzz_*; do
  name=$(basename "$bin")
  corpus=build/fuzz/corpus/$name
  mkdir -p "$corpus"
  log=build/fuzz/$name.log
  crashes=0
  if ! "$bin" "$corpus" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 \
      -artifact_prefix=build/fuzz/crashes/"$name"- >"$log" 2>&1; then
    crashes=1
    status=1
  fi
  execs=$(grep -Eo 'Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' || echo "?")
  printf '| %s | %s | %s | %s |\n' "$name" "$SECONDS_EACH" "$execs" "$crashes" >> build/fuzz/report.md
done
cat build/fuzz/report.md
exit $status
