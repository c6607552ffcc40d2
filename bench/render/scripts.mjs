// Scripts and emoji budgets (issue 25): render.wasm under Node through the CLI's code path
// (host/cli/render.mjs -> host/runtime.mjs FunctionModule), fonts read from build/assets as the
// Worker reads them from its assets binding.
//
//   node --no-liftoff bench/render/scripts.mjs [--out bench/results/scripts.md] [--runs 200]
//
// 1. A 50-line Python file with CJK, kana, Hangul and emoji comments against its ASCII twin (the
//    same file with every wide character replaced by two letters: the same image size), warm
//    instance, alternating runs: median ratio, budget 2x. Also the py50 file of bench/render.
// 2. Each asset font's first load in a new isolate: a fresh Node process per font, which renders
//    an ASCII line (warm-up, not counted), then a line needing the font (timed: the host reads
//    the file, the render asks again, FreeType opens the font, the glyphs are drawn), then the
//    same line again (warm). Load cost = first - warm; budget 200 ms.
// 3. Peak wasm memory with every asset font loaded (one fresh instance renders all scripts).
// 4. render.wasm size, raw and gzip -9 (budget 3 MB gzipped); BEFORE_WASM=path gives the
//    size before the change for the report.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadRenderModule, callRender, wranglerVars, DEFAULT_WASM, ROOT } from '../../host/cli/render.mjs';
import { FunctionModule, assetLoadMs, assetCacheBytes } from '../../host/runtime.mjs';
import { startWorker } from '../../tests/integration/harness.mjs';
import { median } from './stats.mjs';
import { FONT_SAMPLES, ASSET_FILES } from './font_samples.mjs';
import { withCjkComments, asciiTwin } from './cjk_sample.mjs';

const { values: args } = parseArgs({ options: { out: { type: 'string' }, runs: { type: 'string' }, child: { type: 'string' },
  'memory-only': { type: 'boolean' } } });
const RUNS = Number(args.runs ?? 200);

const request = (code, extra = {}) => ({ code, filename: 'bench.py', language: 'python', theme: 'monokai', font_size: 14,
  line_numbers: true, scale: 1, format: 'png', ...extra });

// --- child: one font's first load in a fresh process --------------------------------------
if (args.child) {
  const mod = await loadRenderModule({ settings: wranglerVars() });
  await callRender(mod, request('x = 1\n'));
  const code = FONT_SAMPLES[args.child] + '\nx = 1\n';
  let t0 = performance.now();
  const first = await callRender(mod, request(code));
  const firstMs = performance.now() - t0;
  const warm = [];
  for (let i = 0; i < 5; i++) {
    t0 = performance.now();
    await callRender(mod, request(code));
    warm.push(performance.now() - t0);
  }
  console.log(JSON.stringify({ font: args.child, status: first.status, first_ms: firstMs, warm_ms: median(warm),
    read_ms: assetLoadMs[`fonts/${args.child}`],
    bytes: statSync(path.join(ROOT, 'build/assets/fonts', args.child)).size }));
  process.exit(0);
}

// --- inputs ------------------------------------------------------------------------------------
const py50 = readFileSync('/usr/lib/python3.11/textwrap.py', 'utf8').split('\n').slice(237, 287).join('\n')
  .replace(/\t/g, '        ') + '\n';
const cjk = withCjkComments(py50);
const twin = asciiTwin(cjk);

const mod = await loadRenderModule({ settings: wranglerVars() });
const wasmPath = process.env.RENDER_WASM || DEFAULT_WASM;

async function timeAlternating(cases) {
  for (const c of cases) {
    const r = await callRender(mod, request(c.code));
    if (r.status !== 200) throw new Error(`${c.name}: ${r.status}`);
    c.size = r.headers['x-image-size'];
    c.times = [];
    await callRender(mod, request(c.code));
  }
  for (let i = 0; i < RUNS; i++) {
    for (const c of cases) {
      const t0 = performance.now();
      await callRender(mod, request(c.code));
      c.times.push(performance.now() - t0);
    }
  }
  return cases.map((c) => ({ name: c.name, size: c.size, median: median(c.times), min: Math.min(...c.times) }));
}

const timed = await timeAlternating([
  { name: 'cjk-emoji50', code: cjk }, { name: 'ascii-twin50', code: twin }, { name: 'py50', code: py50 },
]);
const ratio = timed[0].median / timed[1].median;

// Peak memory: a fresh instance (same isolate's font cache) renders every script at once.
const all = Object.values(FONT_SAMPLES).join('\n') + '\n' + cjk;
const fresh = new FunctionModule('render', mod.compiled, mod.bindings, mod.settings);
const rAll = await callRender(fresh, request(all));
const peak = fresh.idle[0]?.memory.buffer.byteLength ?? fresh.memory.peak_bytes;
const freshAscii = new FunctionModule('render', mod.compiled, mod.bindings, mod.settings);
await callRender(freshAscii, request(py50));
const peakAscii = freshAscii.idle[0]?.memory.buffer.byteLength;
// Several instances at once (a burst of requests makes more; host/runtime.mjs keeps up to 4 idle),
// each rendering every script: their wasm memories plus the host's one copy of the fonts.
const BURST = 4;
const burst = Array.from({ length: BURST }, () => new FunctionModule('render', mod.compiled, mod.bindings, mod.settings));
await Promise.all(burst.map((m) => callRender(m, request(all))));
const burstWasm = burst.reduce((a, m) => a + (m.idle[0]?.memory.buffer.byteLength ?? 0), 0);
const hostCopy = assetCacheBytes();
const memoryMd = () => `Peak wasm memory of a fresh instance rendering every script at once (one character or word of each of
the ${Object.keys(FONT_SAMPLES).length} asset font files, ${Object.values(ASSET_FILES).reduce((a, f) => a + f.bytes, 0)} bytes of fonts; status ${rAll.status}): **${(peak / 1048576).toFixed(1)} MB** (budget 64 MB);
py50 alone on a fresh instance: ${(peakAscii / 1048576).toFixed(1)} MB.

One isolate with ${BURST} instances that each rendered every script: ${(burstWasm / 1048576).toFixed(1)} MB of wasm memory
plus the host's one copy of the fonts (${(hostCopy / 1048576).toFixed(1)} MB): **${((burstWasm + hostCopy) / 1048576).toFixed(1)} MB** of the Worker's 128 MB.`;
if (args['memory-only']) {
  console.log(`Load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}.\n\n${memoryMd()}`);
  process.exit(0);
}

