// The foundation end to end in local workerd: C++ awaiting D1, an R2 round trip, a Durable Object
// alarm, cron through /__scheduled, configuration checks, trap recovery.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { startWorker, waitFor, ROOT } from './harness.mjs';

let w;
before(async () => {
  w = await startWorker({ vars: { WEBHOOK_SECRET: 'short-secret' } });
});
after(async () => {
  await w?.stop();
});

test('GET /healthz lists every function with its real wasm size', async () => {
  const res = await fetch(`${w.url}/healthz`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /application\/json/);
  const body = await res.json();
  assert.equal(body.ok, true);
  assert.match(body.version, /^\d+\.\d+\.\d+$/);
  const names = body.functions.map((f) => f.name).sort();
  assert.deepEqual(names, ['cron', 'generate', 'render', 'webhook']);
  for (const f of body.functions) {
    const onDisk = statSync(path.join(ROOT, 'build/wasm/modules', `${f.name}.wasm`)).size;
    assert.equal(f.wasm_bytes, onDisk, `${f.name} size`);
  }
  assert.equal(body.config.TELEGRAM_BOT_TOKEN, 'ok');
  assert.equal(body.config.WEBHOOK_SECRET, 'missing or invalid');
  // The runtime features the product relies on, as a deployment would be checked (make smoke).
  assert.equal(body.runtime.jspi, true);
  assert.equal(body.runtime.wasm_exceptions, true);
  for (const b of ['DB', 'BUCKET', 'MODEL_QUEUE']) assert.ok(body.runtime.bindings.includes(b), b);
  const toml = readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8');
  assert.equal(body.runtime.compatibility_date, /^compatibility_date = "([^"]+)"/m.exec(toml)[1]);
  assert.equal(body.missing, undefined);
});

test('a route whose secret is too short answers 503 naming the setting, never its value', async () => {
  const res = await fetch(`${w.url}/telegram`, { method: 'POST', body: '{}' });
  assert.equal(res.status, 503);
  const text = await res.text();
  assert.match(JSON.parse(text).error, /WEBHOOK_SECRET is shorter than 16/);
  assert.ok(!text.includes('short-secret'), 'secret value leaked');
  // Routes that do not need it keep working.
  assert.equal((await fetch(`${w.url}/render/languages`)).status, 200);
});

test('C++ awaits D1: a write and a read in one request, visible to the next request', async () => {
  const value = `v-${Math.random().toString(36).slice(2)}`;
  const res = await fetch(`${w.url}/__diag/d1?value=${value}`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { row: { v: value } });
  const again = await fetch(`${w.url}/__diag/d1?value=${value}-2`);
  assert.equal((await again.json()).row.v, `${value}-2`);
});

test('R2 put then get returns the same bytes, content type and metadata', async () => {
  const value = `bytes-${Date.now()}`;
  const res = await fetch(`${w.url}/__diag/r2?value=${value}`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.body, value);
  assert.equal(body.meta.found, true);
  assert.equal(body.meta.size, value.length);
  assert.equal(body.meta.content_type, 'text/plain');
  assert.deepEqual(body.meta.metadata, { by: 'diag' });
});

test('a Durable Object alarm set from C++ fires and runs C++ again', async () => {
  const set = await fetch(`${w.url}/__diag/alarm`, { method: 'POST' });
  assert.equal(set.status, 200);
  const rows = await waitFor(async () => {
    const r = await (await fetch(`${w.url}/__diag/alarm-state`, { method: 'POST' })).json();
    return r.rows.length > 0 && r.rows.every((x) => x.fired_ms !== null) ? r.rows : null;
  }, { what: 'the alarm to fire' });
  assert.ok(rows[0].fired_ms >= rows[0].set_ms);
});

test('cron triggers dispatch on the expression through /__scheduled', async () => {
  for (const cron of ['* * * * *', '0 * * * *']) {
    const r = await fetch(`${w.url}/__scheduled?cron=${encodeURIComponent(cron)}`);
    assert.equal(r.status, 200);
  }
  const runs = await (await fetch(`${w.url}/__diag/cron-runs`)).json();
  assert.deepEqual(runs.results.map((r) => r.job), ['watchdog', 'cleanup']);
});

test('a trapped module is replaced: the error is generic and the next request works', async () => {
  const res = await fetch(`${w.url}/__diag/trap`);
  assert.equal(res.status, 500);
  const text = await res.text();
  assert.deepEqual(JSON.parse(text), { error: 'internal error' });
  assert.ok(!/wasm|unreachable|at /.test(text), 'internals leaked');
  const next = await fetch(`${w.url}/__diag/d1?value=after-trap`);
  assert.equal(next.status, 200);
  assert.equal((await next.json()).row.v, 'after-trap');
});

test('unknown routes and oversize bodies get JSON errors', async () => {
  const r404 = await fetch(`${w.url}/nope`);
  assert.equal(r404.status, 404);
  assert.equal((await r404.json()).error, 'no such route');
  const big = new Uint8Array(9 * 1024 * 1024);
  const r413 = await fetch(`${w.url}/render`, { method: 'POST', body: big });
  assert.equal(r413.status, 413);
  assert.match((await r413.json()).error, /too large/);
});

test('the credit ledger applies each (reason, ref) once and never overdraws', async () => {
  const call = async (delta, reason, ref) =>
    (await fetch(`${w.url}/__diag/ledger?id=900&delta=${delta}&reason=${reason}&ref=${ref}`)).json();
  assert.deepEqual(await call(10, 'bonus', 'welcome'), { applied: true, insufficient: false, balance: 10 });
  assert.deepEqual(await call(10, 'bonus', 'welcome'), { applied: false, insufficient: false, balance: 10 });
  assert.deepEqual(await call(-4, 'reserve', 'gen:1'), { applied: true, insufficient: false, balance: 6 });
  assert.deepEqual(await call(-7, 'reserve', 'gen:2'), { applied: false, insufficient: true, balance: 6 });
  const unknown = await call(5, 'gift', 'x');
  assert.equal(unknown.applied, false);
  assert.equal(unknown.balance, 6);
});
