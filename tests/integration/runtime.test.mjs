// A runtime without JSPI: the Worker must not look alive while every binding call fails. With
// JSPI forced off (HOST_FORCE_NO_JSPI, honoured only with diagnostics on) /healthz answers 503
// naming the feature, Telegram's updates get a 503 (Telegram resends them later) and no user is
// sent anything; once the runtime has JSPI again the resent update takes effect. `make smoke`
// (scripts/smoke.mjs, which `make deploy` ends with) is run against both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { startWorker, TEST_SECRETS, ROOT } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';
import { botClient } from './bot.mjs';

let w;
let tg;
let bot;
before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  w = await startWorker({ vars: { TELEGRAM_API_BASE: tg.url, HOST_FORCE_NO_JSPI: 'true' } });
  bot = botClient(w, tg);
});
after(async () => {
  await w?.stop();
  await tg?.stop();
});

test('without JSPI /healthz answers 503 naming the missing feature', async () => {
  const res = await fetch(`${w.url}/healthz`);
  assert.equal(res.status, 503);
  const body = await res.json();
  assert.equal(body.ok, false);
  assert.deepEqual(body.missing, ['jspi']);
  assert.equal(body.runtime.jspi, false);
  // The bindings themselves are there: only the way to await them is missing.
  for (const b of ['DB', 'BUCKET', 'MODEL_QUEUE']) assert.ok(body.runtime.bindings.includes(b), b);
});

const u = { id: 7301, is_bot: false, first_name: 'Ann', username: 'ann', language_code: 'en' };
let update;

// Runs the smoke probe against the Worker: its exit code and what it printed.
function smoke() {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'scripts/smoke.mjs'), w.url], (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, out: stdout + stderr });
    });
  });
}

test('the smoke probe fails a deployment without JSPI and says why', async () => {
  const r = await smoke();
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /FAIL healthz: HTTP 503, missing: jspi/);
  assert.match(r.out, /ok {3}render: PNG of \d+ bytes/);
  // The webhook answers 503 to everyone without JSPI, so this check fails too.
  assert.match(r.out, /FAIL webhook refuses a wrong secret: HTTP 503 instead of 401/);
  assert.match(r.out, /1 passed, 2 failed/);
});

test('without JSPI a Telegram update gets 503 (resent later) and the user is sent nothing', async () => {
  update = bot.messageUpdate(u, '/start');
  const res = await bot.postRaw(update);
  assert.equal(res.status, 503);
  assert.ok(Number(res.headers.get('retry-after')) > 0);
  assert.match((await res.json()).error, /JSPI/);
  // A YooKassa notification is refused the same way (YooKassa resends on anything but 200).
  const pay = await fetch(`${w.url}/payments/yookassa`, { method: 'POST', body: '{}' });
  assert.equal(pay.status, 503);
  assert.equal(tg.calls.length, 0, `the bot spoke: ${JSON.stringify(tg.calls.map((c) => c.method))}`);
});

test('without JSPI POST /render, which needs no binding, still draws', async () => {
  const res = await fetch(`${w.url}/render`, { method: 'POST', body: JSON.stringify({ code: 'x = 1', language: 'python' }) });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
});

test('once the runtime has JSPI the update Telegram resends is answered, once', async () => {
  await w.kill();
  const vars = path.join(w.dir, '.dev.vars');
  writeFileSync(vars, readFileSync(vars, 'utf8').replace(/^HOST_FORCE_NO_JSPI=.*$/m, 'HOST_FORCE_NO_JSPI="false"'));
  await w.restart();
  const health = await fetch(`${w.url}/healthz`);
  assert.equal(health.status, 200);
  assert.equal((await health.json()).runtime.jspi, true);
  assert.equal((await bot.postRaw(update)).status, 200);
  assert.equal((await bot.postRaw(update)).status, 200);
  const replies = bot.textsTo(u.id);
  assert.equal(replies.length, 1, `replies: ${JSON.stringify(replies)}`);
  assert.match(replies[0], /Ann|code|image/i);
});

test('the smoke probe passes the Worker with JSPI', async () => {
  const r = await smoke();
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /ok {3}healthz: version [\d.]+, compatibility \d{4}-\d\d-\d\d, bindings .*DB/);
  assert.match(r.out, /3 passed, 0 failed/);
});
