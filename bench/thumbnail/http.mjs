// Median time of POST /thumbnail (basic, JPEG q85) on the real render.wasm in local workerd:
// the wasm run plus the local HTTP round trip, after one warm-up request.
//
//   node bench/thumbnail/http.mjs [runs]
import { startWorker } from '../../tests/integration/harness.mjs';

const runs = Number(process.argv[2] ?? 30);
const body = JSON.stringify({ title: 'I Survived 100 Days in Hardcore Minecraft!', subtitle: 'Part 1', watermark: '@CodeImageBot' });
const w = await startWorker();
try {
  const post = () => fetch(`${w.url}/thumbnail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  let r = await post();
  if (r.status !== 200) throw new Error(`status ${r.status}: ${await r.text()}`);
  const size = (await r.arrayBuffer()).byteLength;
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    r = await post();
    await r.arrayBuffer();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const at = (q) => ms[Math.min(ms.length - 1, Math.floor(ms.length * q))].toFixed(1);
  console.log(`runs ${runs}  median ${at(0.5)} ms  p90 ${at(0.9)} ms  min ${ms[0].toFixed(1)} ms  size ${size} bytes`);
} finally {
  await w.stop();
}
