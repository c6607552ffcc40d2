// py50 (bench/render's 50-line Python slice) on two render.wasm builds in one process, alternating
// runs: the cost of a change to plain code.  node --no-liftoff bench/render/ab_py50.mjs BEFORE.wasm
import { readFileSync } from 'node:fs';
import { loadRenderModule, callRender, wranglerVars } from '../../host/cli/render.mjs';
const py50 = readFileSync('/usr/lib/python3.11/textwrap.py', 'utf8').split('\n').slice(237, 287).join('\n').replace(/\t/g, '        ') + '\n';
const req = { code: py50, filename: 'py50.py', language: 'python', theme: 'monokai', font_size: 14 };
const mods = { before: await loadRenderModule({ wasmPath: process.argv[2], settings: wranglerVars() }),
  after: await loadRenderModule({ settings: wranglerVars() }) };
const t = { before: [], after: [] };
for (const m of Object.values(mods)) { await callRender(m, req); await callRender(m, req); }
for (let i = 0; i < 300; i++) for (const [k, m] of Object.entries(mods)) { const t0 = performance.now(); await callRender(m, req); t[k].push(performance.now() - t0); }
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
for (const k of Object.keys(t)) console.log(k, 'median', med(t[k]).toFixed(2), 'min', Math.min(...t[k]).toFixed(2));
console.log('ratio after/before (median)', (med(t.after) / med(t.before)).toFixed(3));
