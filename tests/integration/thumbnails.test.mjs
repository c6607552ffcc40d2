// YouTube thumbnails end to end in local workerd: POST /thumbnail (images and error rules, with
// RENDER_API_KEY set) and /generate through the fake Bot API (photo, D1 row, R2 object, free tier
// with watermark, paid without, the daily free allowance, retried updates).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';
import { decodePng } from './png.mjs';

const API_KEY = 'thumb-test-render-key';
const SECRET = TEST_SECRETS.WEBHOOK_SECRET;
let w;
let tg;
let nextUpdate = 81000;
let nextUser = 8100;

before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  w = await startWorker({
    vars: { TELEGRAM_API_BASE: tg.url, RENDER_API_KEY: API_KEY, FREE_GENERATIONS_PER_DAY: '2', THUMBNAIL_COST: '1' },
  });
});
after(async () => {
  await w?.stop();
  await tg?.stop();
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
  assert.match(call.params.caption, /1 credits, balance 4/);
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
  assert.match(textsTo(u.id)[1], /101 символов, максимум 100/);
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
