// YouTube thumbnails end to end in local workerd: POST /thumbnail (images and error rules, with
// RENDER_API_KEY set) and /generate through the fake Bot API (photo, D1 row, R2 object, free tier
// with watermark, paid without, the daily free allowance, retried updates); premium/pro through
// the model queue and the fake model workers (the background's colour under the title, credits
// charged once, refunded once on failure or cancel); the LLM analysis and its fallbacks.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
// sharp (a pinned devDependency) decodes the JPEGs.
import sharp from 'sharp';
import { startWorker, waitFor, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';
import { startFakeModels, makePng } from '../fakes/models.mjs';
import { decodePng } from './png.mjs';

const API_KEY = 'thumb-test-render-key';
const SECRET = TEST_SECRETS.WEBHOOK_SECRET;
const MODEL_KEY = 'test-model-key-0123456789';
// The fake model workers paint every background in this colour.
const BG = [40, 120, 200];
let w;
let tg;
let fm;
let nextUpdate = 81000;
let nextUser = 8100;

before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  fm = await startFakeModels({ apiKey: MODEL_KEY, rgb: BG });
  const models = [
    // Square by default, as most models are: a thumbnail job asks for 1280x720.
    { name: 'flux', provider: 'http-get', url: `${fm.url}/flux`, cost: 1, params: { steps: 4, width: 1024, height: 1024 } },
    { name: 'sdxl', provider: 'http-post', url: `${fm.url}/sdxl`, cost: 2, params: { width: 1024, height: 1024, steps: 20, seed: true } },
  ];
  w = await startWorker({
    vars: {
      TELEGRAM_API_BASE: tg.url, RENDER_API_KEY: API_KEY, FREE_GENERATIONS_PER_DAY: '2', THUMBNAIL_COST: '1',
      MODELS: JSON.stringify(models), MODEL_API_KEY: MODEL_KEY, MODEL_RETRIES: '2',
      MODEL_CONNECT_TIMEOUT: '1', MODEL_READ_TIMEOUT: '5', GENERATION_TIMEOUT: '30',
      THUMBNAIL_PREMIUM_MODEL: 'flux', THUMBNAIL_PREMIUM_COST: '3', THUMBNAIL_PRO_MODEL: 'sdxl', THUMBNAIL_PRO_COST: '6',
      THUMBNAIL_LLM_PROVIDER: 'openai', THUMBNAIL_LLM_URL: `${fm.url}/llm/v1/chat/completions`, THUMBNAIL_LLM_TIMEOUT_MS: '1500',
    },
  });
});
after(async () => {
  await w?.stop();
  await tg?.stop();
  await fm?.stop();
});
beforeEach(() => tg.reset());

