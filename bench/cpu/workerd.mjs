// Cross-check for bench/cpu/run.mjs: the same requests to the real Worker in local workerd, CPU
// of the workerd processes per request (bench/workerd_cpu.mjs), for the routes that touch no
// local D1/R2 emulation, where workerd's figure is the Worker's own CPU plus workerd's HTTP
// handling (the /healthz row shows that floor).
//
//   node bench/cpu/workerd.mjs [runs] [--out FILE.json]
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { startWorker } from '../../tests/integration/harness.mjs';
import { cpuNs, workerdPids } from '../workerd_cpu.mjs';

const runs = Number(process.argv[2] ?? 100);
const outIdx = process.argv.indexOf('--out');
const WARMUP = 20;

function pythonLines(n) {
  const out = ['import math', ''];
  for (let i = 0; out.length < n; i++) {
    out.push(`def area_${i}(radius: float, scale: int = ${i}) -> float:`);
    out.push(`    """Area of circle ${i}, scaled."""`);
    out.push(`    return math.pi * radius ** 2 * scale  # ${'x'.repeat(i % 20)}`);
    out.push('');
  }
  return out.slice(0, n).join('\n');
}

const json = { 'content-type': 'application/json' };
const routes = [
  ['GET /healthz', '/healthz', undefined],
  ...[50, 200, 1000].map((n) => [`POST /render, ${n} lines`, '/render', JSON.stringify({ code: pythonLines(n), language: 'python' })]),
  ['POST /thumbnail (basic, JPEG)', '/thumbnail', JSON.stringify({ title: 'I Survived 100 Days in Hardcore Minecraft! #1', subtitle: 'Part 1', watermark: '@CodeImageBot' })],
];

const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return Number(s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)].toFixed(2)); };
const w = await startWorker();
const results = [];
const load0 = loadavg()[0];
try {
  const pids = workerdPids(w.pid);
  for (const [name, p, body] of routes) {
    const cpu = [];
    for (let i = 0; i < WARMUP + runs; i++) {
      const c0 = cpuNs(pids);
      const r = await fetch(`${w.url}${p}`, body ? { method: 'POST', headers: json, body } : {});
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`${name}: ${r.status}`);
      if (i >= WARMUP) cpu.push((cpuNs(pids) - c0) / 1e6);
    }
    const row = { route: name, n: runs, workerd_cpu_median: q(cpu, 0.5), workerd_cpu_p99: q(cpu, 0.99) };
    results.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  await w.stop();
}
const meta = { date: new Date().toISOString(), loadavg_before: load0, loadavg_after: loadavg()[0], runs, warmup: WARMUP,
  command: `node bench/cpu/workerd.mjs ${process.argv.slice(2).join(' ')}` };
console.log(JSON.stringify(meta));
if (outIdx > 0) writeFileSync(process.argv[outIdx + 1], JSON.stringify({ meta, results }, null, 1) + '\n');
