// Credits and payments end to end: the real Worker in local workerd with local D1, a fake Bot API
// and a fake YooKassa API. Assertions are on what a user or YooKassa would notice: messages,
// invoices, answers to pre-checkout queries, the balance /balance shows, HTTP answers.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';
import { startFakeYookassa } from '../fakes/yookassa.mjs';

const SECRET = TEST_SECRETS.WEBHOOK_SECRET;
const SHOP_ID = '501234';
const SHOP_KEY = 'test_Fh8hUAVVBGUGbjmlzba6TB0iyUbos_lueTHE-axOwM0';
const ADMIN = 4242;
const MODELS = JSON.stringify([
  { name: 'flux', provider: 'builtin', cost: 10 },
  { name: 'sdxl', provider: 'builtin', cost: 20 },
]);
const STAR_PACKS = JSON.stringify([
  { id: 's100', stars: 50, credits: 100 },
  { id: 's550', stars: 250, credits: 550 },
]);
const YOOKASSA_PACKS = JSON.stringify([{ id: 'r100', amount: '99.00', credits: 100 }]);
const YOOKASSA_IP = '185.71.76.5';

let w;
let tg;
let yk;
let nextUpdate = 1;

before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  yk = await startFakeYookassa({ shopId: SHOP_ID, secretKey: SHOP_KEY });
  w = await startWorker({
    vars: {
      TELEGRAM_API_BASE: tg.url,
      YOOKASSA_API_BASE: yk.url,
      YOOKASSA_SHOP_ID: SHOP_ID,
      YOOKASSA_SECRET_KEY: SHOP_KEY,
      ADMIN_IDS: `1,${ADMIN}`,
      MODELS,
      STAR_PACKS,
      YOOKASSA_PACKS,
      TOPUPS_PER_HOUR: '5',
    },
  });
});
after(async () => {
  await w?.stop();
  await tg?.stop();
  await yk?.stop();
});
beforeEach(() => tg.reset());

const user = (id, lang = 'en') => ({ id, is_bot: false, first_name: `U${id}`, username: `u${id}`, language_code: lang });