// Width and height from a JPEG's SOF segment (baseline or progressive).
function jpegSize(b) {
  assert.equal(b.readUInt16BE(0), 0xffd8, 'JPEG SOI marker');
  let i = 2;
  while (i + 9 < b.length) {
    assert.equal(b[i], 0xff);
    const m = b[i + 1];
    const len = b.readUInt16BE(i + 2);
    if (m === 0xc0 || m === 0xc1 || m === 0xc2) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  throw new Error('no SOF segment');
}

async function thumbnail(body, headers = { authorization: `Bearer ${API_KEY}` }) {
  const r = await fetch(`${w.url}/thumbnail`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const bytes = Buffer.from(await r.arrayBuffer());
  return { status: r.status, type: r.headers.get('content-type'), headers: r.headers, bytes };
}

function user(id, lang = 'en') {
  return { id, is_bot: false, first_name: `User${id}`, username: `u${id}`, language_code: lang };
}
function messageUpdate(from, text, id = nextUpdate++) {
  return { update_id: id, message: { message_id: id, date: 1, chat: { id: from.id, type: 'private' }, from, text } };
}
async function post(update) {
  const r = await fetch(`${w.url}/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  });
  assert.equal(r.status, 200);
}
async function give(userId, credits) {
  const r = await (await fetch(`${w.url}/__diag/ledger?id=${userId}&delta=${credits}&reason=bonus&ref=t${userId}-${credits}`)).json();
  assert.equal(r.applied, true);
}
async function rowsOf(userId) {
  const all = (await (await fetch(`${w.url}/generations/__diag/rows`)).json()).rows;
  return all.filter((r) => r.user_id === userId);
}
const toChat = (chat) => tg.calls.filter((c) => Number(c.params.chat_id) === chat);
const textsTo = (chat) => toChat(chat).filter((c) => c.method === 'sendMessage').map((c) => c.params.text);
// The image as delivered. The fake Bot API sizes only PNG photos, so a JPEG photo comes back 400
// there and the bot's documented fallback sends it as a document; both reach the user.
const imagesTo = (chat) => toChat(chat)
  .filter((c) => (c.method === 'sendPhoto' || c.method === 'sendDocument') && !c.failed)
  .map((c) => ({ call: c, bytes: (c.files.photo ?? c.files.document).bytes }));

test('POST /thumbnail: a 1280x720 JPEG q85 under 2 MB, category detected from the title', async () => {
  const r = await thumbnail({ title: 'Minecraft speedrun world record!' });
  assert.equal(r.status, 200, r.bytes.toString());
  assert.equal(r.type, 'image/jpeg');
  assert.deepEqual(jpegSize(r.bytes), { width: 1280, height: 720 });
  assert.ok(r.bytes.length <= 2 * 1024 * 1024);
  assert.equal(r.headers.get('x-image-size'), '1280x720');
  assert.equal(r.headers.get('x-thumbnail-category'), 'gaming');
  // Same request, same bytes: the basic algorithm is deterministic.
  const again = await thumbnail({ title: 'Minecraft speedrun world record!' });
  assert.ok(again.bytes.equals(r.bytes));
});

test('POST /thumbnail: PNG on request; titles in Russian, Hebrew and Persian', async () => {
  const png = await thumbnail({ title: 'Рецепт борща', subtitle: 'за 30 минут', format: 'png' });
  assert.equal(png.status, 200, png.bytes.toString());
  assert.equal(png.type, 'image/png');
  const img = decodePng(png.bytes);
  assert.equal(img.width, 1280);
  assert.equal(img.height, 720);
  assert.equal(png.headers.get('x-thumbnail-category'), 'cooking');
  for (const [title, category] of [['חדשות דחוף: תוצאות הבחירות', 'news'], ['آموزش ریاضی برای کنکور', 'education']]) {
    const r = await thumbnail({ title });
    assert.equal(r.status, 200);
    assert.deepEqual(jpegSize(r.bytes), { width: 1280, height: 720 });
    assert.equal(r.headers.get('x-thumbnail-category'), category, title);
  }
  const t = await thumbnail({ title: 'Any title', template: 'neon' });
  assert.equal(t.headers.get('x-thumbnail-template'), 'neon');
});

test('POST /thumbnail: the same error rules as POST /render', async () => {
  const cases = [
    ['{"title":', 400, /not valid JSON/],
    ['[]', 400, /JSON object/],
    [{}, 400, /title is required/],
    [{ title: 42 }, 400, /title must be a string/],
    [{ title: 'x', format: 'gif' }, 400, /format "gif" is unknown/],
    [{ title: 'x', template: 'nope' }, 400, /template "nope" is unknown/],
    [{ title: 'x', algorithm: 'premium' }, 400, /premium/],
    [{ title: 'x'.repeat(101) }, 400, /limit is 100/],
    [{ title: 'x', subtitle: 'y'.repeat(20000) }, 413, /limit/],
  ];
  for (const [body, status, re] of cases) {
    const r = await thumbnail(body);
    assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 60)} -> ${r.bytes.toString()}`);
    assert.match(JSON.parse(r.bytes.toString()).error, re);
  }
  const noKey = await thumbnail({ title: 'x' }, {});
  assert.equal(noKey.status, 401);
  const wrongKey = await thumbnail({ title: 'x' }, { authorization: 'Bearer wrong' });
  assert.equal(wrongKey.status, 401);
  const get = await fetch(`${w.url}/thumbnail`);
  assert.equal(get.status, 405);
});

