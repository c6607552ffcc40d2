// The Telegram side end to end: the real Worker in local workerd with local D1, talking to a
// fake Bot API. Assertions are on what the user would see: the messages and photos the bot sends.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';

let w;
let tg;
let nextUpdate = 1;
const SECRET = TEST_SECRETS.WEBHOOK_SECRET;

before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  w = await startWorker({ vars: { TELEGRAM_API_BASE: tg.url, BOT_NAME: 'TestCodeBot' } });
});
after(async () => {
  await w?.stop();
  await tg?.stop();
});
beforeEach(() => tg.reset());

function user(id, lang = 'en') {
  return { id, is_bot: false, first_name: `User${id}`, username: `u${id}`, language_code: lang };
}

function messageUpdate(from, text, extra = {}) {
  return {
    update_id: nextUpdate++,
    message: { message_id: nextUpdate, date: 1, chat: { id: from.id, type: 'private' }, from, text, ...extra },
  };
}

async function post(update, { secret = SECRET, raw } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (secret !== null) headers['x-telegram-bot-api-secret-token'] = secret;
  return fetch(`${w.url}/telegram`, { method: 'POST', headers, body: raw ?? JSON.stringify(update) });
}

const texts = () => tg.calls.filter((c) => c.method === 'sendMessage').map((c) => c.params.text);

test('a missing or wrong secret token is refused with 401 and nothing happens', async () => {
  const u = messageUpdate(user(1), '/start');
  for (const secret of [null, 'wrong-secret-wrong-secret', SECRET.slice(0, -1)]) {
    const r = await post(u, { secret });
    assert.equal(r.status, 401);
  }
  assert.equal(tg.calls.length, 0);
  // The same update with the right secret is still processed: the refusals claimed nothing.
  assert.equal((await post(u)).status, 200);
  assert.equal(texts().length, 1);
});

test('/start answers in the user\'s language', async () => {
  await post(messageUpdate(user(2, 'ru'), '/start'));
  await post(messageUpdate(user(3, 'fa'), '/start'));
  await post(messageUpdate(user(4, 'he-IL'), '/help'));
  const [ru, fa, he] = texts();
  assert.match(ru, /Привет/);
  assert.match(fa, /سلام/);
  assert.match(he, /שלום/);
});

test('a retried update takes effect once, even five copies at once', async () => {
  const u = messageUpdate(user(5), '/save once.py\nprint("once")');
  // Copies that arrive while the first still holds the update are told to come back (503, so
  // Telegram delivers them again); none takes effect a second time.
  const results = await Promise.all(Array.from({ length: 5 }, () => post(u)));
  const statuses = results.map((r) => r.status);
  assert.ok(statuses.every((s) => s === 200 || s === 503), statuses.join());
  assert.ok(statuses.includes(200), statuses.join());
  assert.equal((await post(u)).status, 200);
  const saved = texts().filter((t) => t.includes('Saved'));
  assert.equal(saved.length, 1);
  assert.match(saved[0], /version 1\b/);
  tg.reset();
  await post(messageUpdate(user(5), '/files'));
  assert.match(texts()[0], /once\.py<\/code> — python, v1/);
});

test('/save keeps versions; /files pages with buttons; /delete removes', async () => {
  const u = user(6);
  await post(messageUpdate(u, '/save app.js\nconsole.log(1)'));
  await post(messageUpdate(u, '/save app.js\nconsole.log(2)'));
  for (let i = 0; i < 9; i++) await post(messageUpdate(u, `/save f${i}.py\nx = ${i}`));
  const saved = texts().filter((t) => t.includes('Saved'));
  assert.equal(saved.length, 11);
  assert.match(saved[1], /app\.js<\/b> \(version 2, 1 line, javascript\)/);
  tg.reset();
  await post(messageUpdate(u, '/files'));
  const list = tg.calls.find((c) => c.method === 'sendMessage');
  assert.match(list.params.text, /\(10 files\), page 1\/2/);
  const kb = list.params.reply_markup.inline_keyboard;
  assert.equal(kb.length, 9, '8 files and a navigation row');
  assert.deepEqual(kb[8].map((b) => b.callback_data), ['pg:2']);
  // Page 2 by button: the same message is edited in place.
  tg.reset();
  const cb = { update_id: nextUpdate++, callback_query: { id: 'cb1', from: u, data: 'pg:2',
    message: { message_id: list.params.message_id ?? 77, chat: { id: u.id } } } };
  assert.equal((await post(cb)).status, 200);
  const edit = tg.calls.find((c) => c.method === 'editMessageText');
  assert.match(edit.params.text, /page 2\/2/);
  assert.ok(tg.calls.some((c) => c.method === 'answerCallbackQuery'));
  tg.reset();
  await post(messageUpdate(u, '/delete app.js'));
  await post(messageUpdate(u, '/delete app.js'));
  assert.match(texts()[0], /Deleted <b>app\.js<\/b>/);
  assert.match(texts()[1], /not found/);
});