async function post(update) {
  const r = await fetch(`${w.url}/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  });
  assert.equal(r.status, 200, await r.clone().text());
  return r;
}

function message(from, text, extra = {}) {
  const id = nextUpdate++;
  return { update_id: id, message: { message_id: id, date: 1, chat: { id: from.id, type: 'private' }, from, text, ...extra } };
}
function callback(from, data) {
  const id = nextUpdate++;
  return { update_id: id, callback_query: { id: `cb${id}`, from, data, message: { message_id: 1, chat: { id: from.id, type: 'private' } } } };
}
function preCheckout(from, payload, total, currency = 'XTR') {
  const id = nextUpdate++;
  return { update_id: id, pre_checkout_query: { id: `pcq${id}`, from, currency, total_amount: total, invoice_payload: payload } };
}
function paid(from, payload, total, charge) {
  return message(from, undefined, {
    successful_payment: { currency: 'XTR', total_amount: total, invoice_payload: payload,
      telegram_payment_charge_id: charge, provider_payment_charge_id: '' },
  });
}

const sent = (method) => tg.calls.filter((c) => c.method === method);
const texts = () => sent('sendMessage').map((c) => c.params.text);
const buttons = (call) => (call.params.reply_markup?.inline_keyboard ?? []).flat();

// What /balance shows: the number, the whole text and the message's buttons.
async function balance(from) {
  tg.reset();
  await post(message(from, '/balance'));
  const m = sent('sendMessage').at(-1);
  const n = /Balance:<\/b> (\d+) credits/.exec(m.params.text);
  assert.ok(n, m.params.text);
  return { credits: Number(n[1]), text: m.params.text, buttons: buttons(m) };
}

async function grant(userId, delta, ref) {
  const r = await (await fetch(`${w.url}/__diag/ledger?id=${userId}&delta=${delta}&reason=bonus&ref=${ref}`)).json();
  assert.equal(r.applied, true);
}

async function notify(body, { ip = YOOKASSA_IP, raw } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (ip) headers['cf-connecting-ip'] = ip;
  const r = await fetch(`${w.url}/payments/yookassa`, { method: 'POST', headers, body: raw ?? JSON.stringify(body) });
  assert.equal(r.status, 200);
  return r.json();
}

// /topup r100 for `from`: the payment the fake YooKassa created for it.
async function topup(from) {
  const before = yk.payments.size;
  tg.reset();
  await post(message(from, '/topup r100'));
  assert.equal(yk.payments.size, before + 1, JSON.stringify(texts()));
  return [...yk.payments.values()].at(-1);
}

test('/balance shows the hint for each threshold, the prices, the last 5 movements and a Top up button', async () => {
  const u = user(101);
  let b = await balance(u);
  assert.equal(b.credits, 0);
  assert.match(b.text, /Not enough credits!/);
  assert.match(b.text, /flux — 10 credits/);
  assert.match(b.text, /sdxl — 20 credits/);
  assert.ok(b.buttons.some((x) => x.callback_data === 'pay:menu' && /Top up/.test(x.text)));

  // One generation (the default model) costs 10: below it "not enough", below 30 "running low".
  const steps = [[9, 9, /Not enough credits!/], [1, 10, /running low/], [19, 29, /running low/], [1, 30, null]];
  for (const [delta, total, hint] of steps) {
    await grant(101, delta, `t${total}`);
    b = await balance(u);
    assert.equal(b.credits, total);
    if (hint) assert.match(b.text, hint);
    else assert.doesNotMatch(b.text, /Not enough credits|running low/);
    if (hint?.source.includes('Not enough')) assert.doesNotMatch(b.text, /running low/);
  }
  await grant(101, 7, 'extra1');
  await grant(101, 8, 'extra2');
  b = await balance(u);
  const moves = b.text.split('Last movements')[1].split('\n').filter((l) => /^[+−]\d+ · /.test(l));
  assert.deepEqual(moves.map((l) => l.split(' · ')[0]), ['+8', '+7', '+1', '+19', '+1']);
  // The date the English way: "7 Dec 2026, 13:19 UTC".
  assert.match(moves[0], /bonus · \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}, \d\d:\d\d UTC$/);
});

test('Telegram Stars: /buy -> invoice in XTR -> pre-checkout ok -> successful_payment credits', async () => {
  const u = user(201);
  await post(message(u, '/buy'));
  const list = sent('sendMessage').at(-1);
  assert.deepEqual(buttons(list).map((x) => x.callback_data), ['pay:stars:s100', 'pay:stars:s550']);
  assert.match(buttons(list)[0].text, /50 → 100 credits/);

  tg.reset();
  await post(callback(u, 'pay:stars:s100'));
  const inv = sent('sendInvoice');
  assert.equal(inv.length, 1);
  const p = inv[0].params;
  assert.equal(p.currency, 'XTR');
  assert.equal(p.provider_token, '');
  assert.equal(p.chat_id, 201);
  assert.deepEqual(p.prices.map((x) => x.amount), [50]);

  tg.reset();
  await post(preCheckout(u, p.payload, 50));
  const ans = sent('answerPreCheckoutQuery');
  assert.equal(ans.length, 1);
  assert.equal(ans[0].params.ok, true);

  tg.reset();
  await post(paid(u, p.payload, 50, 'tg-charge-201'));
  assert.match(texts()[0], /Payment received: \+100 credits\. Balance: 100/);
  const b = await balance(u);
  assert.equal(b.credits, 100);
  assert.match(b.text, /\+100 · Telegram Stars top-up/);
});

test('a successful_payment delivered twice (and five times at once) credits once', async () => {
  const u = user(202);
  await post(callback(u, 'pay:stars:s550'));
  const payload = sent('sendInvoice')[0].params.payload;
  tg.reset();
  await post(paid(u, payload, 250, 'tg-charge-202'));
  await post(paid(u, payload, 250, 'tg-charge-202'));
  await Promise.all(Array.from({ length: 5 }, () => post(paid(u, payload, 250, 'tg-charge-202'))));
  assert.equal(texts().filter((t) => /Payment received/.test(t)).length, 1);
  assert.equal((await balance(u)).credits, 550);
});

test('a pre-checkout query for a withdrawn or changed pack is refused with a reason', async () => {
  const u = user(203);
  await post(preCheckout(u, 'stars:203:s999:100', 50));
  await post(preCheckout(u, 'stars:203:s100:100', 40)); // price differs from the pack's
  await post(preCheckout(user(204), 'stars:203:s100:100', 50)); // someone else's invoice
  await post(preCheckout(u, 'garbage', 50));
  const ans = sent('answerPreCheckoutQuery').map((c) => c.params);
  assert.equal(ans.length, 4);
  for (const a of ans) assert.equal(a.ok, false);
  assert.match(ans[0].error_message, /no longer on sale/);
  assert.match(ans[1].error_message, /no longer on sale/);
  assert.match(ans[2].error_message, /no longer valid/);
  assert.match(ans[3].error_message, /no longer valid/);
});

test('admin /refund calls refundStarPayment and debits the credits once; others are refused', async () => {
  const u = user(205);
  await post(callback(u, 'pay:stars:s100'));
  const payload = sent('sendInvoice')[0].params.payload;
  await post(paid(u, payload, 50, 'tg-charge-205'));
  await grant(205, 5, 'r205');
  assert.equal((await balance(u)).credits, 105);

  tg.reset();
  await post(message(u, '/refund tg-charge-205'));
  assert.match(texts()[0], /for administrators/);
  assert.equal(sent('refundStarPayment').length, 0);

  tg.reset();
  await post(message(user(ADMIN), '/refund tg-charge-205'));
  const calls = sent('refundStarPayment');
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].params, { user_id: 205, telegram_payment_charge_id: 'tg-charge-205' });
  assert.ok(texts().some((t) => /Refunded 50 ⭐ to user <code>205<\/code>; 100 credits debited/.test(t)));
  assert.ok(texts().some((t) => /payment of 50 ⭐ was refunded/.test(t)));

  tg.reset();
  await post(message(user(ADMIN), '/refund tg-charge-205'));
  assert.equal(sent('refundStarPayment').length, 0);
  assert.match(texts()[0], /already refunded/);
  const b = await balance(u);
  assert.equal(b.credits, 5);
  assert.match(b.text, /−100 · payment refunded/);
});

test('/topup creates a YooKassa payment with an Idempotence-Key and basic auth', async () => {
  const u = user(301);
  await post(message(u, '/topup'));
  assert.deepEqual(buttons(sent('sendMessage').at(-1)).map((x) => x.callback_data), ['topup:r100']);
  const calls = yk.calls.length;
  tg.reset();
  await post(callback(u, 'topup:r100'));
  const create = yk.calls.slice(calls).filter((c) => c.method === 'POST');
  assert.equal(create.length, 1);
  assert.ok(create[0].headers['idempotence-key']);
  assert.equal(create[0].headers.authorization, `Basic ${Buffer.from(`${SHOP_ID}:${SHOP_KEY}`).toString('base64')}`);
  const body = JSON.parse(create[0].body);
  assert.deepEqual(body.amount, { value: '99.00', currency: 'RUB' });
  assert.equal(body.confirmation.type, 'redirect');
  assert.deepEqual(body.metadata, { user_id: '301', pack: 'r100' });
  const offer = sent('sendMessage').at(-1);
  assert.match(offer.params.text, /<b>₽99<\/b>/);
  const pay = buttons(offer).find((x) => x.url);
  assert.match(pay.url, /^https:\/\/yoomoney\.ru\/checkout/);
});

test('the same YooKassa notification five times at once credits once, each answered 200', async () => {
  const u = user(302);
  const p = await topup(u);
  yk.setPayment(p.id, { status: 'succeeded', amount: '99.00' });
  tg.reset();
  const body = yk.notification('payment.succeeded', { id: p.id, status: 'succeeded', amount: { value: '99.00', currency: 'RUB' } });
  const answers = await Promise.all(Array.from({ length: 5 }, () => notify(body)));
  assert.equal(answers.filter((a) => a.ok && /credited 100/.test(a.result)).length, 1, JSON.stringify(answers));
  assert.equal(answers.filter((a) => a.ok && /already credited/.test(a.result)).length, 4);
  const again = await notify(body);
  assert.match(again.result, /already credited: no-op/);
  assert.equal(texts().filter((t) => /Payment received: \+100/.test(t)).length, 1);
  assert.equal((await balance(u)).credits, 100);
});

test('forged YooKassa notifications (pending, unknown, wrong amount, wrong sender) credit nothing and get 200', async () => {
  const u = user(303);
  const p = await topup(u);
  const claim = (id, value = '99.00') => yk.notification('payment.succeeded', { id, status: 'succeeded', amount: { value, currency: 'RUB' } });

  let a = await notify(claim(p.id)); // the API still says pending
  assert.equal(a.ok, false);
  assert.match(a.error, /is pending/);
  a = await notify(claim('2f1c0e1a-000f-5000-9000-1b2c3d4e5f60')); // YooKassa has no such payment
  assert.equal(a.ok, false);
  assert.match(a.error, /not found/);

  yk.setPayment(p.id, { status: 'succeeded', amount: '1.00' }); // paid, but not the pack's price
  a = await notify(claim(p.id));
  assert.equal(a.ok, false);
  assert.match(a.error, /amount 1\.00 differs/);

  yk.setPayment(p.id, { status: 'succeeded', amount: '99.00' });
  a = await notify(claim(p.id), { ip: '203.0.113.7' }); // not YooKassa's address
  assert.equal(a.ok, false);
  assert.match(a.error, /outside YooKassa's notification addresses/);
  assert.equal((await balance(u)).credits, 0);

  // The genuine one, from an address in 2a02:5180::/32, still works afterwards.
  a = await notify(claim(p.id), { ip: '2a02:5180:0:1509::1' });
  assert.equal(a.ok, true, JSON.stringify(a));
  assert.equal((await balance(u)).credits, 100);
});

test('malformed notifications get 200 and change nothing', async () => {
  const u = user(304);
  await grant(304, 3, 'm304');
  for (const raw of ['{not json', '', '[]', '{"event":"payment.succeeded"}', '{"event":"payment.succeeded","object":{"id":"../../v3/me"}}']) {
    const a = await notify(null, { raw });
    assert.equal(a.ok, false, raw);
    assert.equal(typeof a.error, 'string');
  }
  assert.equal((await balance(u)).credits, 3);
});

test('a canceled YooKassa payment is closed and credits nothing; "Check payment" reports a pending one', async () => {
  const u = user(305);
  const p = await topup(u);
  const check = buttons(sent('sendMessage').at(-1)).find((x) => x.callback_data?.startsWith('pay:check:'));
  tg.reset();
  await post(callback(u, check.callback_data));
  assert.match(sent('answerCallbackQuery')[0].params.text, /not confirmed this payment yet/);

  yk.setPayment(p.id, { status: 'canceled', amount: '99.00' });
  tg.reset();
  const a = await notify(yk.notification('payment.canceled', { id: p.id, status: 'canceled' }));
  assert.equal(a.ok, true, JSON.stringify(a));
  assert.match(texts()[0], /was canceled/);
  assert.equal((await balance(u)).credits, 0);
});

test('a payment whose notification never came is credited by "Check payment", once', async () => {
  const u = user(306);
  const p = await topup(u);
  const check = buttons(sent('sendMessage').at(-1)).find((x) => x.callback_data?.startsWith('pay:check:'));
  yk.setPayment(p.id, { status: 'succeeded', amount: '99.00' });
  tg.reset();
  await post(callback(u, check.callback_data));
  await post(callback(u, check.callback_data));
  assert.equal(texts().filter((t) => /Payment received: \+100/.test(t)).length, 1);
  assert.match(sent('answerCallbackQuery').at(-1).params.text, /already on your balance/);
  assert.equal((await balance(u)).credits, 100);
});

test('a YooKassa refund.succeeded debits the refunded credits once, after the API shows it', async () => {
  const u = user(307);
  const p = await topup(u);
  yk.setPayment(p.id, { status: 'succeeded', amount: '99.00' });
  await notify(yk.notification('payment.succeeded', { id: p.id, status: 'succeeded' }));
  assert.equal((await balance(u)).credits, 100);
  const refund = yk.notification('refund.succeeded', { id: 'rf-307', payment_id: p.id, status: 'succeeded',
    amount: { value: '99.00', currency: 'RUB' } });
  let a = await notify(refund); // YooKassa has no such refund yet: a forgery
  assert.equal(a.ok, false);
  assert.equal((await balance(u)).credits, 100);
  yk.refund(p.id, { id: 'rf-307', amount: '99.00' });
  a = await notify(refund);
  assert.equal(a.ok, true, JSON.stringify(a));
  a = await notify(refund);
  assert.match(a.result, /already processed/);
  const b = await balance(u);
  assert.equal(b.credits, 0);
  assert.match(b.text, /−100 · payment refunded/);
});

test('top-ups are limited to 5 per user per hour', async () => {
  const u = user(401);
  const before = yk.payments.size;
  for (let i = 0; i < 4; i++) await post(message(u, '/topup r100'));
  await post(callback(u, 'pay:stars:s100')); // a Stars invoice counts too
  assert.equal(yk.payments.size, before + 4);
  assert.equal(sent('sendInvoice').length, 1);
  tg.reset();
  await post(message(u, '/topup r100'));
  await post(callback(u, 'pay:stars:s100'));
  assert.equal(yk.payments.size, before + 4);
  assert.equal(sent('sendInvoice').length, 0);
  assert.equal(texts().filter((t) => /Too many requests/.test(t)).length, 2);
  // Another user is not affected.
  await topup(user(402));
});

test('/paysupport tells how to get help with a payment', async () => {
  await post(message(user(501), '/paysupport'));
  assert.match(texts()[0], /Payment support/);
  assert.match(texts()[0], /<code>501<\/code>/);
});

test('without YooKassa secrets /topup is unavailable and notifications get 200 naming the setting', async () => {
  const tg2 = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  const w2 = await startWorker({ vars: { TELEGRAM_API_BASE: tg2.url, YOOKASSA_SHOP_ID: SHOP_ID } });
  try {
    const r = await fetch(`${w2.url}/payments/yookassa`, { method: 'POST', body: '{}' });
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { ok: false, error: 'YOOKASSA_SECRET_KEY is not set' });
    await fetch(`${w2.url}/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(message(user(601), '/topup')),
    });
    const t = tg2.calls.filter((c) => c.method === 'sendMessage').map((c) => c.params.text);
    assert.match(t[0], /Card payments are not available/);
  } finally {
    await w2.stop();
    await tg2.stop();
  }
});
