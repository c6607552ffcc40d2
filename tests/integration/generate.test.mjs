// AI image generation end to end in local workerd: the webhook enqueues into the per-model queue
// Durable Objects, which generate (built-in provider or fake model workers), store in R2, deliver
// to the fake Bot API, and reserve/refund credits in D1. Assertions are on what the user sees
// (Bot API calls), on HTTP answers, and on D1 rows through the diagnostics route.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, waitFor, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';
import { startFakeModels } from '../fakes/models.mjs';

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
  ];
  w = await startWorker({
    vars: {
      TELEGRAM_API_BASE: tg.url,
      MODELS: JSON.stringify(models),
      MODEL_API_KEY: MODEL_KEY,
      MODEL_READ_TIMEOUT: '3',
      MODEL_CONNECT_TIMEOUT: '1',
      GENERATION_TIMEOUT: '60',
      ENHANCE_PROVIDER: 'openai',
      ENHANCE_URL: `${fm.url}/v1/chat/completions`,
      ENHANCE_TIMEOUT_MS: '1500',
      FREE_GENERATIONS_PER_DAY: '1',
    },
  });
});
after(async () => {
  await w?.stop();
  await tg?.stop();
  await fm?.stop();
});
beforeEach(() => tg.reset());

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
  const kb = JSON.parse(photo.params.reply_markup).inline_keyboard;
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
  console.log(JSON.stringify(toChat(u.id).map((c) => [c.method, c.at - toChat(u.id)[0].at, c.params.text ?? ""])));
  await tg.waitFor(() => toChat(u.id).some((c) => c.method === 'editMessageText' && /Done/.test(c.params.text)), 10000);
  console.log(JSON.stringify(toChat(u.id).map((c) => [c.method, c.at - toChat(u.id)[0].at, c.params.text ?? ""])), JSON.stringify(fm.calls.map((c) => [c.path, c.at])));
  const status = await (await fetch(`${w.url}/generations/${row.id}`)).json();
  assert.equal(status.status, 'completed');
  assert.equal(status.stage, 'done');
});
