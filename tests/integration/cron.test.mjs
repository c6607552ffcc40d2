// Cron in local workerd: the watchdog, TTL cleanup, alerts and /metrics. Time moves through the
// trigger's scheduledTime, never by waiting: miniflare's /cdn-cgi/handler/scheduled takes a
// `time` (wrangler's /__scheduled shortcut, used in foundation.test.mjs, ignores it).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';

// Real time: the queue objects (which the watchdog kicks) judge jobs by the real clock.
const T0 = Date.now();
const MIN = 60000;
const DAY = 86400000;
let w;
let tg;

before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  w = await startWorker({ vars: { TELEGRAM_API_BASE: tg.url, ADMIN_CHAT_ID: '4242', METRICS_TOKEN: 'metrics-token-123' } });
});
after(async () => {
  await w?.stop();
  await tg?.stop();
});
beforeEach(() => tg.reset());

const get = async (path) => (await fetch(`${w.url}${path}`)).json();
const seed = (q) => get(`/__diag/seed-generation?${new URLSearchParams(q)}`);
const generation = async (id) => (await get(`/__diag/generation?id=${id}`)).row;
async function cron(expr, time) {
  const r = await fetch(`${w.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(expr)}&time=${time}`);
  assert.equal(r.status, 200);
}

test('a stuck generation is failed, refunded once and its user told once', async () => {
  const { id } = await seed({ user: 501, credits: 10, cost: 3, status: 'processing', at_ms: T0 });
  assert.equal((await generation(id)).credits, 7);
  await cron('* * * * *', T0 + 9 * MIN); // not yet: the timeout is 600 s
  assert.equal((await generation(id)).status, 'processing');
  await cron('* * * * *', T0 + 11 * MIN);
  const g = await generation(id);
  assert.equal(g.status, 'failed');
  assert.equal(g.error, 'timeout');
  assert.equal(g.credits, 10);
  const told = tg.calls.filter((c) => c.method === 'sendMessage' && Number(c.params.chat_id) === 501);
  assert.equal(told.length, 1);
  assert.match(told[0].params.text, /took too long.*3 credits were returned/);
  // Again, and twice at once: nothing more happens.
  await Promise.all([cron('* * * * *', T0 + 12 * MIN), cron('* * * * *', T0 + 12 * MIN)]);
  assert.equal((await generation(id)).credits, 10);
  assert.equal(tg.calls.filter((c) => Number(c.params.chat_id) === 501).length, 1);
});

test('a user whose message failed to send is told on a later run', async () => {
  const { id } = await seed({ user: 502, credits: 5, cost: 2, status: 'processing', at_ms: T0 });
  tg.failNext('sendMessage', 400);
  await cron('* * * * *', T0 + 20 * MIN);
  assert.equal((await generation(id)).notified_ms, null);
  assert.equal((await generation(id)).credits, 5);
  await cron('* * * * *', T0 + 21 * MIN);
  assert.ok((await generation(id)).notified_ms > 0);
  const told = tg.calls.filter((c) => Number(c.params.chat_id) === 502 && !c.failed);
  assert.equal(told.length, 1);
});

test('expired images leave R2, their rows stay as history; a second run changes nothing', async () => {
  const old = await seed({ user: 503, credits: 0, cost: 0, status: 'completed', at_ms: T0 - 31 * DAY, r2: 1 });
  const fresh = await seed({ user: 504, credits: 0, cost: 0, status: 'completed', at_ms: T0 - 2 * DAY, r2: 1 });
  const oldKey = (await generation(old.id)).r2_key;
  assert.equal((await get(`/__diag/r2-get?key=${oldKey}`)).found, true);
  await cron('0 * * * *', T0);
  const g = await generation(old.id);
  assert.equal(g.status, 'completed');
  assert.equal(g.r2_key, null);
  assert.equal((await get(`/__diag/r2-get?key=${oldKey}`)).found, false);
  const f = await generation(fresh.id);
  assert.ok(f.r2_key);
  assert.equal((await get(`/__diag/r2-get?key=${f.r2_key}`)).found, true);
  await cron('0 * * * *', T0);
  assert.ok((await generation(fresh.id)).r2_key);
});

test('alerts reach the admin chat at most once an hour', async () => {
  for (let i = 0; i < 6; i++) await seed({ user: 600 + i, credits: 1, cost: 1, status: 'processing', at_ms: T0 + 100 * MIN });
  await cron('* * * * *', T0 + 111 * MIN);
  await cron('* * * * *', T0 + 112 * MIN);
  const alerts = tg.calls.filter((c) => Number(c.params.chat_id) === 4242);
  assert.equal(alerts.length, 1);
  assert.match(alerts[0].params.text, /6 stuck generations/);
});

test('GET /metrics is Prometheus text behind METRICS_TOKEN and matches the database', async () => {
  assert.equal((await fetch(`${w.url}/metrics`)).status, 401);
  assert.equal((await fetch(`${w.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
  const r = await fetch(`${w.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-123' } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/plain; version=0\.0\.4/);
  const text = await r.text();
  const samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) {
      if (line) assert.match(line, /^# (HELP|TYPE) codeimage_\w+ /);
      continue;
    }
    const m = /^(codeimage_\w+)(\{[^}]*\})? (-?[\d.e+]+|\+Inf)$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    samples.set(m[1] + (m[2] ?? ''), Number(m[3]));
  }
  // The earlier tests made: 8 failed (timeouts) flux generations, 2 completed.
  assert.equal(samples.get('codeimage_generations{model="flux",status="failed"}'), 8);
  assert.equal(samples.get('codeimage_generations{model="flux",status="completed"}'), 2);
  assert.equal(samples.get('codeimage_stuck_generations'), 0);
  // Refunds: 3 + 2 + 6 x 1.
  assert.equal(samples.get('codeimage_credits_refunded_total'), 11);
  assert.equal(samples.get('codeimage_credits_spent_total'), 11);
});

test('a queued job its queue object lost is handed back by the watchdog and delivered once', async () => {
  // The row exists in D1 only, as after the object's storage was lost.
  const { id } = await seed({ user: 520, credits: 3, cost: 1, status: 'queued', at_ms: Date.now() });
  await cron('* * * * *', Date.now());
  await tg.waitFor((calls) => calls.some((c) => (c.method === 'sendPhoto' || c.method === 'sendDocument') &&
    Number(c.params.chat_id) === 520), 30000);
  const g = await generation(id);
  assert.equal(g.status, 'completed');
  assert.equal(g.credits, 2);
  // Another run does not run it again.
  await cron('* * * * *', Date.now());
  const photos = tg.calls.filter((c) => (c.method === 'sendPhoto' || c.method === 'sendDocument') && Number(c.params.chat_id) === 520);
  assert.equal(photos.length, 1);
});