test('/generate TITLE | SUBTITLE: a free thumbnail with a watermark, stored under thumb/<id>.jpg', async () => {
  const u = user(nextUser++);
  await post(messageUpdate(u, '/generate Easy pizza recipe | in 15 minutes'));
  await tg.waitFor(() => imagesTo(u.id).length === 1, 20000);
  const [{ call, bytes }] = imagesTo(u.id);
  assert.deepEqual(jpegSize(bytes), { width: 1280, height: 720 });
  assert.match(call.params.caption, /Easy pizza recipe/);
  assert.match(call.params.caption, /Free thumbnail with a watermark; 1 free left today/);
  assert.match(call.params.caption, /kitchen · cooking/);
  // The free image is exactly the renderer's output with the bot's name as watermark.
  const marked = await thumbnail({ title: 'Easy pizza recipe', subtitle: 'in 15 minutes', watermark: '@CodeImageBot' });
  const clean = await thumbnail({ title: 'Easy pizza recipe', subtitle: 'in 15 minutes' });
  assert.ok(bytes.equals(marked.bytes), 'free thumbnail carries the watermark');
  assert.ok(!bytes.equals(clean.bytes));
  const [row] = await rowsOf(u.id);
  assert.equal(row.model, 'basic');
  assert.equal(row.status, 'completed');
  assert.equal(row.free_tier, 1);
  assert.equal(row.cost, 0);
  assert.equal(row.prompt, 'Easy pizza recipe | in 15 minutes');
  assert.equal(row.r2_key, `thumb/${row.id}.jpg`);
  const obj = await (await fetch(`${w.url}/__diag/r2-get?key=${encodeURIComponent(row.r2_key)}`)).json();
  assert.equal(obj.found, true);
  assert.equal(obj.size, bytes.length);
  assert.equal(obj.content_type, 'image/jpeg');
});

test('/generate with credits: paid, charged once in the ledger, no watermark', async () => {
  const u = user(nextUser++);
  await give(u.id, 5);
  await post(messageUpdate(u, '/generate Breaking news: election results'));
  await tg.waitFor(() => imagesTo(u.id).length === 1, 20000);
  const [{ call, bytes }] = imagesTo(u.id);
  assert.match(call.params.caption, /1 credit, balance 4/);
  const clean = await thumbnail({ title: 'Breaking news: election results' });
  assert.ok(bytes.equals(clean.bytes), 'paid thumbnail has no watermark');
  const [row] = await rowsOf(u.id);
  assert.equal(row.cost, 1);
  assert.equal(row.free_tier, 0);
  assert.equal(row.credits, 4);
  assert.equal(row.reserves, 1);
});

test('/generate: the daily free allowance, usage, a too long title, a retried update', async () => {
  const u = user(nextUser++, 'ru');
  await post(messageUpdate(u, '/generate'));
  await tg.waitFor(() => textsTo(u.id).length === 1);
  assert.match(textsTo(u.id)[0], /Обложки для YouTube/);
  await post(messageUpdate(u, `/generate ${'я'.repeat(101)}`));
  await tg.waitFor(() => textsTo(u.id).length === 2);
  assert.match(textsTo(u.id)[1], /101 символ, максимум 100/);
  // The same update delivered twice makes one thumbnail.
  const first = messageUpdate(u, '/generate Тренировка дома');
  await post(first);
  await post(first);
  await post(messageUpdate(u, '/generate Второй ролик'));
  await tg.waitFor(() => imagesTo(u.id).length === 2, 20000);
  await post(messageUpdate(u, '/generate Третий ролик'));
  await tg.waitFor(() => textsTo(u.id).length === 3, 20000);
  assert.match(textsTo(u.id)[2], /Бесплатные обложки на сегодня закончились \(2 в день\)/);
  assert.equal(imagesTo(u.id).length, 2);
  assert.equal((await rowsOf(u.id)).length, 2);
});

// ---- premium / pro ---------------------------------------------------------------------------

