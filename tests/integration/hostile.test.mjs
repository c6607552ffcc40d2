// Hostile input at the HTTP edge, as a table: every case gets a clear 4xx (or, from Telegram, a
// 200 so it is not resent forever), nothing is written, nothing internal leaks, and the Worker
// keeps serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';

let w;
let tg;
before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  w = await startWorker({ vars: { TELEGRAM_API_BASE: tg.url, ADMIN_IDS: '9001, 9002' } });
});
after(async () => {
  await w?.stop();
  await tg?.stop();
});

const deep = (n) => '['.repeat(n) + ']'.repeat(n);
const renderCases = [
  ['invalid JSON', '{"code":', 400, /JSON/i],
  ['deeply nested JSON', deep(100000), 400, /./],
  ['invalid UTF-8 bytes', Buffer.from([0x7b, 0x22, 0x63, 0x6f, 0x64, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400, /UTF-8|JSON/i],
  ['code of the wrong type', '{"code": 42}', 400, /code/],
  ['empty code', '{"code": ""}', 400, /code/],
  ['font size out of range', '{"code":"x","font_size":1e308}', 400, /font_size/],
  ['negative start line', '{"code":"x","start_line":-5}', 400, /start_line/],
  ['unknown theme', '{"code":"x","theme":"../../etc/passwd"}', 400, /theme/],
  ['unknown language', '{"code":"x","language":"<script>"}', 400, /language/],
  ['unknown format', '{"code":"x","format":"gif"}', 400, /format/],
  ['body over 512 KB', JSON.stringify({ code: 'x'.repeat(600 * 1024) }), 413, /./],
  ['100k lines', JSON.stringify({ code: 'x\n'.repeat(100000) }), 413, /lines/],
];

for (const [name, body, status, message] of renderCases) {
  test(`POST /render, ${name}: ${status} with a JSON error`, async () => {
    const r = await fetch(`${w.url}/render`, { method: 'POST', body });
    assert.equal(r.status, status);
    const text = await r.text();
    const err = JSON.parse(text).error;
    assert.match(err, message);
    assert.ok(!/at .*\.(cpp|mjs)|wasm-function|RuntimeError/.test(text), `internals leaked: ${text}`);
  });
}

test('renders survive NUL bytes, control characters and a 1 MB single line is refused cleanly', async () => {
  const nul = await fetch(`${w.url}/render`, { method: 'POST', body: JSON.stringify({ code: 'a\u0000b\u0007c\u001b[31m' }) });
  assert.equal(nul.status, 200);
  assert.equal(nul.headers.get('content-type'), 'image/png');
  const long = await fetch(`${w.url}/render`, { method: 'POST', body: JSON.stringify({ code: 'y'.repeat(1024 * 1024) }) });
  assert.equal(long.status, 413);
  // Still serving.
  assert.equal((await fetch(`${w.url}/healthz`)).status, 200);
});

const updateCases = [
  ['deeply nested JSON', deep(100000)],
  ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
  ['update_id out of range', '{"update_id": 1e400, "message": {}}'],
];
for (const [name, body] of updateCases) {
  test(`POST /telegram, ${name}: 200, nothing sent`, async () => {
    tg.reset();
    const r = await fetch(`${w.url}/telegram`, { method: 'POST', body,
      headers: { 'x-telegram-bot-api-secret-token': TEST_SECRETS.WEBHOOK_SECRET } });
    assert.equal(r.status, 200);
    assert.equal(tg.calls.filter((c) => c.method.startsWith('send')).length, 0);
  });
}

test('a message whose text has the wrong type is treated as a message without text', async () => {
  tg.reset();
  const r = await fetch(`${w.url}/telegram`, { method: 'POST',
    headers: { 'x-telegram-bot-api-secret-token': TEST_SECRETS.WEBHOOK_SECRET },
    body: JSON.stringify({ update_id: 77001, message: { message_id: 1, date: 1, chat: { id: 5, type: 'private' },
      from: { id: 5, is_bot: false, first_name: 'T' }, text: { a: 1 } } }) });
  assert.equal(r.status, 200);
  const sent = tg.calls.filter((c) => c.method === 'sendMessage');
  assert.equal(sent.length, 1);
  assert.match(sent[0].params.text, /I turn code into beautiful images/);
});

test('/stats answers admins only', async () => {
  tg.reset();
  const send = (id, updateId) => fetch(`${w.url}/telegram`, { method: 'POST',
    headers: { 'x-telegram-bot-api-secret-token': TEST_SECRETS.WEBHOOK_SECRET },
    body: JSON.stringify({ update_id: updateId, message: { message_id: 1, date: 1, chat: { id, type: 'private' },
      from: { id, is_bot: false, first_name: 'A', language_code: 'en' }, text: '/stats' } }) });
  await send(9002, 88001);
  await send(1234, 88002);
  const [admin, other] = tg.calls.filter((c) => c.method === 'sendMessage').map((c) => c.params.text);
  assert.match(admin, /📊 <b>Stats<\/b>/);
  assert.match(admin, /Queue: \d+/);
  assert.match(other, /for administrators/);
});

test('the table-driven languages: listed, detected from the file name, and a hostile file still renders', async () => {
  const langs = (await (await fetch(`${w.url}/render/languages`)).json()).languages;
  assert.ok(langs.length >= 150, `only ${langs.length} languages`);
  for (const name of ['python', 'elixir', 'haskell', 'zig', 'make', 'cmake', 'diff', 'nginx']) {
    assert.ok(langs.includes(name), name);
  }
  const ex = await fetch(`${w.url}/render`, {
    method: 'POST',
    body: JSON.stringify({ code: 'defmodule Hi do\n  def hi, do: :ok\nend\n', filename: 'hi.ex' }),
  });
  assert.equal(ex.status, 200);
  assert.equal(ex.headers.get('content-type'), 'image/png');
  // Pygments' Perl here-document rule rescans the rest of the line from every "<<"; the engine's
  // byte budget stops colouring instead of running for minutes, and the image still comes back.
  const hostile = '<<'.repeat(3000);
  const pl = await fetch(`${w.url}/render`, {
    method: 'POST',
    body: JSON.stringify({ code: `my $x = 1;\n${hostile}\n`, filename: 'x.pl', wrap: 100 }),
  });
  assert.equal(pl.status, 200, await pl.clone().text());
  const bad = await fetch(`${w.url}/render`, {
    method: 'POST',
    body: JSON.stringify({ code: 'x', language: 'no-such-language' }),
  });
  assert.equal(bad.status, 400);
});
