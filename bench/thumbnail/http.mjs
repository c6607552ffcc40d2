// POST /thumbnail (basic, JPEG q85) on the real render.wasm in local workerd, after one warm-up
// request: the wall time of the HTTP round trip, and the CPU workerd spent on each request
// (bench/workerd_cpu.mjs: HTTP, the JS host and the wasm; what the Workers CPU limit counts,
// give or take local workerd's own overhead).
//
//   node bench/thumbnail/http.mjs [runs]
import { startWorker } from '../../tests/integration/harness.mjs';
import { cpuNs, workerdPids } from '../workerd_cpu.mjs';

const runs = Number(process.argv[2] ?? 30);
const body = JSON.stringify({ title: 'I Survived 100 Days in Hardcore Minecraft!', subtitle: 'Part 1', watermark: '@CodeImageBot' });
const w = await startWorker();
try {
  const pids = workerdPids(w.pid);
  const post = () => fetch(`${w.url}/thumbnail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  let r = await post();
  if (r.status !== 200) throw new Error(`status ${r.status}: ${await r.text()}`);
  const size = (await r.arrayBuffer()).byteLength;
  const ms = [], cpu = [];
  for (let i = 0; i < runs; i++) {
    const c0 = cpuNs(pids);
    const t0 = performance.now();
    r = await post();
    await r.arrayBuffer();
    ms.push(performance.now() - t0);
    cpu.push((cpuNs(pids) - c0) / 1e6);
  }
  const at = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))].toFixed(1);
  console.log(`runs ${runs}  wall median ${at(ms, 0.5)} ms  p90 ${at(ms, 0.9)} ms  min ${at(ms, 0)} ms  |  ` +
    `workerd CPU median ${at(cpu, 0.5)} ms  p90 ${at(cpu, 0.9)} ms  |  size ${size} bytes`);
} finally {
  await w.stop();
}
