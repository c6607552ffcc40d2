// With RENDER_API_KEY set, POST /render needs the bearer token, and the bot (which calls the same
// route inside the Worker) keeps working.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';

const KEY = 'render-api-key-for-tests-0123';
let w;
let tg;
before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  w = await startWorker({ vars: { TELEGRAM_API_BASE: tg.url, RENDER_API_KEY: KEY } });
});
after(async () => {
  await w?.stop();
  await tg?.stop();
});

test('POST /render needs the bearer key; the bot still renders', async () => {
  const body = JSON.stringify({ code: 'x = 1' });
  const none = await fetch(`${w.url}/render`, { method: 'POST', body });
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer');
  const wrong = await fetch(`${w.url}/render`, { method: 'POST', body, headers: { authorization: 'Bearer nope' } });
  assert.equal(wrong.status, 401);
  assert.ok(!(await wrong.text()).includes(KEY));
  const ok = await fetch(`${w.url}/render`, { method: 'POST', body, headers: { authorization: `Bearer ${KEY}` } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('content-type'), 'image/png');

  const from = { id: 77, is_bot: false, first_name: 'K', language_code: 'en' };
  const r = await fetch(`${w.url}/telegram`, {
    method: 'POST',
    headers: { 'x-telegram-bot-api-secret-token': TEST_SECRETS.WEBHOOK_SECRET },
    body: JSON.stringify({ update_id: 1, message: { message_id: 1, date: 1, chat: { id: 77, type: 'private' }, from,
      text: '```python\nprint("hi")\n```' } }),
  });
  assert.equal(r.status, 200);
  assert.deepEqual(tg.calls.map((c) => c.method), ['sendPhoto']);
});
