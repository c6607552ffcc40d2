// Scripts and emoji budgets (issue 25): render.wasm under Node through the CLI's code path
// (host/cli/render.mjs -> host/runtime.mjs FunctionModule), fonts read from build/assets as the
// Worker reads them from its assets binding.
//
//   node --no-liftoff bench/render/scripts.mjs [--out bench/results/scripts.md] [--runs 200] [--fonts a.otf,b.ttf]
//
// 1. A 50-line Python file with CJK, kana, Hangul and emoji comments against its ASCII twin (the
//    same file with every wide character replaced by two letters: the same image size), warm
//    instance, alternating runs: median ratio, budget 2x. Also the py50 file of bench/render.
// 2. Each asset font's first load in a new isolate: a fresh Node process per font, which renders
//    an ASCII line (warm-up, not counted), then a line needing the font (timed: the host reads
//    the file, the render asks again, FreeType opens the font, the glyphs are drawn), then the
//    same line again (warm). Load cost = first - warm; budget 200 ms.
//    The same in local workerd for the CJK, emoji and two small files, a new Worker per font,
//    with the devtools inspector `wrangler dev` attaches and without it (as deployed), the first
//    render cut into phases by its Server-Timing header; and the assets server alone (a probe
//    Worker, asset_probe.worker.mjs, that only fetches the file through the same binding).
// 3. Peak wasm memory with every asset font loaded (one fresh instance renders all scripts).
// 4. render.wasm size, raw and gzip -9 (budget 3 MB gzipped); BEFORE_WASM=path gives the
//    size before the change for the report.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadRenderModule, callRender, wranglerVars, DEFAULT_WASM, ROOT } from '../../host/cli/render.mjs';
import { FunctionModule, assetLoadMs, assetCacheBytes } from '../../host/runtime.mjs';
import { unstable_startWorker } from 'wrangler';
import { freePort, TEST_SECRETS } from '../../tests/integration/harness.mjs';
import { median } from './stats.mjs';
import { FONT_SAMPLES, ASSET_FILES } from './font_samples.mjs';
import { withCjkComments, asciiTwin } from './cjk_sample.mjs';

const { values: args } = parseArgs({ options: { out: { type: 'string' }, runs: { type: 'string' }, child: { type: 'string' },
  'memory-only': { type: 'boolean' },
  fonts: { type: 'string' } } });
// --fonts a.otf,b.ttf: only these in the first-load tables (a quick look; a recorded run has all).
const ONLY = args.fonts ? new Set(args.fonts.split(',')) : null;
const RUNS = Number(args.runs ?? 200);
const loadAtStart = os.loadavg().map((x) => x.toFixed(2)).join(' ');

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
    read_ms: assetLoadMs[`fonts/${args.child}`]?.ms,
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
for (const font of Object.keys(FONT_SAMPLES).filter((f) => !ONLY || ONLY.has(f))) {
  // Default V8 tiers (Liftoff first), as a new Workers isolate runs code it has not run yet.
  const out = execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--child', font],
    { cwd: ROOT, encoding: 'utf8' });
  loads.push(JSON.parse(out.trim().split('\n').pop()));
}

// The same in workerd (local, as `wrangler dev` runs it): a new Worker (isolate) per font, the
// font fetched through the ASSETS binding. Twice: with the devtools inspector `wrangler dev`
// always attaches (and the tests run under), and without it, as a deployed Worker runs. One ASCII
// request first (isolate start-up, not counted). The first render's Server-Timing header
// (host/runtime.mjs FunctionModule.call) says where its time went.
// Without the inspector every file; with it the split CJK and emoji files and two small ones.
const WORKERD_FONTS = Object.keys(FONT_SAMPLES).filter((f) => !ONLY || ONLY.has(f));
const INSPECTED_FONTS = WORKERD_FONTS.filter((f) => /^(cjk|emoji|devanagari|thai)/.test(f));
const COMPAT = readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8').match(/^compatibility_date = .*$/m)[0];