test('a text document is downloaded and saved; a binary one is refused kindly', async () => {
  const u = user(7);
  tg.addFile('doc-1', 'documents/file_1.py', 'def hello():\n    return "hi"\n');
  tg.addFile('bin-1', 'documents/file_2.bin', Buffer.from([0, 1, 2, 255, 0]));
  await post(messageUpdate(u, undefined, { document: { file_id: 'doc-1', file_name: 'hello.py', file_size: 30 } }));
  await post(messageUpdate(u, undefined, { document: { file_id: 'bin-1', file_name: 'blob.py', file_size: 5 } }));
  await post(messageUpdate(u, undefined, { document: { file_id: 'big', file_name: 'big.py', file_size: 2_000_000 } }));
  const [ok, binary, big] = texts();
  assert.match(ok, /Saved <b>hello\.py<\/b> \(version 1, 2 lines, python\)/);
  assert.match(binary, /only keep text files/);
  assert.match(big, /too large/);
  assert.ok(tg.calls.some((c) => c.method === 'getFile' && c.params.file_id === 'doc-1'));
});

test('user text in replies is escaped and bad names are refused', async () => {
  const u = user(8);
  await post(messageUpdate(u, '/image <b>evil</b>&'));
  await post(messageUpdate(u, "/save x';DROP TABLE users;-- \nprint(1)"));
  await post(messageUpdate(u, '/save ../../etc/passwd\nroot'));
  const [nf, bad1, bad2] = texts();
  assert.match(nf, /&lt;b&gt;evil&lt;\/b&gt;&amp;/);
  assert.ok(!nf.includes('<b>evil'));
  assert.match(bad1, /file name won't do/);
  assert.match(bad2, /file name won't do/);
  // The SQL in the name was never run: the bot still knows this user.
  tg.reset();
  await post(messageUpdate(u, '/files'));
  assert.match(texts()[0], /No saved files/);
});

test('bodies that are not usable updates get 200 (no endless retries) and change nothing', async () => {
  for (const raw of ['{not json', '[]', '{"update_id":"x"}', '\xff\xfe', JSON.stringify({ update_id: 99999, poll: {} })]) {
    const r = await post(null, { raw });
    assert.equal(r.status, 200, raw);
  }
  assert.equal(tg.calls.length, 0);
});

test('Telegram 429 is honoured: the message arrives once after retry_after', async () => {
  tg.failNext('sendMessage', 429);
  await post(messageUpdate(user(9), '/start'));
  const sends = tg.calls.filter((c) => c.method === 'sendMessage');
  assert.equal(sends.length, 2);
  assert.equal(sends[0].failed, 429);
  assert.equal(sends[1].failed, undefined);
  assert.ok(sends[1].at - sends[0].at >= 900, 'waited for retry_after');
});

test('Telegram 5xx is retried a bounded number of times', async () => {
  tg.failNext('sendMessage', 502, 10);
  const r = await post(messageUpdate(user(10), '/start'));
  assert.equal(r.status, 200);
  assert.equal(tg.calls.filter((c) => c.method === 'sendMessage').length, 4);
});

test('blocking the bot marks the user inactive; a pre-checkout is declined politely', async () => {
  const u = user(11);
  const r = await post({ update_id: nextUpdate++, my_chat_member: { chat: { id: u.id, type: 'private' }, from: u,
    date: 1, old_chat_member: { status: 'member', user: u }, new_chat_member: { status: 'kicked', user: u } } });
  assert.equal(r.status, 200);
  const state = await (await fetch(`${w.url}/__diag/user?id=${u.id}`)).json();
  assert.equal(state.row.active, 0);
  await post({ update_id: nextUpdate++, pre_checkout_query: { id: 'pcq1', from: u, currency: 'XTR',
    total_amount: 50, invoice_payload: 'pack:1' } });
  const ans = tg.calls.find((c) => c.method === 'answerPreCheckoutQuery');
  assert.equal(ans.params.ok, false);
  // Not an invoice this bot issued (tests/integration/payments.test.mjs covers real ones).
  assert.match(ans.params.error_message, /no longer valid/);
});

test('/support shows the user id and contact; /lang switches the UI to Hebrew', async () => {
  const u = user(12, 'en');
  await post(messageUpdate(u, '/support'));
  assert.match(texts()[0], /Your ID: <code>12<\/code>/);
  assert.match(texts()[0], /@u12/);
  assert.match(texts()[0], /@CodeImageSupport/);
  tg.reset();
  await post(messageUpdate(u, '/lang'));
  const kb = tg.calls[0].params.reply_markup.inline_keyboard.flat().map((b) => b.callback_data);
  assert.deepEqual(kb.sort(), ['lang:en', 'lang:fa', 'lang:he', 'lang:ru']);
  await post({ update_id: nextUpdate++, callback_query: { id: 'cbl', from: u, data: 'lang:he',
    message: { message_id: 5, chat: { id: u.id } } } });
  tg.reset();
  await post(messageUpdate(u, '/image nothing.py'));
  // The file name is isolated (U+2068 ... U+2069) so it keeps its shape in the Hebrew sentence.
  assert.match(texts()[0], /הקובץ <b>\u2068nothing\.py\u2069<\/b> לא נמצא/);
});

test('unknown files suggest the closest names; empty files are refused', async () => {
  const u = user(13);
  await post(messageUpdate(u, '/save server.py\nimport os'));
  await post(messageUpdate(u, '/save client.py\nimport sys'));
  await post(messageUpdate(u, '/save empty.py\n   \n'));
  assert.match(texts()[2], /<b>empty\.py<\/b> is empty/);
  tg.reset();
  await post(messageUpdate(u, '/image servr.py'));
  assert.match(texts()[0], /Did you mean: <code>server\.py<\/code>/);
  assert.ok(!texts()[0].includes('client.py'));
});

test('POST /telegram/setup registers the command menu in every UI language', async () => {
  const denied = await fetch(`${w.url}/telegram/setup`, { method: 'POST' });
  assert.equal(denied.status, 401);
  const r = await fetch(`${w.url}/telegram/setup`, { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': SECRET } });
  assert.equal(r.status, 200);
  const calls = tg.calls.filter((c) => c.method === 'setMyCommands');
  assert.deepEqual(calls.map((c) => c.params.language_code ?? 'default').sort(), ['default', 'fa', 'he', 'ru']);
  const ru = calls.find((c) => c.params.language_code === 'ru');
  assert.ok(ru.params.commands.some((c) => c.command === 'image' && /Картинка/.test(c.description)));
});

test('an edited message is handled like a new one', async () => {
  const u = user(14);
  await post({ update_id: nextUpdate++, edited_message: { message_id: 3, date: 1, edit_date: 2,
    chat: { id: u.id, type: 'private' }, from: u, text: '/save edited.py\nx = 1' } });
  assert.match(texts()[0], /Saved <b>edited\.py<\/b>/);
});

// --- code images (these need the render function) ---
import { decodePng } from './png.mjs';

const photos = () => tg.calls.filter((c) => c.method === 'sendPhoto' || c.method === 'sendDocument');

async function renderedSize(body) {
  const r = await fetch(`${w.url}/render`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(r.status, 200);
  return decodePng(new Uint8Array(await r.arrayBuffer()));
}

test('/image sends a PNG photo that decodes, with the caption; /preview cuts to 50 lines', async () => {
  const u = user(20);
  const code = Array.from({ length: 80 }, (_, i) => `print(${i})  # line ${i}`).join('\n');
  await post(messageUpdate(u, `/save long.py\n${code}`));
  tg.reset();
  await post(messageUpdate(u, '/image long.py'));
  await post(messageUpdate(u, '/preview long.py'));
  const [full, preview] = photos();
  assert.equal(full.method, 'sendPhoto');
  assert.match(full.params.caption, /<b>long\.py<\/b> · python · 80 lines/);
  const png = decodePng(full.files.photo.bytes);
  const direct = await renderedSize({ code, filename: 'long.py', title: 'long.py', watermark: '@TestCodeBot' });
  assert.deepEqual([png.width, png.height], [direct.width, direct.height]);
  const pv = decodePng(preview.files.photo.bytes);
  assert.equal(pv.width, png.width);
  assert.ok(pv.height < png.height * 0.8, `preview ${pv.height} px vs full ${png.height} px`);
});

test('a fenced code block renders without saving; /image as a reply renders the replied code', async () => {
  const u = user(21);
  await post(messageUpdate(u, 'please:\n```js\nconst x = `a${1}`;\n```'));
  await post(messageUpdate(u, '/image', { reply_to_message: { message_id: 1, date: 1, chat: { id: u.id, type: 'private' },
    from: u, text: 'fn main() {}', entities: [{ type: 'pre', offset: 0, length: 12, language: 'rust' }] } }));
  const [a, b] = photos();
  assert.equal(a.method, 'sendPhoto');
  assert.match(a.params.caption, /javascript/);
  assert.match(b.params.caption, /rust/);
  decodePng(a.files.photo.bytes);
  tg.reset();
  await post(messageUpdate(u, '/files'));
  assert.match(texts()[0], /No saved files/);
});

test('an image too tall for a photo is sent as a document', async () => {
  const u = user(22);
  const code = Array.from({ length: 800 }, (_, i) => `x${i} = ${i}`).join('\n');
  await post(messageUpdate(u, `/save tall.py\n${code}`));
  tg.reset();
  await post(messageUpdate(u, '/image tall.py'));
  const sent = photos();
  assert.equal(sent.length, 1);
  assert.equal(sent[0].method, 'sendDocument');
  assert.equal(sent[0].files.document.filename, 'tall.py.png');
  const png = decodePng(sent[0].files.document.bytes);
  assert.ok(png.height / png.width > 20 || png.height + png.width > 10000);
});

test('code images are limited to 10 a minute, with the wait in the message', async () => {
  const u = user(23);
  await post(messageUpdate(u, '/save a.py\nx = 1'));
  tg.reset();
  for (let i = 0; i < 11; i++) await post(messageUpdate(u, '/image a.py'));
  assert.equal(photos().length, 10);
  const limited = texts().find((t) => t.includes('Too many requests'));
  // The wait is written as a duration: seconds under a minute, "1 min" for a full one.
  const m = /try again in (\d+) (s|min)\./.exec(limited);
  assert.ok(m, limited);
  const secs = m[2] === 'min' ? Number(m[1]) * 60 : Number(m[1]);
  assert.ok(secs >= 1 && secs <= 60);
});

test('/image_all asks above 10 files, then edits one progress message every 5 files', async () => {
  const u = user(24);
  for (let i = 0; i < 12; i++) await post(messageUpdate(u, `/save m${String(i).padStart(2, '0')}.py\nv = ${i}`));
  tg.reset();
  await post(messageUpdate(u, '/image_all'));
  const ask = tg.calls.find((c) => c.method === 'sendMessage');
  assert.match(ask.params.text, /You have 12 files/);
  assert.deepEqual(ask.params.reply_markup.inline_keyboard[0].map((b) => b.callback_data), ['all:yes', 'all:no']);
  tg.reset();
  await post({ update_id: nextUpdate++, callback_query: { id: 'cba', from: u, data: 'all:yes',
    message: { message_id: 55, chat: { id: u.id } } } });
  await tg.waitFor((calls) => calls.some((c) => c.method === 'editMessageText' && /Done: 12\/12/.test(c.params.text)), 30000);
  assert.equal(photos().length, 12);
  const status = tg.calls.find((c) => c.method === 'sendMessage' && /Creating 12 images/.test(c.params.text));
  assert.ok(status);
  const edits = tg.calls.filter((c) => c.method === 'editMessageText').map((c) => c.params.text);
  assert.deepEqual(edits, ['⏳ Creating 12 images… 5/12', '⏳ Creating 12 images… 10/12', '✅ Done: 12/12']);
});

test('/theme offers the themes and remembers the choice', async () => {
  const u = user(25);
  await post(messageUpdate(u, '/theme'));
  // The first page (paging itself: themes.test.mjs).
  const kb = tg.calls[0].params.reply_markup.inline_keyboard.flat().map((b) => b.callback_data)
    .filter((d) => d.startsWith('th:'));
  const themes = (await (await fetch(`${w.url}/render/themes`)).json()).themes.map((t) => t.name);
  assert.deepEqual(kb, themes.slice(0, kb.length).map((t) => `th:${t}`));
  assert.ok(kb.includes('th:dracula'));
  await post({ update_id: nextUpdate++, callback_query: { id: 'cbt', from: u, data: 'th:dracula',
    message: { message_id: 56, chat: { id: u.id } } } });
  const state = await (await fetch(`${w.url}/__diag/user?id=${u.id}`)).json();
  assert.equal(state.row.theme, 'dracula');
  // A preview in the chosen theme comes with the confirmation: Dracula's background (#282a36)
  // is one of its colours, GitHub Light's white is not.
  const [preview] = photos();
  assert.equal(preview.method, 'sendPhoto');
  assert.match(preview.params.caption, /dracula/);
  const png = decodePng(preview.files.photo.bytes);
  const colours = new Set();
  for (let i = 0; i + 2 < png.palette.length; i += 3) colours.add(png.palette.readUIntBE(i, 3).toString(16).padStart(6, '0'));
  assert.ok(colours.has('282a36'), [...colours].join(' '));
  assert.ok(!colours.has('ffffff'));
  tg.reset();
  await post(messageUpdate(u, '/theme'));
  assert.match(texts()[0], /now: <b>dracula<\/b>/);
});

test('/settings changes the font size and line numbers of the next code images, edited in place', async () => {
  const u = user(26, 'ru');
  const code = Array.from({ length: 12 }, (_, i) => `x${i} = ${i} * 2`).join('\n');
  await post(messageUpdate(u, `/save s.py\n${code}`));
  tg.reset();
  await post(messageUpdate(u, '/settings'));
  const shown = tg.calls[0];
  assert.match(shown.params.text, /Размер шрифта: <b>14 px<\/b>/);
  assert.match(shown.params.text, /Номера строк: <b>вкл\.<\/b>/);
  const buttons = shown.params.reply_markup.inline_keyboard.flat();
  assert.ok(buttons.some((b) => b.text === '• 14 •' && b.callback_data === 'st:fs:14'));
  assert.ok(buttons.some((b) => b.text === '✅ Номера строк' && b.callback_data === 'st:ln:0'));

  const press = (data, id) => post({ update_id: nextUpdate++, callback_query: { id, from: u, data,
    message: { message_id: 77, chat: { id: u.id } } } });
  await post(messageUpdate(u, '/image s.py'));
  const before = decodePng(photos().at(-1).files.photo.bytes);
  tg.reset();
  await press('st:fs:20', 'cb1');
  await press('st:ln:0', 'cb2');
  const edits = tg.calls.filter((c) => c.method === 'editMessageText');
  assert.equal(edits.length, 2);
  assert.ok(edits.every((e) => e.params.message_id === 77));
  assert.match(edits[1].params.text, /20 px[\s\S]*выкл\./);
  const after = edits[1].params.reply_markup.inline_keyboard.flat();
  assert.ok(after.some((b) => b.text === '• 20 •'));
  assert.ok(after.some((b) => b.text === '⬜ Номера строк' && b.callback_data === 'st:ln:1'));
  assert.deepEqual(tg.calls.filter((c) => c.method === 'answerCallbackQuery').map((c) => c.params.text),
    ['✅ Сохранено', '✅ Сохранено']);

  // The next image is the one POST /render makes with those settings, and larger than before.
  await post(messageUpdate(u, '/image s.py'));
  const png = decodePng(photos().at(-1).files.photo.bytes);
  const direct = await renderedSize({ code, filename: 's.py', title: 's.py', watermark: '@TestCodeBot',
    font_size: 20, line_numbers: false });
  assert.deepEqual([png.width, png.height], [direct.width, direct.height]);
  assert.ok(png.height > before.height, `${png.height} px at 20 vs ${before.height} px at 14`);

  // A forged size (outside the buttons) and a repeated press change nothing and edit nothing.
  tg.reset();
  await press('st:fs:47', 'cb3');
  await press('st:fs:999999999999999999999', 'cb4');
  await press('st:fs:20', 'cb5');
  assert.equal(tg.calls.filter((c) => c.method === 'editMessageText').length, 0);
  const state = await (await fetch(`${w.url}/__diag/user?id=${u.id}`)).json();
  assert.equal(state.row.font_size, 20);
  assert.equal(state.row.line_numbers, 0);
});
