// Load on the real Worker in local workerd (loopback only, bounded in count and time): Telegram
// updates at a steady rate (half /start, half /image of a 50-line file, 10% of them delivered a
// second time as Telegram retries do) and POST /render in parallel. Reports the sustained rate,
// p50/p99 latency, errors, and whether any update was processed twice or lost.
//
//   node bench/load/run.mjs [--seconds 60] [--rate 10] [--render-rate 5] [--out bench/results/load.md]
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { startWorker, TEST_SECRETS } from '../../tests/integration/harness.mjs';
import { startFakeTelegram } from '../../tests/fakes/telegram.mjs';

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const SECONDS = Math.min(Number(arg('--seconds', 60)), 300);
const RATE = Math.min(Number(arg('--rate', 10)), 200);
const RENDER_RATE = Math.min(Number(arg('--render-rate', 5)), 200);
const OUT = arg('--out', null);
const MAX_IN_FLIGHT = 64;

const pySource = readFileSync('/usr/lib/python3.11/textwrap.py', 'utf8').split('\n').slice(0, 50).join('\n');
const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
const w = await startWorker({ vars: { TELEGRAM_API_BASE: tg.url } });
let nextUpdate = 1;
const postUpdate = (body) => fetch(`${w.url}/telegram`, {
  method: 'POST',
  headers: { 'x-telegram-bot-api-secret-token': TEST_SECRETS.WEBHOOK_SECRET, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const update = (userId, text) => {
  const from = { id: userId, is_bot: false, first_name: `L${userId}`, language_code: 'en' };
  return { update_id: nextUpdate++, message: { message_id: 1, date: 1, chat: { id: userId, type: 'private' }, from, text } };
};

const results = { start: [], image: [], render: [] };
const errors = [];
const expected = new Map(); // chat id -> 'start' | 'image'
let inFlight = 0;
let skipped = 0;

async function timed(kind, fn) {
  if (inFlight >= MAX_IN_FLIGHT) {
    skipped++;
    return;
  }
  inFlight++;
  const t0 = performance.now();
  try {
    const r = await fn();
    await r.arrayBuffer();
    if (r.status !== 200) errors.push(`${kind}: HTTP ${r.status}`);
    results[kind].push(performance.now() - t0);
  } catch (err) {
    errors.push(`${kind}: ${err.message}`);
  } finally {
    inFlight--;
  }
}

let report;
try {
  // Users for /image have their file saved beforehand; each user sends one update in the run.
  const total = Math.ceil(SECONDS * RATE);
  const imageUsers = [];
  for (let i = 0; i < total; i += 2) {
    const id = 100000 + i;
    imageUsers.push(id);
    await (await postUpdate(update(id, `/save bench.py\n${pySource}`))).arrayBuffer();
  }
  tg.reset();
  const t0 = performance.now();
  const pending = [];
  let sent = 0;
  let renders = 0;
  const renderBody = JSON.stringify({ code: pySource, filename: 'bench.py' });
  while (performance.now() - t0 < SECONDS * 1000) {
    const elapsed = (performance.now() - t0) / 1000;
    while (sent < Math.min(total, Math.floor(elapsed * RATE))) {
      const isImage = sent % 2 === 0;
      const id = isImage ? 100000 + sent : 200000 + sent;
      const u = update(id, isImage ? '/image bench.py' : '/start');
      expected.set(id, isImage ? 'image' : 'start');
      pending.push(timed(isImage ? 'image' : 'start', () => postUpdate(u)));
      if (sent % 10 === 3) pending.push(timed(isImage ? 'image' : 'start', () => postUpdate(u)));
      sent++;
    }
    while (renders < Math.floor(elapsed * RENDER_RATE)) {
      pending.push(timed('render', () => fetch(`${w.url}/render`, { method: 'POST', body: renderBody })));
      renders++;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(pending);
  const wallS = (performance.now() - t0) / 1000;
  // Exactly-once: every update's chat got exactly one reply of the right kind.
  const replies = new Map();
  for (const c of tg.calls) {
    const chat = Number(c.params.chat_id);
    if (!expected.has(chat)) continue;
    const kind = c.method === 'sendPhoto' || c.method === 'sendDocument' ? 'image' : 'start';
    const key = `${chat}:${kind}`;
    replies.set(key, (replies.get(key) ?? 0) + 1);
  }
  let twice = 0;
  let lost = 0;
  for (const [chat, kind] of expected) {
    const n = replies.get(`${chat}:${kind}`) ?? 0;
    if (n === 0) lost++;
    if (n > 1) twice++;
  }
  report = { seconds: SECONDS, rate: RATE, renderRate: RENDER_RATE, wallS, sent, renders, skipped, errors, twice, lost };
} finally {
  await w.stop();
  await tg.stop();
}

const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const row = (k, label) => `| ${label} | ${results[k].length} | ${(results[k].length / report.wallS).toFixed(1)} | ${f(pct(results[k], 50))} | ${f(pct(results[k], 99))} |`;
const table = ['| kind | requests | per second | p50 ms | p99 ms |', '| --- | --- | --- | --- | --- |',
  row('start', 'update: /start'), row('image', 'update: /image (50-line file)'), row('render', 'POST /render (50 lines)')].join('\n');
const summary = `errors: ${report.errors.length}, updates processed twice: ${report.twice}, lost: ${report.lost}, ` +
  `requests not sent because ${MAX_IN_FLIGHT} were in flight: ${report.skipped}`;
console.log(table);
console.log(summary);
if (report.errors.length) console.log(report.errors.slice(0, 10).join('\n'));
if (OUT) {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown';
  writeFileSync(OUT, `# Load: webhook updates and POST /render together\n\nRecorded ${new Date().toISOString()} on ${os.cpus().length} cores (${cpu}), Node ${process.version}, ` +
    `local workerd via wrangler dev (local D1/R2/DO), fake Bot API on loopback.\n` +
    `Command: \`node bench/load/run.mjs --seconds ${SECONDS} --rate ${RATE} --render-rate ${RENDER_RATE} --out ${OUT}\`\n\n` +
    `Offered: ${RATE} updates/s (half /start, half /image; every tenth also delivered twice) and ${RENDER_RATE} renders/s for ${SECONDS} s.\n\n` +
    `${table}\n\n${summary}\n`);
}
process.exitCode = report.errors.length || report.twice || report.lost ? 1 : 0;