const markup = (c) => (typeof c.params.reply_markup === 'string' ? JSON.parse(c.params.reply_markup) : c.params.reply_markup);
function callbackUpdate(from, data, id = nextUpdate++) {
  return {
    update_id: id,
    callback_query: { id: `cb${id}`, from, data, chat_instance: 'x',
      message: { message_id: 1, date: 1, chat: { id: from.id, type: 'private' }, text: '' } },
  };
}
async function rowStatus(userId, statuses) {
  return waitFor(async () => {
    const [r] = await rowsOf(userId);
    return r && statuses.includes(r.status) ? r : null;
  }, { timeoutMs: 20000, what: `a row in ${statuses}` });
}

// What a composed thumbnail shows: the share of pixels that are the model's background colour,
// dimmed (kBackgroundDim 0.82) and untouched by the scrim, and the share that are light (title).
async function composition(jpeg) {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [1280, 720]);
  const dim = BG.map((v) => v * 0.82);
  let background = 0;
  let light = 0;
  const n = info.width * info.height;
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [data[i * info.channels], data[i * info.channels + 1], data[i * info.channels + 2]];
    if (Math.abs(r - dim[0]) <= 6 && Math.abs(g - dim[1]) <= 6 && Math.abs(b - dim[2]) <= 6) background++;
    if (0.2126 * r + 0.7152 * g + 0.0722 * b > 200) light++;
  }
  return { background: background / n, light: light / n };
}