// First loads, one process per font.
const loads = [];
for (const font of Object.keys(FONT_SAMPLES)) {
  // Default V8 tiers (Liftoff first), as a new Workers isolate runs code it has not run yet.
  const out = execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--child', font],
    { cwd: ROOT, encoding: 'utf8' });
  loads.push(JSON.parse(out.trim().split('\n').pop()));
}

// The same in workerd (wrangler dev, local): a new Worker (isolate) per font, the font fetched
// through the ASSETS binding. One ASCII request first (isolate start-up, not counted).
const workerd = [];
// The split CJK and emoji files, and two small ones.
const WORKERD_FONTS = Object.keys(FONT_SAMPLES).filter((f) => /^(cjk|emoji)/.test(f)).concat(['devanagari.ttf', 'thai.ttf']);
for (const font of WORKERD_FONTS) {
  const w = await startWorker({ assets: true });
  try {
    const post = async (code) => {
      const t0 = performance.now();
      const res = await fetch(`${w.url}/render`, { method: 'POST', body: JSON.stringify(request(code)) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`workerd ${font}: ${res.status}`);
      return performance.now() - t0;
    };
    await post('x = 1\n');
    await post('y = 2\n');
    const code = FONT_SAMPLES[font] + '\nx = 1\n';
    const first = await post(code);
    const warm = [];
    for (let i = 0; i < 5; i++) warm.push(await post(code));
    workerd.push({ font, first_ms: first, warm_ms: median(warm) });
  } finally {
    await w.stop();
  }
}

const size = (f) => { const b = readFileSync(f); return { raw: b.length, gz: gzipSync(b, { level: 9 }).length }; };
const after = size(wasmPath);
const before = process.env.BEFORE_WASM ? size(process.env.BEFORE_WASM) : null;

const f2 = (x) => x.toFixed(2);
const cmd = `node --no-liftoff bench/render/scripts.mjs${args.out ? ` --out ${args.out}` : ''}${args.runs ? ` --runs ${args.runs}` : ''}` +
  (before ? ` (BEFORE_WASM=${process.env.BEFORE_WASM})` : '');
const md = `# Scripts and emoji: speed, font loads, memory, size

Recorded ${new Date().toISOString()} on ${os.cpus().length} cores (${os.cpus()[0].model.trim()}), Node ${process.version},
load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (other builds ran on the machine).
Command: \`${cmd}\` (after \`make wasm\`, which also makes build/assets).

## Warm renders (one instance, fonts loaded, ${RUNS} alternating runs each)

The CJK/emoji file is the py50 slice of bench/render (textwrap.py 238-287) with a comment in
Chinese, Japanese or Korean plus an emoji on every other line; its ASCII twin is the same text with
every wide character (and emoji) replaced by two letters, so both images have the same size.

| input | image | median ms | min ms |
| --- | --- | ---: | ---: |
${timed.map((t) => `| ${t.name} | ${t.size} | ${f2(t.median)} | ${f2(t.min)} |`).join('\n')}

CJK/emoji over its ASCII twin: **${f2(ratio)}x** (budget 2x). py50: **${f2(timed[2].median)} ms** median (budget 10 ms).

## First load of each asset font in a new isolate (a fresh Node process each)

first = the first render needing the font (the host reads the file and runs the request again,
FreeType opens the font, glyphs are rasterised); warm = the same render afterwards; load = first - warm
(budget 200 ms).

| font | bytes | file read ms | first ms | warm ms | load ms |
| --- | ---: | ---: | ---: | ---: | ---: |
${loads.map((l) => `| ${l.font} | ${l.bytes} | ${l.read_ms} | ${f2(l.first_ms)} | ${f2(l.warm_ms)} | ${f2(l.first_ms - l.warm_ms)} |`).join('\n')}

In workerd (\`wrangler dev\`, local; a new Worker per font; the font comes through the ASSETS binding;
times are whole HTTP requests from Node, so warm includes the HTTP round trip):

| font | first ms | warm ms | load ms |
| --- | ---: | ---: | ---: |
${workerd.map((l) => `| ${l.font} | ${f2(l.first_ms)} | ${f2(l.warm_ms)} | ${f2(l.first_ms - l.warm_ms)} |`).join('\n')}

## Memory

${memoryMd()}

## render.wasm

${before ? `before: ${before.raw} bytes, ${before.gz} gzip -9; ` : ''}after: ${after.raw} bytes, **${after.gz} bytes gzip -9** (budget 3 MB gzipped).
`;
if (args.out) writeFileSync(args.out, md);
console.log(md);
