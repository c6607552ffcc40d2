// D1 failing while the webhook handles an update. The real local D1 is made to fail a class of
// writes (/__diag/fault adds a trigger that aborts them, as an outage would). The user reads one
// apology that promises a retry, the webhook answers 500 so that Telegram resends the update,
// nothing is half-written, and the resent update, once D1 works again, takes effect exactly once.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';
import { botClient } from './bot.mjs';

let w;
let tg;
let bot;

before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  const models = [{ name: 'flux', provider: 'builtin', cost: 1, params: { width: 64, height: 64 } }];
  w = await startWorker({
    vars: { TELEGRAM_API_BASE: tg.url, MODELS: JSON.stringify(models), FREE_GENERATIONS_PER_DAY: '0' },
  });
  bot = botClient(w, tg);
});
after(async () => {
  await w?.stop();
  await tg?.stop();
});
beforeEach(async () => {
  tg.reset();
  await fault('clear=1');
});

async function fault(query) {
  const r = await fetch(`${w.url}/__diag/fault?${query.includes('=') ? query : `name=${query}`}`);
  assert.equal(r.status, 200, await r.text());
}
const apologies = (chat) => bot.textsTo(chat).filter((t) => /retry your request by myself/.test(t));
const balance = async (id) => (await (await fetch(`${w.url}/__diag/user?id=${id}`)).json()).row?.credits;
const rows = async () => (await (await fetch(`${w.url}/generations/__diag/rows`)).json()).rows;

// Posts the same update the way Telegram resends it after a 500.
async function deliverTimes(update, n) {
  const statuses = [];
  for (let i = 0; i < n; i++) statuses.push((await bot.postRaw(update)).status);
  return statuses;
}

test('a save that D1 refuses: one apology, 500s until D1 is back, then saved exactly once', async () => {
  const u = bot.user(81001);
  const update = bot.messageUpdate(u, '/save notes.py\nprint("kept")');
  await fault('save');
  assert.deepEqual(await deliverTimes(update, 3), [500, 500, 500]);
  assert.equal(apologies(u.id).length, 1, JSON.stringify(bot.textsTo(u.id)));
  assert.equal(bot.textsTo(u.id).length, 1, 'nothing but the apology');
  // Nothing half-written: the file row went with its failed version (one transaction).
  await bot.send(u, '/files');
  assert.match(bot.textsTo(u.id).at(-1), /No saved files yet/);

  await fault('clear=1');
  tg.reset();
  assert.deepEqual(await deliverTimes(update, 2), [200, 200]);
  const saved = bot.textsTo(u.id).filter((t) => /Saved <b>notes\.py<\/b> \(version 1/.test(t));
  assert.equal(saved.length, 1, JSON.stringify(bot.textsTo(u.id)));
  await bot.send(u, '/files');
  assert.match(bot.textsTo(u.id).at(-1), /notes\.py/);
});

test('D1 down before the update is even claimed: the user is told once, the retry is handled once', async () => {
  const u = bot.user(81002, 'ru');
  const update = bot.messageUpdate(u, '/save a.js\nlet a = 1');
  await fault('claim');
  assert.deepEqual(await deliverTimes(update, 2), [500, 500]);
  const told = bot.textsTo(u.id);
  assert.equal(told.length, 1, JSON.stringify(told));
  assert.match(told[0], /повторю ваш запрос/, 'in the user\'s language');
  await fault('clear=1');
  assert.deepEqual(await deliverTimes(update, 2), [200, 200]);
  assert.equal(bot.textsTo(u.id).filter((t) => /a\.js/.test(t)).length, 1);
});

test('a generation whose row D1 refuses charges nothing; the retried update queues it and charges once', async () => {
  const u = bot.user(81003);
  await bot.give(u.id, 5);
  const update = bot.messageUpdate(u, '/image=flux=a paper boat');
  await fault('generation');
  assert.deepEqual(await deliverTimes(update, 2), [500, 500]);
  assert.equal(apologies(u.id).length, 1, JSON.stringify(bot.textsTo(u.id)));
  assert.equal(await balance(u.id), 5, 'no credit reserved for a job that does not exist');
  assert.equal((await rows()).filter((r) => r.user_id === u.id).length, 0);

  await fault('clear=1');
  assert.deepEqual(await deliverTimes(update, 2), [200, 200]);
  await tg.waitFor(() => bot.callsTo(u.id).some((c) => c.method === 'sendPhoto'), 20000);
  const mine = (await rows()).filter((r) => r.user_id === u.id);
  assert.equal(mine.length, 1);
  assert.equal(await balance(u.id), 4);
  assert.equal(bot.callsTo(u.id).filter((c) => c.method === 'sendPhoto').length, 1);
});

test('a ledger failure while paying for a generation leaves no job and no charge', async () => {
  const u = bot.user(81004);
  await bot.give(u.id, 5);
  await fault('ledger');
  const update = bot.messageUpdate(u, '/image=flux=a tin robot');
  assert.deepEqual(await deliverTimes(update, 1), [500]);
  assert.equal(apologies(u.id).length, 1);
  assert.equal(await balance(u.id), 5);
  assert.equal((await rows()).filter((r) => r.user_id === u.id).length, 0);
  await fault('clear=1');
  assert.deepEqual(await deliverTimes(update, 1), [200]);
  await tg.waitFor(() => bot.callsTo(u.id).some((c) => c.method === 'sendPhoto'), 20000);
  assert.equal(await balance(u.id), 4);
});
