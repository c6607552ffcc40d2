// /gallery through the fake Bot API in local workerd: newest first, one message edited in place,
// back/forward by cursor (stable while new images arrive), filters, favourites, delete, open,
// expired items and the stats line. AI images are seeded through the diagnostics route (with or
// without an R2 object); thumbnails are made with /generate.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';

const SECRET = TEST_SECRETS.WEBHOOK_SECRET;
let w;
let tg;
let nextUpdate = 91000;
let nextUser = 9100;

before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  w = await startWorker({ vars: { TELEGRAM_API_BASE: tg.url, FREE_GENERATIONS_PER_DAY: '20' } });
});
after(async () => {
  await w?.stop();
  await tg?.stop();
});
beforeEach(() => tg.reset());

function user(id, lang = 'en') {
  return { id, is_bot: false, first_name: `User${id}`, username: `u${id}`, language_code: lang };
}
async function post(update) {
  const r = await fetch(`${w.url}/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  });
  assert.equal(r.status, 200);
}
async function say(from, text) {
  const id = nextUpdate++;
  await post({ update_id: id, message: { message_id: id, date: 1, chat: { id: from.id, type: 'private' }, from, text } });
}
async function press(from, data, messageId) {
  const id = nextUpdate++;
  await post({
    update_id: id,
    callback_query: { id: `cb${id}`, from, data, chat_instance: 'x',
      message: { message_id: messageId, date: 1, chat: { id: from.id, type: 'private' }, text: '' } },
  });
}
async function seedImage(userId, atMs, stored = true) {
  const r = await fetch(`${w.url}/__diag/seed-generation?user=${userId}&status=completed&at_ms=${atMs}${stored ? '&r2=1' : ''}`);
  assert.equal(r.status, 200, await r.clone().text());
  return (await r.json()).id;
}
async function rowsOf(userId) {
  const all = (await (await fetch(`${w.url}/generations/__diag/rows`)).json()).rows;
  return all.filter((r) => r.user_id === userId);
}
const toChat = (chat) => tg.calls.filter((c) => Number(c.params.chat_id) === chat);
const markup = (c) => (typeof c.params.reply_markup === 'string' ? JSON.parse(c.params.reply_markup) : c.params.reply_markup);
// The gallery message as the user sees it now: the last send or edit of a gallery text.
const galleryViews = (chat) => toChat(chat).filter((c) => (c.method === 'sendMessage' || c.method === 'editMessageText') && /<b>Gallery<\/b>/.test(c.params.text));
async function view(chat, n) {
  await tg.waitFor(() => galleryViews(chat).length >= n, 15000);
  const c = galleryViews(chat)[n - 1];
  const buttons = (markup(c)?.inline_keyboard ?? []).flat();
  const button = (re) => buttons.find((b) => re.test(b.text));
  // The item's id travels in every item button: gal:<op>:<filter>:<created_ms>:<id>.
  const fav = button(/Favourite|Unfavourite/);
  return { text: c.params.text, buttons, button, id: fav ? Number(fav.callback_data.split(':').at(-1)) : null };
}
async function generate(u, title) {
  const before = toChat(u.id).filter((c) => c.method === 'sendPhoto' || c.method === 'sendDocument').length;
  await say(u, `/generate ${title}`);
  await tg.waitFor(() => toChat(u.id).filter((c) => (c.method === 'sendPhoto' || c.method === 'sendDocument') && !c.failed).length > before, 20000);
  const rows = await rowsOf(u.id);
  return rows.find((r) => r.prompt === title).id;
}

test('/gallery: empty, then newest first with back/forward and a stats line', async () => {
  const u = user(nextUser++);
  await say(u, '/gallery');
  await tg.waitFor(() => toChat(u.id).length >= 1);
  assert.match(toChat(u.id)[0].params.text, /Your gallery is empty/);

  const now = Date.now();
  const a = await seedImage(u.id, now - 3000);
  const b = await seedImage(u.id, now - 2000);
  const t = await generate(u, 'Pizza recipe');
  tg.reset();
  await say(u, '/gallery');
  let v = await view(u.id, 1);
  assert.equal(v.id, t);
  assert.match(v.text, /Gallery<\/b> · 1\/3/);
  assert.match(v.text, /Thumbnail/);
  assert.match(v.text, /Pizza recipe/);
  assert.match(v.text, /2 AI images · 1 thumbnail · ⭐ 0/);
  assert.equal(v.button(/Newer/), undefined);
  const msgId = 1; // the message the buttons are on (the bot edits the message of the callback)
  await press(u, v.button(/Older/).callback_data, msgId);
  v = await view(u.id, 2);
  assert.equal(tg.calls.filter((c) => c.method === 'editMessageText').length, 1, 'edited in place');
  assert.equal(v.id, b);
  assert.match(v.text, /2\/3/);
  await press(u, v.button(/Older/).callback_data, msgId);
  v = await view(u.id, 3);
  assert.equal(v.id, a);
  assert.match(v.text, /3\/3/);
  assert.equal(v.button(/Older/), undefined, 'the oldest has no forward button');
  await press(u, v.button(/Newer/).callback_data, msgId);
  v = await view(u.id, 4);
  assert.equal(v.id, b);
});

test('/gallery: paging stays on the next older item while new images arrive', async () => {
  const u = user(nextUser++);
  const now = Date.now();
  const ids = [];
  for (let i = 5; i >= 1; i--) ids.push(await seedImage(u.id, now - i * 1000)); // oldest first
  await say(u, '/gallery');
  let v = await view(u.id, 1);
  assert.equal(v.id, ids[4]);
  await press(u, v.button(/Older/).callback_data, 1);
  v = await view(u.id, 2);
  assert.equal(v.id, ids[3]);
  // Two new items arrive: by offset, "older" would now show ids[3] again (or skip one).
  await seedImage(u.id, Date.now());
  await generate(u, 'Brand new video');
  await press(u, v.button(/Older/).callback_data, 1);
  v = await view(u.id, 3);
  assert.equal(v.id, ids[2]);
  assert.match(v.text, /5\/7/);
  await press(u, v.button(/Older/).callback_data, 1);
  v = await view(u.id, 4);
  assert.equal(v.id, ids[1]);
});

test('/gallery: filters by type, 7/30 days and favourites; favourite toggle', async () => {
  const u = user(nextUser++);
  const day = 86400000;
  const old = await seedImage(u.id, Date.now() - 10 * day);
  const img = await seedImage(u.id, Date.now() - 1000);
  const thumb = await generate(u, 'Guitar cover');
  tg.reset();
  await say(u, '/gallery');
  let v = await view(u.id, 1);
  assert.match(v.text, /1\/3/);
  // Type: thumbnails only.
  await press(u, v.button(/^Thumbnails$/).callback_data, 1);
  v = await view(u.id, 2);
  assert.equal(v.id, thumb);
  assert.match(v.text, /1\/1/);
  assert.ok(v.button(/✓ Thumbnails/));
  // AI images, last 7 days: the 10-day-old one is out; 30 days: back in.
  await press(u, v.button(/^AI images$/).callback_data, 1);
  v = await view(u.id, 3);
  assert.equal(v.id, img);
  assert.match(v.text, /1\/2/);
  await press(u, v.button(/^7 days$/).callback_data, 1);
  v = await view(u.id, 4);
  assert.equal(v.id, img);
  assert.match(v.text, /1\/1/);
  assert.equal(v.button(/Older/), undefined);
  await press(u, v.button(/^30 days$/).callback_data, 1);
  v = await view(u.id, 5);
  assert.match(v.text, /1\/2/);
  await press(u, v.button(/Older/).callback_data, 1);
  v = await view(u.id, 6);
  assert.equal(v.id, old);
  // Favourites only: nothing yet.
  await press(u, v.button(/⭐ only/).callback_data, 1);
  v = await view(u.id, 7);
  assert.match(v.text, /Nothing matches these filters/);
  // Back to all types and any time: still no favourites.
  await press(u, v.button(/^All$/).callback_data, 1);
  v = await view(u.id, 8);
  assert.match(v.text, /Nothing matches/);
  await press(u, v.button(/^Any time$/).callback_data, 1);
  v = await view(u.id, 9);
  assert.match(v.text, /Nothing matches/);
  await press(u, v.button(/✓ ⭐ only/).callback_data, 1);
  v = await view(u.id, 10);
  assert.equal(v.id, thumb);
  assert.match(v.text, /1\/3/);
  await press(u, v.button(/☆ Favourite/).callback_data, 1);
  v = await view(u.id, 11);
  assert.equal(v.id, thumb);
  assert.match(v.text, /· ⭐/);
  assert.match(v.text, /⭐ 1$/);
  assert.ok(v.button(/Unfavourite/));
  await press(u, v.button(/⭐ only/).callback_data, 1);
  v = await view(u.id, 12);
  assert.equal(v.id, thumb);
  assert.match(v.text, /1\/1/);
  // Unfavourite under "favourites only": it leaves the list.
  await press(u, v.button(/Unfavourite/).callback_data, 1);
  v = await view(u.id, 13);
  assert.match(v.text, /Nothing matches/);
});

test('/gallery: open sends the stored image; expired items say so; delete hides the row and removes the object', async () => {
  const u = user(nextUser++);
  const expired = await seedImage(u.id, Date.now() - 5000, false);
  const thumb = await generate(u, 'Travel vlog: Japan');
  const [row] = (await rowsOf(u.id)).filter((r) => r.id === thumb);
  tg.reset();
  await say(u, '/gallery');
  let v = await view(u.id, 1);
  assert.equal(v.id, thumb);
  await press(u, v.button(/Open/).callback_data, 1);
  await tg.waitFor(() => toChat(u.id).some((c) => (c.method === 'sendPhoto' || c.method === 'sendDocument') && !c.failed), 15000);
  const sent = toChat(u.id).find((c) => (c.method === 'sendPhoto' || c.method === 'sendDocument') && !c.failed);
  const bytes = (sent.files.photo ?? sent.files.document).bytes;
  assert.equal(bytes.readUInt16BE(0), 0xffd8, 'the stored JPEG');
  // The expired one: listed, says so, no Open button.
  await press(u, v.button(/Older/).callback_data, 1);
  v = await view(u.id, 2);
  assert.equal(v.id, expired);
  assert.match(v.text, /Expired: images are kept 30 days/);
  assert.equal(v.button(/Open/), undefined);
  // Delete the thumbnail: confirmation, then gone from D1 and R2.
  await press(u, (await view(u.id, 1)).button(/Delete/).callback_data, 1);
  await tg.waitFor(() => toChat(u.id).some((c) => c.method === 'editMessageText' && /cannot be undone/.test(c.params.text)));
  const confirm = toChat(u.id).filter((c) => c.method === 'editMessageText' && /cannot be undone/.test(c.params.text)).at(-1);
  const yes = markup(confirm).inline_keyboard.flat().find((b) => /Yes/.test(b.text));
  await press(u, yes.callback_data, 1);
  // (answerCallbackQuery names the query, not the chat.)
  await tg.waitFor(() => tg.calls.some((c) => c.method === 'answerCallbackQuery' && /Deleted/.test(c.params.text ?? '')));
  v = await view(u.id, 3);
  assert.equal(v.id, expired);
  assert.match(v.text, /1\/1/);
  assert.match(v.text, /1 AI image · 0 thumbnails/);
  // Hidden from the user and its image gone; the row stays, so usage still counts it.
  const [hidden] = (await rowsOf(u.id)).filter((r) => r.id === thumb);
  assert.ok(hidden.deleted_ms > 0);
  assert.equal(hidden.r2_key, null);
  const obj = await (await fetch(`${w.url}/__diag/r2-get?key=${encodeURIComponent(row.r2_key)}`)).json();
  assert.equal(obj.found, false);
});
