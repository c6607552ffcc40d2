// Where render.wasm spends its time on one input: renders it RUNS times on one module instance
// under V8's sampling profiler (node --cpu-prof, which names wasm functions by their C++ names)
// and prints the median time and each function's share of the samples. Not a benchmark of
// record: run.sh is. Functions have names only when the module kept its name section: clang runs
// binaryen's wasm-opt after linking whenever one is on PATH, and that drops it (Debian's binaryen
// is not installed by `make setup`).
//
//   sed -n 238,287p /usr/lib/python3.11/textwrap.py > /tmp/py50.py
//   node bench/render/profile.mjs /tmp/py50.py [RUNS] [JSON-FIELDS]
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
if (args[0] !== '--child') {
  const [file, runs = '1000', fields = '{}'] = args;
  if (!file) {
    console.error('usage: node bench/render/profile.mjs FILE [RUNS] [JSON-FIELDS]');
    process.exit(2);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'render-prof-'));
  execFileSync(process.execPath, ['--no-liftoff', '--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100',
    fileURLToPath(import.meta.url), '--child', file, runs, fields], { stdio: 'inherit' });
  const profile = JSON.parse(readFileSync(path.join(dir, readdirSync(dir)[0]), 'utf8'));
  rmSync(dir, { recursive: true });
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (const id of profile.samples) {
    const f = byId.get(id).callFrame;
    const name = (f.functionName || f.url || '(anonymous)').replaceAll('(anonymous namespace)', '{anon}').replace(/\(.*$/s, '');
    self.set(name, (self.get(name) ?? 0) + 1);
  }
  // The whole process is sampled: module loading and warm-up are a small share of 1,000 renders.
  const total = profile.samples.length;
  for (const [name, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`${(100 * n / total).toFixed(1).padStart(5)} %  ${name}`);
  }
} else {
  const { loadRenderModule, callRender, wranglerVars } = await import('../../host/cli/render.mjs');
  const [, file, runs, fields] = args;
  const mod = await loadRenderModule({ settings: wranglerVars() });
  const request = { code: readFileSync(file, 'utf8'), filename: path.basename(file), theme: 'monokai',
    font_size: 14, line_numbers: true, scale: 1, format: 'png', ...JSON.parse(fields) };
  for (let i = 0; i < 5; i++) await callRender(mod, request);
  const times = [];
  for (let i = 0; i < Number(runs); i++) {
    const t0 = performance.now();
    await callRender(mod, request);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`${times.length} renders: median ${times[times.length >> 1].toFixed(3)} ms, min ${times[0].toFixed(3)} ms`);
}
