// Asynchronous providers (issue 22 part 5) end to end in local workerd: a "fal-queue" model is
// submitted to the fake FAL queue (tests/fakes/fal.mjs), waits in its queue object holding the
// model's slot, and is completed by a poll or by FAL's webhook on POST /hooks/fal/<id>?s=<secret>,
// then stored, delivered to the fake Bot API and charged once; failures and timeouts refund once.
// One Worker for every case (each case uses its own model queue where it could hold up another).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, waitFor, freePort, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';
import { startFakeFal } from '../fakes/fal.mjs';
import { botClient } from './bot.mjs';
import { photoKit } from './photos.mjs';

let w;
let tg;
let fal;
let bot;
let nextUser = 9100;

before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  fal = await startFakeFal();
  const model = (name) => ({ name, provider: 'fal-queue', model: 'fal-ai/flux/schnell', cost: 1,
    params: { width: 64, height: 64, steps: 4 } });
  const port = await freePort();
  w = await startWorker({
    port,
    vars: {
      TELEGRAM_API_BASE: tg.url,
      MODELS: JSON.stringify([model('falq'), model('falx'), model('falhang'), model('falrace'),
        { ...model('falimg'), model: 'fal-ai/flux/dev/image-to-image', inputs: ['text', 'image'] }]),
      FAL_API_BASE: fal.url,
      FAL_KEY: fal.key,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      ASYNC_POLL_MS: '300',
      ASYNC_POLL_MAX_MS: '1000',
      GENERATION_TIMEOUT: '6',
      MODEL_CONNECT_TIMEOUT: '1',
      MODEL_READ_TIMEOUT: '3',
    },
  });
  bot = botClient(w, tg);
});
after(async () => {
  await w?.stop();
  await tg?.stop();
  await fal?.stop();
});

