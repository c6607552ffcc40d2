import { startWorker, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';
const tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
const w = await startWorker({ vars: { TELEGRAM_API_BASE: tg.url, FREE_GENERATIONS_PER_DAY: '5' } });
const t0 = Date.now();
const u = { id: 42, is_bot: false, first_name: 'a', language_code: 'en' };
const r = await fetch(`${w.url}/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TEST_SECRETS.WEBHOOK_SECRET },
  body: JSON.stringify({ update_id: 1, message: { message_id: 1, date: 1, chat: { id: 42, type: 'private' }, from: u, text: '/image=flux=a fox' } }) });
console.log('webhook answered', r.status, Date.now() - t0);
await new Promise((r) => setTimeout(r, 15000));
console.log(tg.calls.map((c) => [c.method, c.at - t0, c.params.text ?? '']));
console.log(w.log().split('\n').filter((l) => !/GET \/healthz/.test(l)).slice(-40).join('\n'));
await w.stop(); await tg.stop();