test('/generate=premium: a 1280x720 photo composed over the model\'s background, charged once', async () => {
  const u = user(nextUser++);
  await give(u.id, 10);
  await post(messageUpdate(u, '/generate=premium Minecraft speedrun world record | any% glitchless'));
  await tg.waitFor(() => imagesTo(u.id).length === 1, 30000);
  const [{ call, bytes }] = imagesTo(u.id);
  assert.equal(call.method, 'sendPhoto');
  assert.deepEqual(jpegSize(bytes), { width: 1280, height: 720 });
  assert.match(call.params.caption, /Minecraft speedrun world record/);
  assert.match(call.params.caption, /Premium: background drawn by flux\. 💳 3 credits, balance 7/);
  const seen = await composition(bytes);
  assert.ok(seen.background > 0.2, `the background shows: ${JSON.stringify(seen)}`);
  assert.ok(seen.light > 0.01, `the title is drawn over it: ${JSON.stringify(seen)}`);
  // The queue told the user where the job was; the model was asked for 16:9 and no text.
  assert.ok(textsTo(u.id).some((t) => /#\d+ in the flux queue/.test(t)), JSON.stringify(textsTo(u.id)));
  const asked = fm.calls.filter((c) => c.path === '/flux' && /Minecraft speedrun/.test(c.prompt));
  assert.equal(asked.length, 1);
  assert.equal(asked[0].params.width, '1280');
  assert.equal(asked[0].params.height, '720');
  assert.match(asked[0].prompt, /video game world/);
  assert.match(asked[0].prompt, /No text, no letters/);
  const row = await rowStatus(u.id, ['completed']);
  assert.equal(row.kind, 'thumbnail');
  assert.equal(row.model, 'flux');
  assert.equal(row.cost, 3);
  assert.equal(row.free_tier, 0);
  assert.equal(row.credits, 7);
  assert.equal(row.reserves, 1);
  assert.equal(row.refunds, 0);
  assert.equal(row.prompt, 'Minecraft speedrun world record | any% glitchless');
  assert.equal(row.r2_key, `thumb/${row.id}.jpg`);
  const obj = await (await fetch(`${w.url}/__diag/r2-get?key=${encodeURIComponent(row.r2_key)}`)).json();
  assert.equal(obj.found, true);
  assert.equal(obj.size, bytes.length);
});

test('/generate=pro: the pro model, a richer prompt, its own price', async () => {
  const u = user(nextUser++, 'ru');
  await give(u.id, 6);
  await post(messageUpdate(u, '/generate=pro Рецепт борща за 30 минут'));
  await tg.waitFor(() => imagesTo(u.id).length === 1, 30000);
  const [{ call, bytes }] = imagesTo(u.id);
  assert.deepEqual(jpegSize(bytes), { width: 1280, height: 720 });
  assert.match(call.params.caption, /Про: детальный фон от sdxl\. 💳 6 кредитов, баланс 0/);
  const asked = fm.calls.filter((c) => c.path === '/sdxl' && /Рецепт борща/.test(c.prompt));
  assert.equal(asked.length, 1);
  assert.equal(asked[0].params.width, 1280);
  assert.match(asked[0].prompt, /food/);
  assert.match(asked[0].prompt, /highly detailed/);
  const row = await rowStatus(u.id, ['completed']);
  assert.equal(row.cost, 6);
  assert.equal(row.credits, 0);
});

test('/generate=premium: a model failure refunds once and tells the user', async () => {
  const u = user(nextUser++);
  await give(u.id, 4);
  await post(messageUpdate(u, '/generate=premium Broken model [fail:9]'));
  const row = await rowStatus(u.id, ['failed']);
  await tg.waitFor(() => textsTo(u.id).some((t) => /could not be generated/.test(t)), 10000);
  const notice = textsTo(u.id).find((t) => /could not be generated/.test(t));
  assert.match(notice, /3 credits were returned to your balance/);
  assert.equal(row.refunds, 1);
  assert.equal(row.reserves, 1);
  const [after] = await rowsOf(u.id);
  assert.equal(after.credits, 4);
  assert.equal(imagesTo(u.id).length, 0);
  assert.equal(fm.calls.filter((c) => c.path === '/flux' && /Broken model/.test(c.prompt)).length, 2);
});

test('/generate=premium: cancelled while queued, refunded once, nothing delivered', async () => {
  const u = user(nextUser++);
  await give(u.id, 3);
  // The slow one holds the flux queue; the second user's job waits behind it.
  const v = user(nextUser++);
  await give(v.id, 3);
  await post(messageUpdate(v, '/generate=premium Slow background [slow:2500]'));
  await post(messageUpdate(u, '/generate=premium Cancel me'));
  const queued = await rowStatus(u.id, ['queued', 'processing']);
  await post(messageUpdate(u, '/cancel'));
  await tg.waitFor(() => toChat(u.id).some((c) => c.method === 'sendMessage' && markup(c)?.inline_keyboard), 10000);
  const ask = toChat(u.id).find((c) => c.method === 'sendMessage' && markup(c)?.inline_keyboard);
  const yes = markup(ask).inline_keyboard.flat().find((b) => b.callback_data.startsWith('cancel_gen:'));
  await post(callbackUpdate(u, yes.callback_data));
  await post(callbackUpdate(u, yes.callback_data)); // a double tap refunds once
  const row = await rowStatus(u.id, ['cancelled']);
  assert.equal(row.id, queued.id);
  assert.equal(row.refunds, 1);
  assert.equal(row.credits, 3);
  await tg.waitFor(() => imagesTo(v.id).length === 1, 30000);
  assert.equal(imagesTo(u.id).length, 0);
  assert.equal(fm.calls.filter((c) => c.path === '/flux' && /Cancel me/.test(c.prompt)).length, 0);
});

test('/generate=premium without credits: a friendly message, nothing queued', async () => {
  const u = user(nextUser++);
  await post(messageUpdate(u, '/generate=premium Free rider | please'));
  await tg.waitFor(() => textsTo(u.id).length === 1);
  assert.match(textsTo(u.id)[0], /cost 3 credits; your balance is 0/);
  assert.match(textsTo(u.id)[0], /<code>\/generate Free rider \| please<\/code>/);
  assert.equal((await rowsOf(u.id)).length, 0);
  await post(messageUpdate(u, '/generate=ultra Anything'));
  await tg.waitFor(() => textsTo(u.id).length === 2);
  assert.match(textsTo(u.id)[1], /YouTube thumbnails/);
});

test('the AI background button under a basic thumbnail makes the premium one', async () => {
  const u = user(nextUser++);
  await give(u.id, 4);
  await post(messageUpdate(u, '/generate Travel vlog in Japan'));
  await tg.waitFor(() => imagesTo(u.id).length === 1, 20000);
  const buttons = markup(imagesTo(u.id)[0].call).inline_keyboard.flat();
  const premium = buttons.find((b) => b.callback_data.startsWith('thumbup:premium:'));
  assert.match(premium.text, /AI background · 3/);
  assert.ok(buttons.some((b) => b.callback_data.startsWith('thumbup:pro:')));
  const tap = callbackUpdate(u, premium.callback_data);
  await post(tap);
  await post(tap); // Telegram's retry: one job
  await tg.waitFor(() => imagesTo(u.id).length === 2, 30000);
  assert.match(imagesTo(u.id)[1].call.params.caption, /Travel vlog in Japan[\s\S]*Premium/);
  const rows = await rowsOf(u.id);
  assert.equal(rows.length, 2);
  assert.equal(rows.find((r) => r.model === 'flux').cost, 3);
  assert.equal(rows[0].credits, 0); // 1 for the basic one, 3 for the premium one
});

test('POST /thumbnail: premium composes over the caller\'s background; without one, a clear 400', async () => {
  const background = makePng(640, 360, [200, 40, 40]).toString('base64');
  const r = await thumbnail({ title: 'Over my own picture', algorithm: 'premium', background, format: 'png' });
  assert.equal(r.status, 200, r.bytes.toString());
  assert.equal(r.headers.get('x-thumbnail-algorithm'), 'premium');
  const { data, info } = await sharp(r.bytes).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [1280, 720]);
  // Top-left corner: far from any title box, the caller's red, dimmed.
  const i = (10 * info.width + 10) * info.channels;
  assert.deepEqual([data[i], data[i + 1], data[i + 2]], [164, 33, 33]);
  for (const [body, re] of [
    [{ title: 'x', algorithm: 'pro' }, /send it as "background"/],
    [{ title: 'x', background: 'bm90IGFuIGltYWdl' }, /background: the image is not PNG or JPEG/],
  ]) {
    const e = await thumbnail(body);
    assert.equal(e.status, 400);
    assert.match(JSON.parse(e.bytes.toString()).error, re);
  }
});

test('LLM analysis when configured; the rules on failure, timeout or an invalid answer', async () => {
  const base = 'Minecraft speedrun world record!';
  const r = await thumbnail({ title: `${base} [llm:cooking]` });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-thumbnail-category'), 'cooking');
  assert.equal(r.headers.get('x-thumbnail-analysis'), 'llm');
  const asked = fm.calls.find((c) => c.path === '/llm/v1/chat/completions' && c.prompt.includes('[llm:cooking]'));
  assert.ok(asked, 'the LLM was asked');
  for (const marker of ['[llm-fail]', '[llm-slow:3000]', '[llm-junk]', '[llm-invalid]']) {
    const t0 = Date.now();
    const f = await thumbnail({ title: `${base} ${marker}` });
    assert.equal(f.status, 200, marker);
    assert.equal(f.headers.get('x-thumbnail-category'), 'gaming', marker);
    assert.equal(f.headers.get('x-thumbnail-analysis'), 'rules', marker);
    assert.ok(Date.now() - t0 < 2900, `${marker}: the deadline cut the wait`);
  }
  // The bot's caption shows the LLM's category; a premium plan asks for its scene.
  const u = user(nextUser++);
  await post(messageUpdate(u, '/generate Minecraft speedrun [llm:travel]'));
  await tg.waitFor(() => imagesTo(u.id).length === 1, 20000);
  assert.match(imagesTo(u.id)[0].call.params.caption, /· travel/);
  const plan = await fetch(`${w.url}/thumbnail/plan`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({ title: 'Minecraft speedrun [llm:business]', algorithm: 'premium' }),
  });
  const p = await plan.json();
  assert.equal(p.category, 'business');
  assert.equal(p.analysis, 'llm');
  assert.deepEqual(p.colors, ['#2080ff']);
  assert.match(p.background_prompt, /financial charts/);
});