async function rowsOf(userId) {
  return (await (await fetch(`${w.url}/generations/__diag/rows`)).json()).rows.filter((r) => r.user_id === userId);
}
async function doneLog(model) {
  return (await (await fetch(`${w.url}/generations/__diag/done-log?model=${model}`)).json()).jobs;
}
const photosTo = (chat) => bot.callsTo(chat).filter((c) => (c.method === 'sendPhoto' || c.method === 'sendDocument') && !c.failed);
async function ended(model, genId) {
  return waitFor(async () => (await doneLog(model)).find((j) => j.gen_id === genId),
    { timeoutMs: 20000, what: `generation ${genId} to leave the ${model} queue` });
}
async function newUser(credits = 3) {
  const u = bot.user(nextUser++);
  await bot.give(u.id, credits);
  return u;
}
const postHook = (id, secret, body) => fetch(`${w.url}/hooks/fal/${id}?s=${secret}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('completes by polling; the job keeps its model slot while it waits; charged once', async () => {
  const a = await newUser();
  const b = await newUser();
  await bot.send(a, '/image=falq=[fal-nohook][fal-ms:1500] a lighthouse');
  await bot.send(b, '/image=falq=[fal-nohook] a harbour');
  // a waits at FAL holding the slot: b is second in line.
  assert.ok(bot.textsTo(b.id).some((t) => /#2 in the falq queue/.test(t)), JSON.stringify(bot.textsTo(b.id)));
  await tg.waitFor(() => photosTo(a.id).length === 1 && photosTo(b.id).length === 1, 20000);
  const [sa] = fal.submitsOf(/a lighthouse/);
  const [sb] = fal.submitsOf(/a harbour/);
  // The request FAL got: the model's parameters, and a webhook URL with a per-job secret.
  assert.deepEqual(sa.input.image_size, { width: 64, height: 64 });
  assert.equal(sa.input.num_inference_steps, 4);
  const [ra] = await rowsOf(a.id);
  assert.match(sa.webhook, new RegExp(`^${w.url}/hooks/fal/${ra.id}\\?s=[0-9a-f]{32}$`));
  // Completed by polls (no webhook for [fal-nohook]): status calls while it ran, then the result.
  const polls = fal.callsFor(sa.id).filter((c) => c.kind === 'status');
  assert.ok(polls.length >= 2, `${polls.length} polls`);
  assert.equal(fal.hooks.filter((h) => h.id === sa.id).length, 0);
  // Concurrency 1: b was submitted only after a's result was collected, though a only waited.
  assert.ok(sb.at >= fal.requests.get(sa.id).completedAt, 'b waited for a\'s slot');
  assert.equal(fal.submitsOf(/a lighthouse/).length, 1);
  assert.equal(ra.status, 'completed');
  assert.equal(ra.reserves, 1);
  assert.equal(ra.refunds, 0);
  assert.equal(ra.credits, 2);
});

test('completes by webhook when the status never says so; a replayed webhook changes nothing', async () => {
  const u = await newUser();
  await bot.send(u, '/image=falx=[fal-hookonly][fal-replay:2] a castle');
  await tg.waitFor(() => photosTo(u.id).length === 1, 20000);
  const r = fal.requestOf(/a castle/);
  const [row] = await rowsOf(u.id);
  await ended('falx', row.id);
  // The webhook's payload was used: its image fetched, FAL's result route never asked.
  assert.equal(fal.callsFor(r.id).filter((c) => c.kind === 'result').length, 0);
  assert.ok(fal.callsFor(r.id).some((c) => c.kind === 'file'));
  const hooks = await waitFor(() => {
    const h = fal.hooks.filter((x) => x.id === r.id);
    return h.length === 3 && h.every((x) => x.answer !== null) && h;
  }, { what: 'three webhook deliveries' });
  assert.deepEqual(hooks.map((h) => h.answer), [200, 200, 200]);
  assert.match(hooks[0].text, /"accepted":true/);
  assert.ok(hooks.slice(1).every((h) => /ignored/.test(h.text)), JSON.stringify(hooks));
  assert.equal(photosTo(u.id).length, 1);
  const [after] = await rowsOf(u.id);
  assert.equal(after.status, 'completed');
  assert.equal(after.credits, 2);
});

test('a forged webhook is refused without effect; a job that never finishes times out with one refund', async () => {
  const u = await newUser();
  await bot.send(u, '/image=falhang=[fal-never] a hung job');
  const sub = await waitFor(() => fal.submitsOf(/a hung job/)[0]?.id && fal.submitsOf(/a hung job/)[0], { what: 'the submit' });
  const [row] = await rowsOf(u.id);
  const secret = new URL(sub.webhook).searchParams.get('s');
  // The Worker polls once it has saved the request id: from then on a webhook can be checked.
  await waitFor(() => fal.callsFor(sub.id).some((c) => c.kind === 'status'), { what: 'the first poll' });
  const wrong = secret.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
  // An attacker's "result": an image of their choosing.
  const forged = { request_id: sub.id, status: 'OK', payload: { images: [{ url: `${fal.url}/files/${sub.id}.png` }] } };
  assert.equal((await postHook(row.id, wrong, forged)).status, 403);
  assert.equal((await postHook(row.id, '', forged)).status, 403);
  assert.equal((await postHook(row.id, 'x'.repeat(32), forged)).status, 403);
  assert.equal((await fetch(`${w.url}/hooks/fal/${row.id}?s=${wrong}`, { method: 'POST', body: 'x'.repeat(70 * 1024) })).status, 413);
  // The right secret for another request of the same job (a stray submit): ignored.
  const other = await postHook(row.id, secret, { ...forged, request_id: 'another-request' });
  assert.equal(other.status, 200);
  assert.match(await other.text(), /another request/);
  await tg.waitFor(() => bot.textsTo(u.id).some((t) => /took too long and was stopped\. 1 credit was returned to your balance/.test(t)), 20000);
  await ended('falhang', row.id);
  // After the end, even the genuine webhook is ignored.
  const late = await postHook(row.id, secret, forged);
  assert.equal(late.status, 200);
  assert.match(await late.text(), /ignored/);
  assert.equal(photosTo(u.id).length, 0);
  const [r] = await rowsOf(u.id);
  assert.equal(r.status, 'failed');
  assert.equal(r.refunds, 1);
  assert.equal(r.credits, 3);
  assert.equal(fal.submitsOf(/a hung job/).length, 1);
  // Given up: FAL was asked to stop running it.
  assert.equal(fal.requests.get(sub.id).cancelled, true);
});

test('a provider error is refunded once; a flagged image is a moderation message', async () => {
  const u = await newUser();
  await bot.send(u, '/image=falx=[fal-fail] a broken one');
  await tg.waitFor(() => bot.textsTo(u.id).some((t) => /could not be generated/.test(t)), 20000);
  const [r] = await rowsOf(u.id);
  await ended('falx', r.id);
  const [after] = await rowsOf(u.id);
  assert.equal(after.status, 'failed');
  assert.equal(after.refunds, 1);
  assert.equal(after.credits, 3);
  assert.match(bot.textsTo(u.id).find((t) => /could not be generated/.test(t)), /1 credit was returned to your balance/);
  const v = await newUser();
  await bot.send(v, '/image=falx=[fal-nsfw][fal-nohook] something flagged');
  await tg.waitFor(() => bot.textsTo(v.id).some((t) => /declined this prompt/.test(t)), 20000);
  assert.equal(photosTo(u.id).length + photosTo(v.id).length, 0);
  const [rv] = await rowsOf(v.id);
  assert.equal(rv.refunds, 1);
});

test('poll and webhook racing (the webhook twice at once): delivered once', async () => {
  const users = [await newUser(), await newUser()];
  for (const [i, u] of users.entries()) await bot.send(u, `/image=falrace=[fal-race][fal-ms:${400 + 150 * i}] a race ${i}`);
  for (const u of users) {
    const [r] = await rowsOf(u.id);
    const log = await ended('falrace', r.id);
    assert.equal(log.outcome, 'completed');
    assert.equal(photosTo(u.id).length, 1);
    const [after] = await rowsOf(u.id);
    assert.equal(after.reserves, 1);
    assert.equal(after.refunds, 0);
    assert.equal(after.credits, 2);
  }
  const answers = fal.hooks.filter((h) => /a race/.test(fal.requests.get(h.id).prompt)).map((h) => h.answer);
  assert.deepEqual(answers, [200, 200, 200, 200]);
});

test('a queue object reset while a job waits: resumed by polling, never submitted twice', async () => {
  const u = await newUser();
  await bot.send(u, '/image=falq=[fal-nohook][fal-ms:2500] survives a reset');
  await waitFor(() => fal.submitsOf(/survives a reset/).length === 1, { what: 'the submit' });
  await fetch(`${w.url}/generations/__diag/abort?model=falq`);
  await tg.waitFor(() => photosTo(u.id).length === 1, 20000);
  assert.equal(fal.submitsOf(/survives a reset/).length, 1);
  const [r] = await rowsOf(u.id);
  assert.equal(r.status, 'completed');
  assert.equal(r.reserves, 1);
  assert.equal(r.credits, 2);
});

test('a reference photo goes to FAL as a data URI of the re-encoded JPEG', async () => {
  const u = await newUser();
  const kit = photoKit(bot, tg, { prefix: 'async' });
  const jpeg = await kit.halfRed(300, 200);
  await bot.post(kit.photoMessage(u, { caption: '/image=falimg=[fal-nohook] from my photo', photo: kit.photoOf(jpeg) }));
  await tg.waitFor(() => photosTo(u.id).length === 1, 20000);
  const [sub] = fal.submitsOf(/from my photo/);
  assert.equal(sub.model, 'fal-ai/flux/dev/image-to-image');
  const m = /^data:image\/jpeg;base64,(.+)$/.exec(sub.input.image_url);
  assert.ok(m, String(sub.input.image_url).slice(0, 40));
  const sent = Buffer.from(m[1], 'base64');
  assert.deepEqual([...sent.subarray(0, 2)], [0xff, 0xd8]);
  assert.notDeepEqual(sent, jpeg, 'the model gets our re-encoded copy, not the user\'s bytes');
  assert.deepEqual(sub.input.image_urls, [sub.input.image_url]);
  const [r] = await rowsOf(u.id);
  assert.equal(r.status, 'completed');
});
