// AI image generation end to end in local workerd: the webhook enqueues into the per-model queue
// Durable Objects, which generate (built-in provider or fake model workers), store in R2, deliver
// to the fake Bot API, and reserve/refund credits in D1. Assertions are on what the user sees
// (Bot API calls), on HTTP answers, and on D1 rows through the diagnostics route.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, waitFor, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';
import { startFakeModels } from '../fakes/models.mjs';
import WebSocket from 'ws';

let w;
let tg;
let fm;
let nextUpdate = 5000;
let nextUser = 7000;
const SECRET = TEST_SECRETS.WEBHOOK_SECRET;
const MODEL_KEY = 'test-model-key-0123456789';

before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  fm = await startFakeModels({ apiKey: MODEL_KEY });
  const models = [
    { name: 'flux', provider: 'builtin', cost: 1, params: { steps: 4, width: 256, height: 256 } },
    { name: 'sdxl', provider: 'builtin', cost: 2, params: { width: 256, height: 256, steps: 20, seed: true } },
    { name: 'fluxw', provider: 'http-get', url: `${fm.url}/flux`, cost: 1, params: { steps: 4 } },
    { name: 'sdxlw', provider: 'http-post', url: `${fm.url}/sdxl`, cost: 2,
      params: { width: 64, height: 64, steps: 20, negative_prompt: 'blurry', seed: true } },
    // Queues of their own for the slow cases, so they hold up nothing else.
    { name: 'slowq', provider: 'http-get', url: `${fm.url}/flux`, cost: 1 },
    { name: 'hangq', provider: 'http-get', url: `${fm.url}/flux`, cost: 1 },
    { name: 'duo', provider: 'http-get', url: `${fm.url}/flux`, cost: 1, concurrency: 2 },
    { name: 'wide', provider: 'builtin', cost: 1, params: { width: 2048, height: 64 } },
  ];
  w = await startWorker({
    vars: {
      TELEGRAM_API_BASE: tg.url,
      MODELS: JSON.stringify(models),
      MODEL_API_KEY: MODEL_KEY,
      MODEL_READ_TIMEOUT: '3',
      MODEL_CONNECT_TIMEOUT: '1',
      GENERATION_TIMEOUT: '10',
      ENHANCE_PROVIDER: 'openai',
      ENHANCE_URL: `${fm.url}/v1/chat/completions`,
      ENHANCE_TIMEOUT_MS: '1500',
      FREE_GENERATIONS_PER_DAY: '1',
      QUEUE_MAX_TOTAL: '4',
    },
  });
});
after(async () => {
  await w?.stop();
  await tg?.stop();
  await fm?.stop();
});
// Every call of every test, for the checks that span them (status edit spacing).
const allCalls = [];
beforeEach(() => {
  allCalls.push(...tg.calls);
  tg.reset();
});

function user(id, lang = 'en') {
  return { id, is_bot: false, first_name: `User${id}`, username: `u${id}`, language_code: lang };
}
function messageUpdate(from, text) {
  const id = nextUpdate++;
  return { update_id: id, message: { message_id: id, date: 1, chat: { id: from.id, type: 'private' }, from, text } };
}
function callbackUpdate(from, data, messageId = 1) {
  const id = nextUpdate++;
  return {
    update_id: id,
    callback_query: { id: `cb${id}`, from, data, chat_instance: 'x',
      message: { message_id: messageId, date: 1, chat: { id: from.id, type: 'private' }, text: '' } },
  };
}
async function post(update) {
  const r = await fetch(`${w.url}/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  });
  assert.equal(r.status, 200);
  return r;
}
async function deliver(update) {
  const r = await fetch(`${w.url}/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  });
  await r.arrayBuffer();
  return r.status;
}
async function give(userId, credits) {
  const r = await (await fetch(`${w.url}/__diag/ledger?id=${userId}&delta=${credits}&reason=bonus&ref=t${userId}-${credits}`)).json();
  assert.equal(r.applied, true);
}
async function rows() {
  return (await (await fetch(`${w.url}/generations/__diag/rows`)).json()).rows;
}
async function rowsOf(userId) {
  return (await rows()).filter((r) => r.user_id === userId);
}
const toChat = (chat) => tg.calls.filter((c) => Number(c.params.chat_id) === chat);
const textsTo = (chat) => toChat(chat).filter((c) => c.method === 'sendMessage').map((c) => c.params.text);
const photosTo = (chat) => toChat(chat).filter((c) => (c.method === 'sendPhoto' || c.method === 'sendDocument') && !c.failed);
const waitPhoto = (chat, n = 1) => tg.waitFor(() => photosTo(chat).length >= n, 20000);
async function waitStatus(id, statuses) {
  return waitFor(async () => {
    const r = (await rows()).find((x) => x.id === id);
    return r && statuses.includes(r.status) ? r : null;
  }, { timeoutMs: 20000, what: `generation ${id} to be ${statuses}` });
}

