// The local workerd process killed (SIGKILL, no shutdown) in the middle of a queue run and started
// again on the same on-disk state: the Durable Object's queue, the D1 rows and the R2 objects
// persist. Afterwards every job has ended once: none lost, none charged twice, refunds exactly
// for the failed ones, every user told the outcome, and the queue keeps serving new jobs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, waitFor, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';
import { startFakeModels } from '../fakes/models.mjs';
import { botClient } from './bot.mjs';

let w;
let tg;
let fm;
let bot;
const COST = 2;
const START_BALANCE = 10;

before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  fm = await startFakeModels();
  const models = [
    { name: 'flux', provider: 'http-get', url: `${fm.url}/flux`, cost: COST, concurrency: 2 },
  ];
  w = await startWorker({
    vars: {
      TELEGRAM_API_BASE: tg.url,
      MODELS: JSON.stringify(models),
      MODEL_READ_TIMEOUT: '5',
      GENERATION_TIMEOUT: '60',
      FREE_GENERATIONS_PER_DAY: '0',
    },
  });
  bot = botClient(w, tg);
});
after(async () => {
  await w?.stop();
  await tg?.stop();
  await fm?.stop();
});

const rows = async () => (await (await fetch(`${w.url}/generations/__diag/rows`)).json()).rows;
const balance = async (id) => (await (await fetch(`${w.url}/__diag/user?id=${id}`)).json()).row?.credits;
const photosTo = (chat) => tg.calls.filter((c) => Number(c.params.chat_id) === chat &&
  (c.method === 'sendPhoto' || c.method === 'sendDocument') && !c.failed);

test('killing workerd mid-queue loses no job, runs none twice and charges each once', async () => {
  const users = Array.from({ length: 10 }, (_, i) => bot.user(91000 + i));
  for (const u of users) await bot.give(u.id, START_BALANCE);
  // The last prompt fails at the model (4 answers of 500: more than the provider's retries), so a
  // refund is also crossing the restart.
  const prompts = users.map((u, i) => (i === users.length - 1
    ? `a failing lighthouse ${i} [slow:300] [fail:4]` : `a quiet harbour ${i} [slow:300]`));
  for (const [i, u] of users.entries()) await bot.send(u, `/image=flux=${prompts[i]}`);

  // Kill while the queue is half-way: some photos delivered, some jobs still waiting.
  await waitFor(async () => users.filter((u) => photosTo(u.id).length > 0).length >= 3,
    { timeoutMs: 30000, what: 'three photos before the kill' });
  await w.kill();
  const deliveredBefore = users.filter((u) => photosTo(u.id).length > 0).length;
  assert.ok(deliveredBefore < users.length, 'the kill landed before the queue finished');
  await w.restart();

  // Nothing from outside nudges the queue: the object's persisted alarm wakes it again.
  const done = await waitFor(async () => {
    const mine = (await rows()).filter((r) => users.some((u) => u.id === r.user_id));
    return mine.length === users.length && mine.every((r) => ['completed', 'failed'].includes(r.status))
      ? mine : null;
  }, { timeoutMs: 60000, what: 'every job to finish after the restart' });

  for (const [i, u] of users.entries()) {
    const row = done.find((r) => r.user_id === u.id);
    const failing = i === users.length - 1;
    assert.equal(row.status, failing ? 'failed' : 'completed', `job of user ${i}`);
    // Charged once when it completed; charged and refunded once when it failed.
    assert.equal(await balance(u.id), failing ? START_BALANCE : START_BALANCE - COST, `balance of user ${i}`);
    const photos = photosTo(u.id);
    if (failing) {
      assert.equal(photos.length, 0);
      const told = bot.textsTo(u.id).filter((t) => /refunded|returned/i.test(t));
      assert.equal(told.length, 1, `failure told once: ${JSON.stringify(bot.textsTo(u.id))}`);
    } else {
      // The photo arrives once. If the kill fell between Telegram's answer and the object
      // recording it, the object cannot know whether the photo arrived: it then says so and
      // points at /gallery instead of sending it a second time.
      const notice = bot.textsTo(u.id).filter((t) => /\/gallery/.test(t) && /restart/i.test(t));
      assert.ok(photos.length + notice.length >= 1, `user ${i} got the image or a notice`);
      assert.ok(photos.length <= 1, `user ${i} got ${photos.length} photos`);
      assert.ok(notice.length <= 1);
    }
  }
  // The model ran once per job, except for a job whose answer the kill cut off (at most one per
  // concurrent slot), which runs again; failing attempts are the provider's own retries.
  for (const [i, p] of prompts.entries()) {
    const calls = fm.callsFor(p);
    if (i === users.length - 1) continue;
    const finished = calls.filter((c) => c.doneAt);
    assert.ok(finished.length >= 1 && calls.length <= 2, `model calls for job ${i}: ${calls.length}`);
  }
  const reruns = prompts.slice(0, -1).filter((p) => fm.callsFor(p).length === 2).length;
  assert.ok(reruns <= 2, `${reruns} jobs ran twice; at most the 2 in flight at the kill may`);

  // The queue still works for a new job after the restart.
  const late = bot.user(91999);
  await bot.give(late.id, START_BALANCE);
  await bot.send(late, '/image=flux=a late visitor');
  await tg.waitFor(() => photosTo(late.id).length === 1, 20000);
});

test('killed while Telegram takes the photo: after the restart it is not sent twice, and the user is told', async () => {
  const u = bot.user(92001);
  await bot.give(u.id, START_BALANCE);
  const upload = tg.holdNext('sendPhoto', (p) => Number(p.chat_id) === u.id);
  await bot.send(u, '/image=flux=a lighthouse at dusk');
  await upload;
  // Telegram has the photo; the object is still waiting for the answer when the machine dies.
  await w.kill();
  await w.restart();
  const notice = await waitFor(async () => bot.textsTo(u.id).find((t) => /restarted/.test(t)),
    { timeoutMs: 30000, what: 'the restart notice' });
  assert.match(notice, /\/gallery/);
  const row = (await rows()).find((r) => r.user_id === u.id);
  assert.equal(row.status, 'completed');
  assert.equal(photosTo(u.id).length, 1, 'the photo Telegram took is the only one');
  assert.equal(await balance(u.id), START_BALANCE - COST);
  // The image is in R2 for the gallery.
  const obj = await (await fetch(`${w.url}/__diag/r2-get?key=${encodeURIComponent(row.r2_key)}`)).json();
  assert.equal(obj.found, true);
  assert.equal(obj.content_type, 'image/png');
});
