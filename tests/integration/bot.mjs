// Talking to the Worker as Telegram does, for the integration tests: users, updates posted to
// /telegram with the webhook secret, and what the fake Bot API sent back to a chat.
//
//   const bot = botClient(w, tg);
//   const u = bot.user(7001);
//   await bot.send(u, '/start');
//   bot.textsTo(u.id)  // texts of the sendMessage calls to that chat
import assert from 'node:assert/strict';
import { TEST_SECRETS } from './harness.mjs';

export function botClient(w, tg, { secret = TEST_SECRETS.WEBHOOK_SECRET, firstUpdate = 100000 } = {}) {
  let nextUpdate = firstUpdate;
  const client = {
    user(id, lang = 'en') {
      return { id, is_bot: false, first_name: `User${id}`, username: `u${id}`, language_code: lang };
    },
    messageUpdate(from, text) {
      const id = nextUpdate++;
      return { update_id: id,
        message: { message_id: id, date: 1, chat: { id: from.id, type: 'private' }, from, text } };
    },
    // Posts an update as Telegram would and returns the HTTP answer (not checked).
    async postRaw(update) {
      return fetch(`${w.url}/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body: JSON.stringify(update),
      });
    },
    // Posts an update and expects Telegram's "delivered" answer (200).
    async post(update) {
      const r = await client.postRaw(update);
      assert.equal(r.status, 200, `webhook answered ${r.status}: ${await r.clone().text()}`);
      return r;
    },
    async send(from, text) {
      return client.post(client.messageUpdate(from, text));
    },
    // Adds credits through the diagnostics route (a ledger bonus entry, applied once per ref).
    async give(userId, credits, ref = `t${userId}-${credits}`) {
      const r = await (await fetch(`${w.url}/__diag/ledger?id=${userId}&delta=${credits}&reason=bonus&ref=${ref}`)).json();
      assert.equal(r.applied, true);
    },
    callsTo: (chat) => tg.calls.filter((c) => Number(c.params.chat_id) === chat),
    textsTo: (chat) => client.callsTo(chat).filter((c) => c.method === 'sendMessage').map((c) => c.params.text),
  };
  return client;
}