// A config in a fresh temp folder: the Worker (the project's wrangler.toml, as the tests write it)
// or the asset probe (bench/render/asset_probe.worker.mjs with the same [assets] and nothing else).
function workerConfig(probe) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scripts-bench-'));
  const assets = path.join(ROOT, 'build/assets');
  const toml = probe
    ? `name = "asset-probe"\nmain = "${path.join(ROOT, 'bench/render/asset_probe.worker.mjs')}"\n${COMPAT}\n\n` +
      `[assets]\ndirectory = "${assets}"\nbinding = "ASSETS"\nrun_worker_first = true\n`
    : readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8')
      .replace(/^main = .*$/m, `main = "${path.join(ROOT, 'host/worker.mjs')}"`)
      .replace(/^migrations_dir = .*$/m, `migrations_dir = "${path.join(ROOT, 'migrations')}"`)
      .replace(/^directory = "\.\/build\/assets"$/m, `directory = "${assets}"`)
      .replace(/^simple = \{ limit = \d+/m, 'simple = { limit = 1000000');
  writeFileSync(path.join(dir, 'wrangler.toml'), toml);
  writeFileSync(path.join(dir, '.dev.vars'), Object.entries(TEST_SECRETS).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n');
  return dir;
}

// Serves a config on a free port: `wrangler dev` (inspector attached) or wrangler's own API with
// the inspector off. Returns { url, stop }.
async function serve(probe, inspector) {
  const dir = workerConfig(probe);
  const config = path.join(dir, 'wrangler.toml');
  const state = path.join(dir, 'state');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let stop;
  if (inspector) {
    const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', CI: 'true' };
    const child = spawn(path.join(ROOT, 'node_modules/.bin/wrangler'), ['dev', '-c', config, '--ip', '127.0.0.1', '--port', String(port),
      '--inspector-port', String(await freePort()), '--persist-to', state, '--log-level', 'none', '--show-interactive-dev-session=false'],
    { cwd: dir, env, detached: true, stdio: 'ignore' });
    const exited = new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
    stop = async () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ } await exited; };
  } else {
    const w = await unstable_startWorker({ config, dev: { server: { hostname: '127.0.0.1', port }, inspector: false, persist: state, logLevel: 'none' } });
    await w.ready;
    stop = () => w.dispose();
  }
  // Up when the port answers as this Worker would (not as anything else that took the port).
  const deadline = Date.now() + 90000;
  for (;;) {
    try {
      const r = await fetch(`${url}/${probe ? '' : 'healthz'}`, { signal: AbortSignal.timeout(2000) });
      const text = await r.text();
      if (probe ? r.status === 400 && text.includes('"name"') : r.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`${config} did not start`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop: async () => { await stop(); rmSync(dir, { recursive: true, force: true }); } };
}

const timedFetch = async (url, init) => {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const body = await res.arrayBuffer();
  return { ms: performance.now() - t0, res, body };
};

// 1. The assets server and the binding alone: each file fetched once with arrayBuffer(), once
//    read as a stream, once more with arrayBuffer(); whole HTTP requests from Node, and the
//    probe's own times for the response head and body.
async function probeAssets(inspector, fonts) {
  const w = await serve(true, inspector);
  const rows = {};
  try {
    // The assets server's own start-up, not counted: the smallest file once.
    const smallest = ASSET_FILES.reduce((a, f) => (f.bytes < a.bytes ? f : a));
    await timedFetch(`${w.url}/?name=${smallest.file}`);
    for (const font of fonts) {
      const get = async (read) => {
        const r = await timedFetch(`${w.url}/?name=fonts/${font}&read=${read}`);
        const j = JSON.parse(new TextDecoder().decode(r.body));
        if (j.bytes !== ASSET_FILES.find((f) => f.file === `fonts/${font}`)?.bytes) throw new Error(`probe ${font}: ${JSON.stringify(j)}`);
        return { ms: r.ms, head: j.head_ms, body: j.body_ms, chunks: j.chunks };
      };
      rows[font] = { buffer: await get('buffer'), stream: await get('stream'), again: await get('buffer') };
    }
  } finally {
    await w.stop();
  }
  return rows;
}

// 2. The render's first load in a new Worker per font.
async function firstLoads(inspector, fonts) {
  const rows = {};
  for (const font of fonts) {
    try {
      rows[font] = await firstLoad(inspector, font);
    } catch (err) {
      // A port another process took between freePort() and wrangler's bind: once more.
      console.error(`${font}: ${err.message}; again`);
      rows[font] = await firstLoad(inspector, font);
    }
  }
  return rows;
}

async function firstLoad(inspector, font) {
  {
    const w = await serve(false, inspector);
    try {
      const post = async (code) => {
        const r = await timedFetch(`${w.url}/render`, { method: 'POST', body: JSON.stringify(request(code)) });
        if (r.res.status !== 200) throw new Error(`workerd ${font}: ${r.res.status}`);
        return r;
      };
      await post('x = 1\n');
      await post('y = 2\n');
      const code = FONT_SAMPLES[font] + '\nx = 1\n';
      const first = await post(code);
      const timing = Object.fromEntries((first.res.headers.get('server-timing') ?? '').split(',').map((x) => {
        const [k, ...rest] = x.trim().split(';');
        const d = rest.find((p) => p.startsWith('dur=')) ?? rest.find((p) => p.startsWith('desc=')) ?? '';
        return [k, Number(d.replace(/^(dur|desc)=/, '').replace(/"/g, ''))];
      }));
      const warm = [];
      for (let i = 0; i < 5; i++) warm.push((await post(code)).ms);
      return { first_ms: first.ms, warm_ms: median(warm), timing };
    } finally {
      await w.stop();
    }
  }
}

const probes = { on: await probeAssets(true, INSPECTED_FONTS), off: await probeAssets(false, WORKERD_FONTS) };
const workerd = { on: await firstLoads(true, INSPECTED_FONTS), off: await firstLoads(false, WORKERD_FONTS) };
const slowestOff = WORKERD_FONTS.reduce((a, f) => {
  const l = workerd.off[f].first_ms - workerd.off[f].warm_ms;
  return l > a.load ? { font: f, load: l } : a;
}, { font: null, load: -Infinity });

// What the tables below show, from the largest file measured both ways.
function findings() {
  const big = INSPECTED_FONTS.reduce((a, f) => (fileBytes(f) > fileBytes(a) ? f : a), INSPECTED_FONTS[0]);
  if (!big) return '';
  const on = workerd.on[big];
  const off = workerd.off[big];
  const inside = (t) => (t.pass1 ?? 0) + (t.assets ?? 0) + (t.pass2 ?? 0);
  const mb = fileBytes(big) / 1e6;
  return `Where the time goes, ${big} (${mb.toFixed(2)} MB): with the inspector the first render takes ${f1(on.first_ms)} ms, ` +
    `of which the Worker's own code (both passes and the load, Server-Timing) is ${f1(inside(on.timing))} ms and the ` +
    `HTTP round trip about ${f1(on.warm_ms)} ms; the other ${f1(on.first_ms - on.warm_ms - inside(on.timing))} ms come after ` +
    'the Worker has answered and grow with the bytes it read. The probe that only fetches the file shows the same: ' +
    `${f1(probes.on[big].buffer.ms)} ms per request with the inspector, ${f1(probes.off[big].buffer.ms)} ms without. ` +
    `Without the inspector the same render takes ${f1(off.first_ms)} ms (load ${f1(off.first_ms - off.warm_ms)} ms): the ` +
    'per-megabyte cost of the earlier records was the local devtools session, which a deployed Worker does not have, ' +
    'not the assets server, the copy into wasm memory or FreeType.';
}

const size = (f) => { const b = readFileSync(f); return { raw: b.length, gz: gzipSync(b, { level: 9 }).length }; };
const after = size(wasmPath);
const before = process.env.BEFORE_WASM ? size(process.env.BEFORE_WASM) : null;

const f2 = (x) => x.toFixed(2);
const f1 = (x) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(1));
const fileBytes = (font) => ASSET_FILES.find((f) => f.file === `fonts/${font}`)?.bytes ?? '?';
const cmd = `node --no-liftoff bench/render/scripts.mjs${args.out ? ` --out ${args.out}` : ''}${args.runs ? ` --runs ${args.runs}` : ''}` +
  (before ? ` (BEFORE_WASM=${process.env.BEFORE_WASM})` : '');
const md = `# Scripts and emoji: speed, font loads, memory, size

Recorded ${new Date().toISOString()} on ${os.cpus().length} cores (${os.cpus()[0].model.trim()}), Node ${process.version},
load averages ${loadAtStart} at the start and ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} at the end (1, 5, 15 min; the machine is shared).
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

## First load of each asset font in workerd (local; a new Worker per font)

The same renders in local workerd, the font coming through the ASSETS binding (wrangler.toml
[assets]); times are whole HTTP requests from Node, so warm includes the HTTP round trip. Twice:
**inspector on** is \`wrangler dev\` as the tests and \`make run\` start it, with the devtools
inspector it always attaches; **inspector off** is the same Worker, config and workerd started
through wrangler's API without the inspector, as a deployed Worker runs (no devtools session);
every file without it, the CJK, emoji, Devanagari and Thai files with it. load = first - warm
(budget 200 ms).

${findings()}

| font | bytes | on: first | on: warm | on: load | off: first | off: warm | **off: load** |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${WORKERD_FONTS.map((font) => { const l = workerd.off[font]; const o = workerd.on[font]; const on = o ? `${f2(o.first_ms)} | ${f2(o.warm_ms)} | ${f2(o.first_ms - o.warm_ms)}` : '- | - | -'; return `| ${font} | ${fileBytes(font)} | ${on} | ${f2(l.first_ms)} | ${f2(l.warm_ms)} | **${f2(l.first_ms - l.warm_ms)}** |`; }).join('\n')}

Slowest first load without the inspector: **${f2(slowestOff.load)} ms** (${slowestOff.font}; budget 200 ms).

Where the first render's time went, from its Server-Timing header (host/runtime.mjs
FunctionModule.call; ms inside the Worker): pass 1 = the render up to "x-host-need-assets" (the
request runs twice: this is the first run), fetch = ASSETS.fetch up to the response head, body =
reading the body with arrayBuffer(), pass 2 = the second run, of which room = the module making
room for the file and copy = the copy into wasm memory; open+draw = the rest of pass 2:
FreeType/HarfBuzz opening the face, the first glyphs and the usual render (which alone takes about
the warm ms of the Node table above). The clock inside workerd moves in whole milliseconds.

| font | on: pass 1 | on: fetch | on: body | on: pass 2 | off: pass 1 | off: fetch | off: body | off: pass 2 | off: room | off: copy | off: open+draw |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${WORKERD_FONTS.map((font) => { const o = workerd.on[font]?.timing ?? {}; const t = workerd.off[font].timing; return `| ${font} | ${f1(o.pass1)} | ${f1(o.fetch)} | ${f1(o.body)} | ${f1(o.pass2)} | ${f1(t.pass1)} | ${f1(t.fetch)} | ${f1(t.body)} | ${f1(t.pass2)} | ${f1(t.room)} | ${f1(t.copy)} | ${f1(t.pass2 - t.room - t.copy)} |`; }).join('\n')}

The assets server and binding alone (bench/render/asset_probe.worker.mjs: a Worker that only fetches
the file through ASSETS and answers its length; one Worker per mode, each file fetched three times
in a row: arrayBuffer(), then as a stream (chunks counted), then arrayBuffer() again). request = the
whole HTTP request from Node; head/body = the probe's own times for the response head and body.

| font | bytes | on: request | on: head | on: body | on: stream request | on: again | off: request | off: head | off: body | off: stream request (chunks) | off: again |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${WORKERD_FONTS.map((font) => { const o = probes.on[font]; const f = probes.off[font]; const on = o ? `${f1(o.buffer.ms)} | ${o.buffer.head} | ${o.buffer.body} | ${f1(o.stream.ms)} | ${f1(o.again.ms)}` : '- | - | - | - | -'; return `| ${font} | ${fileBytes(font)} | ${on} | ${f1(f.buffer.ms)} | ${f.buffer.head} | ${f.buffer.body} | ${f1(f.stream.ms)} (${f.stream.chunks}) | ${f1(f.again.ms)} |`; }).join('\n')}

## Memory

${memoryMd()}

## render.wasm

${before ? `before: ${before.raw} bytes, ${before.gz} gzip -9; ` : ''}after: ${after.raw} bytes, **${after.gz} bytes gzip -9** (budget 3 MB gzipped).
`;
if (args.out) writeFileSync(args.out, md);
console.log(md);