test('/image=flux=PROMPT: queued, drawn by the built-in provider, stored, delivered, paid once', async () => {
  const u = user(nextUser++);
  await give(u.id, 5);
  await post(messageUpdate(u, '/image=flux=a red fox in the snow'));
  await waitPhoto(u.id);
  const queued = textsTo(u.id).find((t) => /#1 in the flux queue, about \d+ min/.test(t));
  assert.ok(queued, `queue message: ${JSON.stringify(textsTo(u.id))}`);
  const photo = photosTo(u.id)[0];
  assert.equal(photo.method, 'sendPhoto');
  assert.equal(photo.files.photo.bytes.readUInt32BE(16), 256);
  assert.match(photo.params.caption, /red fox/);
  const kb = markup(photo).inline_keyboard;
  assert.match(kb[0][0].callback_data, /^regen:\d+$/);
  const [row] = await rowsOf(u.id);
  assert.equal(row.status, 'completed');
  assert.equal(row.cost, 1);
  assert.equal(row.credits, 4);
  assert.equal(row.reserves, 1);
  assert.equal(row.refunds, 0);
  assert.match(row.r2_key, new RegExp(`^generations/flux/${row.id}\\.png$`));
  // The enhancer (fake OpenAI endpoint) improved the prompt; the caption shows it, cleaned.
  assert.match(row.enhanced_prompt, /^A vivid, detailed painting of a red fox in the snow/);
  assert.ok(!/```|"/.test(row.enhanced_prompt));
  // The status message went through the stages and ended at Done.
  await tg.waitFor(() => toChat(u.id).some((c) => c.method === 'editMessageText' && /Done/.test(c.params.text)), 10000);
  const status = await (await fetch(`${w.url}/generations/${row.id}`)).json();
  assert.equal(status.status, 'completed');
  assert.equal(status.stage, 'done');
});


// reply_markup is an object in JSON calls and a string in multipart uploads.
const markup = (c) => (typeof c.params.reply_markup === 'string' ? JSON.parse(c.params.reply_markup) : c.params.reply_markup);
const lastMarkup = (chat, method = 'sendMessage') => {
  const c = toChat(chat).filter((x) => x.method === method && x.params.reply_markup).at(-1);
  return c ? markup(c).inline_keyboard : null;
};
async function cancelVia(u) {
  await post(messageUpdate(u, '/cancel'));
  const kb = lastMarkup(u.id);
  assert.ok(kb, 'the /cancel question has buttons');
  assert.equal(kb[0][1].callback_data, 'cancel_no');
  return kb[0][0].callback_data;
}
async function doneLog(model) {
  return (await (await fetch(`${w.url}/generations/__diag/done-log?model=${model}`)).json()).jobs;
}

test('HTTP model workers: Flux style GET with query parameters, SDXL style POST JSON with a Bearer key', async () => {
  const a = user(nextUser++);
  const b = user(nextUser++);
  await give(a.id, 5);
  await give(b.id, 5);
  await post(messageUpdate(a, '/image=fluxw=a lighthouse at dusk'));
  await post(messageUpdate(b, '/image=SDXLW=a castle on a hill'));
  await waitPhoto(a.id);
  await waitPhoto(b.id);
  const flux = fm.calls.find((c) => c.path === '/flux' && /lighthouse/.test(c.prompt));
  assert.equal(flux.params.steps, '4');
  assert.match(flux.prompt, /^A vivid, detailed painting of a lighthouse at dusk/);
  const sdxl = fm.calls.find((c) => c.path === '/sdxl' && /castle/.test(c.prompt));
  assert.equal(sdxl.params.num_steps, 20);
  assert.equal(sdxl.params.negative_prompt, 'blurry');
  assert.equal(sdxl.params.width, 64);
  assert.equal(typeof sdxl.params.seed, 'number');
  const [rb] = await rowsOf(b.id);
  assert.equal(rb.status, 'completed');
  assert.equal(rb.credits, 3);
});

test('5xx and 429 are retried with backoff; exhausted tries fail the job and refund exactly once', async () => {
  const u = user(nextUser++);
  await give(u.id, 5);
  await post(messageUpdate(u, '/image=fluxw=[fail:2] a boat'));
  await waitPhoto(u.id);
  assert.equal(fm.calls.filter((c) => c.path === '/flux' && /a boat/.test(c.prompt)).length, 3);
  await post(messageUpdate(u, '/image=fluxw=[429:1] a kite'));
  await waitPhoto(u.id, 2);
  assert.equal(fm.calls.filter((c) => c.path === '/flux' && /a kite/.test(c.prompt)).length, 2);
  await post(messageUpdate(u, '/image=fluxw=[fail:9] a train'));
  await tg.waitFor(() => textsTo(u.id).some((t) => /could not be generated/.test(t)), 20000);
  assert.equal(fm.calls.filter((c) => c.path === '/flux' && /a train/.test(c.prompt)).length, 3);
  const failed = (await rowsOf(u.id)).find((r) => /a train/.test(r.prompt));
  assert.equal(failed.status, 'failed');
  assert.equal(failed.refunds, 1);
  assert.equal(failed.credits, 3); // 5 - 1 - 1 (two delivered), the failed one refunded
  assert.match(textsTo(u.id).find((t) => /could not be generated/.test(t)), /1 credit was returned to your balance/);
});

test('a moderation answer becomes a polite message, is not retried, and refunds', async () => {
  const u = user(nextUser++);
  await give(u.id, 2);
  await post(messageUpdate(u, '/image=sdxlw=[moderate] something'));
  await tg.waitFor(() => textsTo(u.id).some((t) => /declined this prompt/.test(t)), 20000);
  assert.equal(fm.calls.filter((c) => c.path === '/sdxl' && /something/.test(c.prompt)).length, 1);
  const [r] = await rowsOf(u.id);
  assert.equal(r.status, 'failed');
  assert.equal(r.credits, 2);
  assert.equal(r.refunds, 1);
  assert.equal(photosTo(u.id).length, 0);
  // A plain 4xx is not retried either.
  await post(messageUpdate(u, '/image=sdxlw=[bad] other'));
  await tg.waitFor(() => textsTo(u.id).some((t) => /could not be generated/.test(t)), 20000);
  assert.equal(fm.calls.filter((c) => c.path === '/sdxl' && /other/.test(c.prompt)).length, 1);
});

test('a hung model is cut at each try\'s timeout, then at GENERATION_TIMEOUT: refund, and the queue moves on', async () => {
  const a = user(nextUser++);
  const b = user(nextUser++);
  await give(a.id, 3);
  await give(b.id, 3);
  await post(messageUpdate(a, '/image=hangq=[slow:30000] a hung call'));
  await post(messageUpdate(b, '/image=hangq=after the hung one'));
  assert.ok(textsTo(b.id).some((t) => /#2 in the hangq queue/.test(t)), JSON.stringify(textsTo(b.id)));
  await tg.waitFor(() => textsTo(a.id).some((t) => /took too long and was stopped\. 1 credit was returned to your balance/.test(t)), 30000);
  // 4 s a try (connect 1 + read 3), backoff 0.5 s and 1 s: the third try gets what is left of 10 s.
  const tries = fm.calls.filter((c) => /a hung call/.test(c.prompt) && c.path === '/flux').length;
  assert.ok(tries >= 2 && tries <= 3, `${tries} tries`);
  await waitPhoto(b.id);
  const [ra] = await rowsOf(a.id);
  assert.equal(ra.status, 'failed');
  assert.equal(ra.credits, 3);
  assert.equal(photosTo(a.id).length, 0);
  // The queue message of b moved from #2 to #1 (edited, never closer than 3 s to the last edit).
  assert.ok(toChat(b.id).some((c) => c.method === 'editMessageText' && /#1 in the hangq queue/.test(c.params.text)));
});

test('cancel a queued job: it leaves the queue, never runs, and is refunded once', async () => {
  const a = user(nextUser++);
  const b = user(nextUser++);
  await give(a.id, 3);
  await give(b.id, 3);
  await post(messageUpdate(a, '/image=slowq=[slow:3000] blocker one'));
  await post(messageUpdate(b, '/image=slowq=queued then cancelled'));
  const data = await cancelVia(b);
  assert.match(textsTo(b.id).at(-1), /Cancel your <b>slowq<\/b> generation \(queued\)/);
  await post(callbackUpdate(b, data));
  await tg.waitFor(() => toChat(b.id).some((c) => c.method === 'editMessageText' && /cancelled\. 1 credit was returned to your balance/.test(c.params.text)));
  // A second tap (or a retried callback) changes nothing.
  await post(callbackUpdate(b, data));
  await waitPhoto(a.id);
  const [rb] = await rowsOf(b.id);
  assert.equal(rb.status, 'cancelled');
  assert.equal(rb.refunds, 1);
  assert.equal(rb.credits, 3);
  assert.equal(fm.calls.filter((c) => /queued then cancelled/.test(c.prompt)).length, 0);
  assert.equal(photosTo(b.id).length, 0);
});

test('cancel a running job: the late result is discarded, never delivered, refunded once', async () => {
  const u = user(nextUser++);
  await give(u.id, 3);
  await post(messageUpdate(u, '/image=slowq=[slow:2500] running then cancelled'));
  const modelCall = () => fm.calls.find((c) => c.path === '/flux' && /running then cancelled/.test(c.prompt));
  await waitFor(modelCall, { timeoutMs: 20000, what: 'the model call' });
  const data = await cancelVia(u);
  assert.match(textsTo(u.id).at(-1), /\(in progress\)/);
  await post(callbackUpdate(u, data));
  const [r] = await rowsOf(u.id);
  const log = await waitFor(async () => (await doneLog('slowq')).find((j) => j.gen_id === r.id), { timeoutMs: 20000, what: 'the job to end' });
  assert.equal(log.outcome, 'discarded');
  assert.ok(modelCall().doneAt, 'the model did answer');
  const [after] = await rowsOf(u.id);
  assert.equal(after.status, 'cancelled');
  assert.equal(after.refunds, 1);
  assert.equal(after.credits, 3);
  assert.equal(after.r2_key, null);
  assert.equal(photosTo(u.id).length, 0);
});

test('a queue object reset mid-job (as an eviction) resumes the job: delivered once, charged once', async () => {
  const u = user(nextUser++);
  await give(u.id, 3);
  await post(messageUpdate(u, '/image=slowq=[slow:2000] survives a reset'));
  const calls = () => fm.calls.filter((c) => c.path === '/flux' && /survives a reset/.test(c.prompt));
  await waitFor(() => calls().length >= 1, { timeoutMs: 20000, what: 'the model call' });
  await fetch(`${w.url}/generations/__diag/abort?model=slowq`);
  await waitPhoto(u.id);
  const [r] = await rowsOf(u.id);
  const log = await waitFor(async () => (await doneLog('slowq')).find((j) => j.gen_id === r.id), { what: 'the job log' });
  assert.equal(log.outcome, 'completed');
  assert.equal(log.claims, 2, 'claimed again after the reset');
  assert.equal(calls().length, 2, 'the cut-off model call was made again');
  assert.equal(r.status, 'completed');
  assert.equal(r.reserves, 1);
  assert.equal(r.refunds, 0);
  assert.equal(r.credits, 2);
  await post(messageUpdate(u, '/cancel'));
  assert.equal(photosTo(u.id).length, 1);
});

test('"No" keeps the job; /cancel with nothing active says so', async () => {
  const u = user(nextUser++);
  await post(messageUpdate(u, '/cancel'));
  assert.match(textsTo(u.id).at(-1), /no active generation/);
  await give(u.id, 2);
  await post(messageUpdate(u, '/image=slowq=[slow:500] kept'));
  await cancelVia(u);
  await post(callbackUpdate(u, 'cancel_no'));
  await waitPhoto(u.id);
  assert.equal((await rowsOf(u.id))[0].status, 'completed');
});

test('limits: one active per user, prompt length, the total queue, with the user\'s texts', async () => {
  const u = user(nextUser++);
  await give(u.id, 10);
  await post(messageUpdate(u, `/image=flux=${'x'.repeat(1001)}`));
  assert.match(textsTo(u.id).at(-1), /too long: 1,001 characters, at most 1,000/);
  await post(messageUpdate(u, '/image=slowq=[slow:1500] first'));
  await post(messageUpdate(u, '/image=flux=second'));
  assert.match(textsTo(u.id).at(-1), /already have an active generation/);
  // Fill the 4 places of all queues together, then one more is refused.
  const others = [user(nextUser++), user(nextUser++), user(nextUser++), user(nextUser++)];
  for (const o of others.slice(0, 3)) {
    await give(o.id, 2);
    await post(messageUpdate(o, `/image=slowq=[slow:1500] filler ${o.id}`));
  }
  await give(others[3].id, 2);
  await post(messageUpdate(others[3], '/image=flux=one too many'));
  assert.match(textsTo(others[3].id).at(-1), /queue is full! In the queue: 4\/4/);
  assert.equal((await rowsOf(others[3].id)).length, 0);
  assert.equal((await rowsOf(others[3].id)).length, 0);
  // Drain: cancel the fillers.
  for (const o of [u, ...others.slice(0, 3)]) {
    const data = await cancelVia(o);
    await post(callbackUpdate(o, data));
  }
  for (const o of [u, ...others.slice(0, 3)]) {
    const [r] = await rowsOf(o.id);
    assert.ok(['cancelled', 'completed'].includes(r.status), r.status);
    assert.ok(r.refunds <= 1);
  }
});

test('free tier: a free generation when there are no credits, then the /buy message', async () => {
  const u = user(nextUser++);
  await post(messageUpdate(u, '/image=flux=a free picture'));
  await waitPhoto(u.id);
  assert.match(textsTo(u.id)[0], /Free generation \(0 left today\)/);
  const [r] = await rowsOf(u.id);
  assert.equal(r.free_tier, 1);
  assert.equal(r.cost, 0);
  assert.equal(r.reserves, 0);
  await post(messageUpdate(u, '/image=flux=another one'));
  assert.match(textsTo(u.id).at(-1), /Not enough credits!.*\/buy/s);
  assert.equal((await rowsOf(u.id)).length, 1);
});

test('at most 10 generations per user per hour', async () => {
  const u = user(nextUser++);
  await give(u.id, 20);
  for (let i = 1; i <= 10; i++) {
    await post(messageUpdate(u, `/image=flux=picture ${i} [enhance-fail]`));
    await waitPhoto(u.id, i);
  }
  await waitFor(async () => (await rowsOf(u.id)).every((r) => r.status === 'completed'), { what: 'all completed' });
  await post(messageUpdate(u, '/image=flux=picture 11'));
  assert.match(textsTo(u.id).at(-1), /Generation limit reached! At most 10 generations per hour/);
  assert.equal((await rowsOf(u.id)).length, 10);
  assert.equal((await rowsOf(u.id))[0].credits, 10);
});

test('a retried update (five copies at once, then again) enqueues and charges once', async () => {
  const u = user(nextUser++);
  await give(u.id, 5);
  const upd = messageUpdate(u, '/image=sdxl=only once please');
  // Copies that arrive while the first holds the update get 503 (Telegram delivers them again).
  const statuses = await Promise.all(Array.from({ length: 5 }, () => deliver(upd)));
  assert.ok(statuses.every((s) => s === 200 || s === 503) && statuses.includes(200), statuses.join());
  await post(upd);
  await waitPhoto(u.id);
  const rs = await rowsOf(u.id);
  assert.equal(rs.length, 1);
  assert.equal(rs[0].reserves, 1);
  assert.equal(rs[0].credits, 3);
  assert.equal(textsTo(u.id).filter((t) => /queue/.test(t)).length, 1);
  await post(upd);
  assert.equal(photosTo(u.id).length, 1);
});

test('enhancement falls back to the original prompt on an error, a timeout or an empty answer', async () => {
  const u = user(nextUser++);
  await give(u.id, 5);
  const prompts = ['a cat [enhance-fail]', 'a dog [enhance-slow:5000]', 'a cow [enhance-junk]'];
  for (const [i, p] of prompts.entries()) {
    await post(messageUpdate(u, `/image=flux=${p}`));
    await waitPhoto(u.id, i + 1);
    assert.equal(photosTo(u.id)[i].params.caption, p);
  }
  for (const r of await rowsOf(u.id)) {
    assert.equal(r.status, 'completed');
    assert.equal(r.enhanced_prompt, null);
  }
});

test('/imagine shows the models with prices; a choice queues it; 🔁 regenerates', async () => {
  const u = user(nextUser++);
  await give(u.id, 5);
  await post(messageUpdate(u, '/imagine a quiet harbour'));
  const kb = lastMarkup(u.id);
  const labels = kb.map((row) => row[0].text);
  assert.ok(labels.includes('flux · 1 💎'), JSON.stringify(labels));
  assert.ok(labels.includes('sdxl · 2 💎'));
  const sdxl = kb.find((row) => row[0].text.startsWith('sdxl'))[0].callback_data;
  assert.match(sdxl, /^genm:sdxl:\d+$/);
  await post(callbackUpdate(u, sdxl));
  assert.ok(tg.calls.some((c) => c.method === 'answerCallbackQuery'));
  await waitPhoto(u.id);
  const regen = markup(photosTo(u.id)[0]).inline_keyboard[0][0];
  assert.equal(regen.text, '🔁 Regenerate');
  await waitStatus((await rowsOf(u.id))[0].id, ['completed']);
  await post(callbackUpdate(u, regen.callback_data));
  await waitPhoto(u.id, 2);
  const rs = await rowsOf(u.id);
  assert.equal(rs.length, 2);
  assert.deepEqual(rs.map((r) => [r.model, r.prompt]), [['sdxl', 'a quiet harbour'], ['sdxl', 'a quiet harbour']]);
  assert.equal(rs[1].credits, 1);
});

test('the queue is FIFO within a model and independent across models; texts follow the language', async () => {
  const users = [user(nextUser++, 'ru'), user(nextUser++), user(nextUser++)];
  for (const u of users) await give(u.id, 3);
  for (const [i, u] of users.entries()) await post(messageUpdate(u, `/image=slowq=[slow:700] fifo ${i}`));
  assert.match(textsTo(users[0].id)[0], /№1 в очереди slowq, ждать примерно \d+ мин/);
  const other = user(nextUser++);
  await give(other.id, 2);
  await post(messageUpdate(other, '/image=flux=not held up'));
  await waitPhoto(other.id);
  assert.equal(photosTo(users[2].id).length, 0, 'flux did not wait for slowq');
  await waitPhoto(users[2].id);
  const started = fm.calls.filter((c) => c.path === '/flux' && /fifo \d/.test(c.prompt)).map((c) => Number(/fifo (\d)/.exec(c.prompt)[1]));
  assert.deepEqual(started, [0, 1, 2]);
});

test('per-model concurrency: a queue with concurrency 2 runs two jobs at once, in order', async () => {
  const [a, b, c] = [user(nextUser++), user(nextUser++), user(nextUser++)];
  for (const u of [a, b, c]) await give(u.id, 2);
  for (const [i, u] of [a, b, c].entries()) await post(messageUpdate(u, `/image=duo=[slow:1500] duo ${i}`));
  for (const u of [a, b, c]) await waitPhoto(u.id);
  const call = (i) => fm.calls.find((x) => x.path === '/flux' && x.prompt.includes(`duo ${i}`));
  assert.ok(call(1).at < call(0).doneAt, 'the first two overlap');
  assert.ok(call(2).at >= Math.min(call(0).doneAt, call(1).doneAt), 'the third waits for a free slot');
});

test('an image Telegram would refuse as a photo goes as a document; a 429 on a status edit is honoured', async () => {
  const u = user(nextUser++);
  await give(u.id, 2);
  tg.failNext('editMessageText', 429);
  await post(messageUpdate(u, '/image=wide=[enhance-slow:1200] a long banner'));
  await tg.waitFor(() => toChat(u.id).some((c) => c.method === 'sendDocument'), 20000);
  assert.equal(toChat(u.id).filter((c) => c.method === 'sendPhoto').length, 0);
  assert.match(toChat(u.id).find((c) => c.method === 'sendDocument').files.document.filename, /^wide-\d+\.png$/);
  await tg.waitFor(() => toChat(u.id).some((c) => c.method === 'editMessageText' && /Done/.test(c.params.text) && !c.failed), 20000);
  // Whichever status edit met the 429, it went out again after retry_after (1 s), not sooner.
  await tg.waitFor(() => tg.calls.some((c) => c.method === 'editMessageText' && c.failed === 429), 20000);
  const limited = tg.calls.find((c) => c.method === 'editMessageText' && c.failed === 429);
  const again = (c) => c.method === 'editMessageText' && !c.failed && c.params.message_id === limited.params.message_id &&
    c.params.chat_id === limited.params.chat_id && c.at > limited.at;
  await tg.waitFor((calls) => calls.some(again), 20000);
  assert.ok(tg.calls.find(again).at - limited.at >= 1000);
});

test('a running job: one D1 write at its end; meanwhile GET /generations asks the queue and says it runs', async () => {
  const u = user(nextUser++);
  await give(u.id, 3);
  await post(messageUpdate(u, '/image=slowq=[slow:2500] one write'));
  const [r] = await rowsOf(u.id);
  const modelCall = () => fm.calls.find((c) => c.path === '/flux' && /one write/.test(c.prompt));
  await waitFor(modelCall, { timeoutMs: 20000, what: 'the model call' });
  const running = await (await fetch(`${w.url}/generations/${r.id}`)).json();
  assert.equal(running.status, 'processing');
  assert.equal(running.stage, 'generating');
  assert.ok(running.started_ms >= r.created_ms, JSON.stringify(running));
  // The row itself has not been written since the webhook queued it.
  const [during] = await rowsOf(u.id);
  assert.equal(during.status, 'queued');
  assert.equal(during.started_ms, null);
  await waitPhoto(u.id);
  const done = await waitStatus(r.id, ['completed']);
  assert.equal(done.started_ms, running.started_ms);
  assert.ok(done.finished_ms >= done.started_ms + 2500);
  assert.equal(done.refunds, 0);
  assert.equal(done.reserves, 1);
  const last = await (await fetch(`${w.url}/generations/${r.id}`)).json();
  assert.equal(last.status, 'completed');
  assert.equal(last.started_ms, running.started_ms);
});

test('GET /generations/<id> gives the status; /ws streams the stages over a WebSocket', async () => {
  const u = user(nextUser++);
  await give(u.id, 3);
  await post(messageUpdate(u, '/image=slowq=[slow:1500] watched'));
  const [r] = await rowsOf(u.id);
  const first = await (await fetch(`${w.url}/generations/${r.id}`)).json();
  assert.equal(first.id, r.id);
  assert.ok(['queued', 'processing'].includes(first.status));
  // A client reconnects when its socket drops (a reload of the local runtime does that); the
  // first message after connecting says where the job is.
  const seen = [];
  for (let attempt = 0; attempt < 3 && !seen.some((m) => m.stage === 'done'); attempt++) {
    const ws = new WebSocket(`${w.url.replace('http', 'ws')}/generations/${r.id}/ws`);
    const closed = new Promise((resolve) => ws.on('close', resolve));
    ws.on('message', (m) => seen.push(JSON.parse(m.toString())));
    await closed;
  }
  const stages = seen.map((m) => m.stage);
  assert.ok(stages.includes('done'), JSON.stringify(seen) + w.log().split('\n').filter((l) => /generate|ws|WebSocket|error/i.test(l)).slice(-30).join('\n'));
  assert.ok(stages.indexOf('generating') < stages.indexOf('done'), JSON.stringify(stages));
  const last = await (await fetch(`${w.url}/generations/${r.id}`)).json();
  assert.equal(last.status, 'completed');
  // A model call over a second: the delivery was handed to the object's delivering runner (the
  // model slot freed at released_at, before the job's end), and the photo went out once.
  const log = (await doneLog('slowq')).find((j) => j.gen_id === r.id);
  assert.ok(JSON.parse(log.timings).released_at < log.finished_ms, JSON.stringify(log));
  assert.equal(photosTo(u.id).length, 1);
  assert.equal((await fetch(`${w.url}/generations/123`)).status, 404);
  assert.equal((await fetch(`${w.url}/generations/abc`)).status, 404);
});

test('status edits of one message are never closer than 3 s', async () => {
  const byMessage = new Map();
  for (const c of [...allCalls, ...tg.calls]) {
    // Status messages only (not the /cancel question's answers).
    if (c.method !== 'editMessageText' || c.failed || /cancel|no active|keeps going/i.test(c.params.text)) continue;
    const k = `${c.params.chat_id}:${c.params.message_id}`;
    byMessage.set(k, [...(byMessage.get(k) ?? []), [c.at, c.params.text]]);
  }
  assert.ok([...byMessage.values()].some((t) => t.length >= 2), 'some message was edited more than once');
  for (const times of byMessage.values()) {
    for (let i = 1; i < times.length; i++) assert.ok(times[i][0] - times[i - 1][0] >= 2900, JSON.stringify(times));
  }
});
