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
  const results = await Promise.all(Array.from({ length: 5 }, () => post(u)));
  assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200, 200]);
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
  assert.match(saved[1], /app\.js<\/b> \(version 2, 1 lines, javascript\)/);
  tg.reset();
  await post(messageUpdate(u, '/files'));
  const list = tg.calls.find((c) => c.method === 'sendMessage');
  assert.match(list.params.text, /\(10\), page 1\/2/);
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
  assert.match(ans.params.error_message, /not available yet/);
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
  assert.match(texts()[0], /הקובץ <b>nothing\.py<\/b> לא נמצא/);
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
