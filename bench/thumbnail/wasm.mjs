// Time of one POST /thumbnail (basic, JPEG q85) inside the shipped render.wasm under Node: the
// same FunctionModule call the Worker host makes, without workerd's HTTP round trip. One module
// instance, after one warm-up call; `node --no-liftoff` so the module runs optimised code from
// the first call, as in a warm Worker isolate.
//
//   node --no-liftoff bench/thumbnail/wasm.mjs [runs]      (RENDER_WASM=path for another build)
import { loadRenderModule, wranglerVars } from '../../host/cli/render.mjs';

const runs = Number(process.argv[2] ?? 60);
const mod = await loadRenderModule({ settings: wranglerVars() });
const body = new TextEncoder().encode(JSON.stringify({
  title: 'I Survived 100 Days in Hardcore Minecraft!', subtitle: 'Part 1', watermark: '@CodeImageBot',
}));
const event = {
  kind: 'fetch',
  request: { method: 'POST', url: 'http://bench/thumbnail', path: '/thumbnail', query: '', headers: { 'content-type': 'application/json' } },
};
let r = await mod.call(event, body, {});
if (r.status !== 200) throw new Error(`status ${r.status}: ${new TextDecoder().decode(r.body)}`);
// Wall time, and the CPU time of this process (user + system): the latter is what still compares
// two builds when other work shares the cores.
const ms = [], cpu = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now(), c0 = process.cpuUsage();
  r = await mod.call(event, body, {});
  const c = process.cpuUsage(c0);
  ms.push(performance.now() - t0);
  cpu.push((c.user + c.system) / 1000);
}
ms.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
const at = (v, q) => v[Math.min(v.length - 1, Math.floor(v.length * q))].toFixed(1);
console.log(`runs ${runs}  median ${at(ms, 0.5)} ms  p90 ${at(ms, 0.9)} ms  min ${ms[0].toFixed(1)} ms  |  cpu median ${at(cpu, 0.5)} ms  |  size ${r.body.length} bytes`);
