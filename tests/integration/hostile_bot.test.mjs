// Hostile text through the bot, as tables. Path tricks in everything a user can type that could
// reach an R2 key (file names, prompts, thumbnail titles, model names, gallery button data, the
// generation status route): R2 keys are built from ids only, so the bucket holds nothing but
// id-shaped keys, and a forged button cannot open or delete someone else's image. HTML, Markdown
// and SQL in prompts and titles: shown to the user as the text they typed, stored as typed.
import { test, before, after } from 'node:test';
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
    vars: { TELEGRAM_API_BASE: tg.url, MODELS: JSON.stringify(models), FREE_GENERATIONS_PER_DAY: '3' },
  });
  bot = botClient(w, tg);
});
after(async () => {
  await w?.stop();
  await tg?.stop();
});

const TRICKS = [
  '../../etc/passwd', '..\\..\\windows\\win.ini', '/absolute/key', 'a/../../b', '%2e%2e%2fescape',
  'thumb/1.jpg', 'generations/flux/1.png', 'nul\u0000byte', 'dot/./slash//', '∕unicode∕slash', '~/home',
];
const photos = (chat) => bot.callsTo(chat).filter((c) => (c.method === 'sendPhoto' || c.method === 'sendDocument') && !c.failed);
const rowsOf = async (id) => (await (await fetch(`${w.url}/generations/__diag/rows`)).json()).rows.filter((r) => r.user_id === id);
function callback(from, data) {
  return { update_id: Math.floor(Math.random() * 1e9), callback_query: { id: `cb-${data}`, from, data, chat_instance: 'x',
    message: { message_id: 1, date: 1, chat: { id: from.id, type: 'private' }, text: '' } } };
}

test('path tricks from users never shape an R2 key, and forged buttons reach no one else\'s image', async () => {
  const owner = bot.user(61001);
  const other = bot.user(61002);
  await bot.give(owner.id, 20);

  // The owner's real images: one AI image and one thumbnail, both titled with tricks.
  await bot.send(owner, `/image=flux=${TRICKS[0]} ${TRICKS[1]}`);
  await bot.send(owner, `/generate ${TRICKS[0]} | ${TRICKS[3]}`);
  await tg.waitFor(() => photos(owner.id).length >= 2, 20000);
  const mine = await rowsOf(owner.id);
  assert.equal(mine.length, 2);

  // Everything else a user can type, with every trick.
  for (const t of TRICKS) {
    await bot.send(other, `/save ${t}\nprint(1)`);
    await bot.send(other, `/image=${t}=a cat`);
    await bot.send(other, `/image ${t}`);
  }
  // Forged gallery buttons: the owner's ids (open, favourite, delete) and tricks in the id field.
  for (const row of mine) {
    for (const op of ['p', 'F', 'D']) await bot.post(callback(other, `gal:${op}:a0_0:0:${row.id}`));
  }
  for (const t of TRICKS) await bot.post(callback(other, `gal:p:a0_0:0:${t}`));
  // The status route with tricks in the id.
  for (const t of ['..%2f..%2fwebhook', '1%2f..%2f2', '%00', '1.png', '-1', '99999999999999999999']) {
    const r = await fetch(`${w.url}/generations/${t}`);
    assert.equal(r.status, 404, `/generations/${t}`);
    assert.match((await r.json()).error, /no such generation/);
  }

  // Nobody but the owner got a photo; the owner's items are untouched.
  assert.equal(photos(other.id).length, 0, 'the other user received an image');
  const after = await rowsOf(owner.id);
  assert.deepEqual(after.map((r) => [r.id, r.status, r.favourite ?? 0, r.r2_key]),
    mine.map((r) => [r.id, r.status, r.favourite ?? 0, r.r2_key]));
  // Every key in the bucket is built from ids: generations/<model>/<id>.<ext> or thumb/<id>.<ext>.
  const { objects } = await (await fetch(`${w.url}/__diag/r2-list`)).json();
  assert.ok(objects.length >= 2);
  for (const o of objects) {
    assert.match(o.key, /^(generations\/flux\/\d+\.(png|jpg|webp)|thumb\/\d+\.(jpg|png))$/, o.key);
  }
  assert.deepEqual(new Set(objects.map((o) => o.key)), new Set(after.map((r) => r.r2_key)));
});

const INJECTIONS = [
  '<b>bold</b> <a href="tg://user?id=1">link</a> & <script>alert(1)</script>',
  "x'); DROP TABLE generations; --",
  '*bold* _italic_ [link](http://evil.example) `code`',
  '&amp; &lt;already escaped&gt; <i',
];

test('HTML, Markdown and SQL in prompts and titles come back as the text typed', async () => {
  const u = bot.user(61003);
  await bot.give(u.id, 50);
  for (const [i, text] of INJECTIONS.entries()) {
    const before = photos(u.id).length;
    await bot.send(u, i % 2 ? `/generate ${text}` : `/image=flux=${text}`);
    await tg.waitFor(() => photos(u.id).length > before, 20000);
    const caption = photos(u.id).at(-1).params.caption;
    // The caption is HTML (parse_mode HTML): every <, > and & the user typed is escaped, so
    // Telegram shows the characters and no markup of theirs is applied.
    const shown = caption.replace(/<\/?(b|i|code)>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    assert.ok(shown.includes(text.slice(0, 40)), `caption ${caption} shows ${text}`);
    assert.ok(!/<(a|script)\b/.test(caption), caption);
  }
  // Stored as typed: the rows hold the exact prompts and titles, and the tables are all there.
  const prompts = (await rowsOf(u.id)).map((r) => r.prompt);
  for (const text of INJECTIONS) assert.ok(prompts.includes(text), `stored ${text}: ${JSON.stringify(prompts)}`);
  await bot.send(u, '/gallery');
  await tg.waitFor(() => bot.textsTo(u.id).some((t) => /Gallery/.test(t)), 10000);
});
