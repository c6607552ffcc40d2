// CPU time per Telegram update through the real Worker in local workerd.
//
// Sends updates one at a time to `wrangler dev` (with a fake Bot API on loopback) and reads the
// workerd process's CPU time from /proc/<pid>/task/*/schedstat (nanoseconds, all threads) before
// and after each one. The figure includes everything workerd does for the update: HTTP parsing,
// the JS host, the wasm, local D1 (SQLite, in the same process) and the outbound Bot API calls.
// It is an upper bound on what the Worker itself spends.
//
//   node bench/webhook/run.mjs [--updates 200] [--out bench/results/webhook.md]
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { startWorker, TEST_SECRETS } from '../../tests/integration/harness.mjs';
import { cpuNs, workerdPids } from '../workerd_cpu.mjs';
import { startFakeTelegram } from '../../tests/fakes/telegram.mjs';

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const N = Number(arg('--updates', 200));
const OUT = arg('--out', null);

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
const w = await startWorker({ vars: { TELEGRAM_API_BASE: tg.url } });
const pid = workerdPids(w.pid);
let updateId = 1;
const from = { id: 777, is_bot: false, first_name: 'Bench', language_code: 'en' };
const post = (text) => fetch(`${w.url}/telegram`, {
  method: 'POST',
  headers: { 'x-telegram-bot-api-secret-token': TEST_SECRETS.WEBHOOK_SECRET, 'content-type': 'application/json' },
  body: JSON.stringify({ update_id: updateId++, message: { message_id: updateId, date: 1,
    chat: { id: from.id, type: 'private' }, from, text } }),
});

// A 50-line Python file from the machine's own Python installation (not committed).
const pySource = readFileSync('/usr/lib/python3.11/textwrap.py', 'utf8').split('\n').slice(0, 50).join('\n');

async function measure(label, send, count) {
  for (let i = 0; i < 20; i++) await (await send()).arrayBuffer(); // warm-up: instances, JIT
  const cpu = [];
  const wall = [];
  for (let i = 0; i < count; i++) {
    const c0 = cpuNs(pid);
    const t0 = performance.now();
    const r = await send();
    await r.arrayBuffer();
    wall.push(performance.now() - t0);
    cpu.push((cpuNs(pid) - c0) / 1e6);
    if (r.status !== 200) throw new Error(`${label}: HTTP ${r.status}`);
  }
  return { label, count, cpuMedian: pct(cpu, 50), cpuP99: pct(cpu, 99), wallMedian: pct(wall, 50), wallP99: pct(wall, 99) };
}

let rows;
try {
  await post(`/save bench.py\n${pySource}`);
  // The code-image limit (10 a minute) would refuse most /image updates; the benchmark measures
  // the work, so each /image comes from a fresh user.
  const baseRow = await measure('baseline: GET /healthz (HTTP, host, one wasm call, no D1)',
    () => fetch(`${w.url}/healthz`), N);
  const d1Row = await measure('calibration: GET /__diag/d1 (baseline + 2 local D1 queries)',
    () => fetch(`${w.url}/__diag/d1?value=x`), N);
  const textRow = await measure('text command (/start): 3 D1 queries, 1 Bot API call', () => post('/start'), N);
  const imageRuns = [];
  const imgCpu = [];
  const imgWall = [];
  for (let i = 0; i < Math.min(N, 100); i++) {
    from.id = 10000 + i;
    await post(`/save bench.py\n${pySource}`);
    const c0 = cpuNs(pid);
    const t0 = performance.now();
    const r = await post('/image bench.py');
    await r.arrayBuffer();
    imgWall.push(performance.now() - t0);
    imgCpu.push((cpuNs(pid) - c0) / 1e6);
    imageRuns.push(r.status);
  }
  const photos = tg.calls.filter((c) => c.method === 'sendPhoto').length;
  if (photos < imageRuns.length) throw new Error(`only ${photos} of ${imageRuns.length} /image updates sent a photo`);
  const imgRow = { label: '/image of a 50-line Python file: 5 D1 queries, render, sendPhoto', count: imgCpu.length,
    cpuMedian: pct(imgCpu.slice(5), 50), cpuP99: pct(imgCpu.slice(5), 99),
    wallMedian: pct(imgWall.slice(5), 50), wallP99: pct(imgWall.slice(5), 99) };
  rows = [baseRow, d1Row, textRow, imgRow];
} finally {
  await w.stop();
  await tg.stop();
}

const f = (x) => x.toFixed(2);
const table = ['| update | n | CPU median ms | CPU p99 ms | wall median ms | wall p99 ms |', '| --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.label} | ${r.count} | ${f(r.cpuMedian)} | ${f(r.cpuP99)} | ${f(r.wallMedian)} | ${f(r.wallP99)} |`)].join('\n');
console.log(table);
if (OUT) {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown';
  writeFileSync(OUT, `# Webhook: CPU per update\n\nRecorded ${new Date().toISOString()} on ${os.cpus().length} cores (${cpu}), Node ${process.version}.\n` +
    `Command: \`node bench/webhook/run.mjs --updates ${N} --out ${OUT}\`\n\n` +
    'CPU is the workerd process\'s CPU time (all threads, /proc schedstat) per update, sent one at a time; it includes ' +
    'HTTP handling, the JS host, the wasm, local D1 (SQLite in-process) and the calls to the fake Bot API, so it is an upper ' +
    'bound on the Worker\'s own CPU; the baseline row shows what workerd spends on a request that does almost nothing, and the calibration row what each local D1 query costs (local D1 is miniflare\'s emulation, far heavier than the real binding\'s round trip). The /image row includes the render (see bench/results/render.md).\n\n' + table + '\n');
}
