// Issue 20, part 3: YooKassa payments reconcile, against the real Worker in local workerd with
// local D1, a fake Bot API and a fake YooKassa API. What is checked is what the user and the
// operator would notice: the balance /balance shows, the messages sent, the payment row and its
// refunds (/__diag/payment), and that every answer to YooKassa is a 200.
//   - a payment is credited its amount minus what was refunded before crediting;
//   - a refund is fetched back (GET /v3/refunds/{id}) before it debits, by its real amount;
//   - a refund of a payment never credited debits nothing and says so in the row;
//   - the every-minute cron fetches back payments left pending (a lost notification, or one that
//     met a D1 failure) after YOOKASSA_RECONCILE_AFTER and settles each exactly once.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';
import { startFakeYookassa } from '../fakes/yookassa.mjs';

const SECRET = TEST_SECRETS.WEBHOOK_SECRET;
const SHOP_ID = '501234';
const SHOP_KEY = 'test_Fh8hUAVVBGUGbjmlzba6TB0iyUbos_lueTHE-axOwM0';
const YOOKASSA_IP = '185.71.76.5';
const MIN = 60000;
const DAY = 86400000;

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
      YOOKASSA_PACKS: JSON.stringify([{ id: 'r100', amount: '99.00', credits: 100 }]),
      YOOKASSA_RECONCILE_AFTER: '300',
      MODELS: JSON.stringify([{ name: 'flux', provider: 'builtin', cost: 10 }]),
    },
  });
});
after(async () => {
  await w?.stop();
  await tg?.stop();
  await yk?.stop();
});
beforeEach(() => tg.reset());

const user = (id) => ({ id, is_bot: false, first_name: `U${id}`, language_code: 'en' });

async function post(update) {
  const r = await fetch(`${w.url}/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  });
  assert.equal(r.status, 200, await r.clone().text());
}
function message(from, text) {
  const id = nextUpdate++;
  return { update_id: id, message: { message_id: id, date: 1, chat: { id: from.id, type: 'private' }, from, text } };
}
function callback(from, data) {
  const id = nextUpdate++;
  return { update_id: id, callback_query: { id: `cb${id}`, from, data, message: { message_id: 1, chat: { id: from.id, type: 'private' } } } };
}
const textsTo = (chat) => tg.calls
  .filter((c) => c.method === 'sendMessage' && Number(c.params.chat_id) === chat && !c.failed)
  .map((c) => c.params.text);

// The number /balance shows.
async function balance(from) {
  await post(message(from, '/balance'));
  const m = tg.calls.filter((c) => c.method === 'sendMessage' && Number(c.params.chat_id) === from.id).at(-1);
  const n = /Balance:<\/b> (\d+) credits/.exec(m.params.text);
  assert.ok(n, m.params.text);
  return Number(n[1]);
}
async function grant(userId, delta, ref) {
  const r = await (await fetch(`${w.url}/__diag/ledger?id=${userId}&delta=${delta}&reason=bonus&ref=${ref}`)).json();
  assert.equal(r.applied, true);
}
// POSTs a notification as YooKassa would; every answer must be a 200 with a JSON body.
async function notify(event, object) {
  const r = await fetch(`${w.url}/payments/yookassa`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': YOOKASSA_IP },
    body: JSON.stringify(yk.notification(event, object)),
  });
  assert.equal(r.status, 200);
  return r.json();
}
const paid = (id) => notify('payment.succeeded', { id, status: 'succeeded', amount: { value: '99.00', currency: 'RUB' } });
const refundNote = (id, paymentId, value) => notify('refund.succeeded',
  { id, payment_id: paymentId, status: 'succeeded', amount: { value, currency: 'RUB' } });
// The payment row and its recorded refunds.
const payment = async (id) => (await fetch(`${w.url}/__diag/payment?id=${encodeURIComponent(id)}`)).json();
async function fault(query) {
  const r = await fetch(`${w.url}/__diag/fault?${query}`);
  assert.equal(r.status, 200, await r.text());
}
// Runs the every-minute cron as if at `time` (ms).
async function cron(time) {
  const r = await fetch(`${w.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('* * * * *')}&time=${time}`);
  assert.equal(r.status, 200);
}
const fetchesOf = (id) => yk.calls.filter((c) => c.method === 'GET' && c.path === `/v3/payments/${id}`).length;

// /topup r100 for `from`: the pending payment the fake YooKassa created for it.
async function topup(from) {
  const count = yk.payments.size;
  await post(message(from, '/topup r100'));
  assert.equal(yk.payments.size, count + 1);
  return [...yk.payments.values()].at(-1);
}

test('a payment refunded in full before crediting credits nothing; one refunded in part credits the rest', async () => {
  const u = user(701);
  await grant(701, 5, 'b701');
  const p = await topup(u);
  yk.setPayment(p.id, { status: 'succeeded', amount: '99.00' });
  yk.refund(p.id, { id: 'rf-701', amount: '99.00' }); // succeeded, refunded_amount 99.00
  let a = await paid(p.id);
  assert.equal(await balance(u), 5, JSON.stringify(a));
  assert.equal(a.ok, true);
  assert.match(a.result, /refunded in full before crediting: nothing credited/);
  assert.ok(textsTo(701).some((t) => /refunded before its credits were added/.test(t)));
  let row = (await payment(p.id)).row;
  assert.equal(row.status, 'refunded');
  assert.equal(row.credited, 0);
  // Its refund's own notification then takes nothing either: it was left out already.
  a = await refundNote('rf-701', p.id, '99.00');
  assert.equal(a.ok, true, JSON.stringify(a));
  assert.equal(await balance(u), 5);
  assert.equal((await payment(p.id)).refunds[0].outcome, 'subtracted');

  const v = user(702);
  await grant(702, 20, 'b702');
  const q = await topup(v);
  yk.setPayment(q.id, { status: 'succeeded', amount: '99.00' });
  yk.refund(q.id, { id: 'rf-702a', amount: '49.50' });
  a = await paid(q.id);
  assert.equal(await balance(v), 70, JSON.stringify(a)); // 20 + 100 * (99.00 - 49.50) / 99.00
  assert.ok(textsTo(702).some((t) => /Payment received: \+50 credits/.test(t)));
  row = (await payment(q.id)).row;
  assert.deepEqual([row.status, row.credited, row.refunded], ['succeeded', 50, 4950]);
  // The rest is refunded later: its 50 credits go; the first refund's late notification takes
  // nothing more.
  yk.refund(q.id, { id: 'rf-702b', amount: '49.50' });
  a = await refundNote('rf-702b', q.id, '49.50');
  assert.match(a.result, /debited 50 credits/);
  assert.equal(await balance(v), 20);
  a = await refundNote('rf-702a', q.id, '49.50');
  assert.equal(await balance(v), 20, JSON.stringify(a));
  row = (await payment(q.id)).row;
  assert.deepEqual([row.status, row.refunded], ['refunded', 9900]);
});

test('a refund is fetched back: its real amount is debited, unknown and pending refund ids debit nothing', async () => {
  const u = user(711);
  const p = await topup(u);
  yk.setPayment(p.id, { status: 'succeeded', amount: '99.00' });
  await paid(p.id);
  assert.equal(await balance(u), 100);
  yk.refund(p.id, { id: 'rf-711', amount: '9.90' });
  // Made-up refund ids for the same payment (which does show a refund of 9.90) debit nothing.
  let a;
  for (const id of ['rf-711-b', 'rf-711-c']) {
    a = await refundNote(id, p.id, '9.90');
    assert.equal(await balance(u), 100, JSON.stringify(a));
    assert.equal(a.ok, false);
    assert.match(a.error, /not found at YooKassa/);
  }
  // The real one's body claims the whole payment; YooKassa says 9.90 of 99.00: 10 credits.
  a = await refundNote('rf-711', p.id, '99.00');
  assert.equal(await balance(u), 90, JSON.stringify(a));
  assert.equal(a.ok, true);
  // A refund YooKassa still shows as pending debits nothing until it succeeded.
  yk.refund(p.id, { id: 'rf-711-p', amount: '9.90', status: 'pending' });
  a = await refundNote('rf-711-p', p.id, '9.90');
  assert.match(a.error, /is pending: nothing debited/);
  assert.equal(await balance(u), 90);
  yk.refund(p.id, { id: 'rf-711-p', amount: '9.90', status: 'succeeded' });
  a = await refundNote('rf-711-p', p.id, '9.90');
  assert.equal(a.ok, true, JSON.stringify(a));
  a = await refundNote('rf-711-p', p.id, '9.90');
  assert.match(a.result, /already processed/);
  assert.equal(await balance(u), 80);
  const { row, refunds } = await payment(p.id);
  assert.deepEqual([row.status, row.refunded], ['succeeded', 1980]);
  assert.deepEqual(refunds.map((r) => [r.refund_id, r.amount, r.outcome]),
    [['rf-711', 990, 'debited'], ['rf-711-p', 990, 'debited']]);
});

test('a refund of a payment never credited debits nothing, says so in the row, and the payment is never credited', async () => {
  const u = user(721);
  await grant(721, 30, 'b721');
  const p = await topup(u);
  // Paid and refunded at YooKassa, but the payment's own notification never came.
  yk.setPayment(p.id, { status: 'succeeded', amount: '99.00' });
  yk.refund(p.id, { id: 'rf-721', amount: '99.00' });
  let a = await refundNote('rf-721', p.id, '99.00');
  assert.equal(await balance(u), 30, JSON.stringify(a));
  assert.equal(a.ok, true);
  assert.match(a.result, /never credited: nothing debited/);
  let { row, refunds } = await payment(p.id);
  assert.equal(row.status, 'refunded');
  assert.equal(row.credited, null);
  assert.match(row.note, /refund rf-721 of a payment never credited: nothing debited/);
  assert.deepEqual(refunds.map((r) => [r.refund_id, r.applied, r.outcome]), [['rf-721', 0, 'not_credited']]);
  // The late payment.succeeded, and the cron, credit nothing.
  a = await paid(p.id);
  await cron(Date.now() + 6 * MIN);
  assert.equal(await balance(u), 30, JSON.stringify(a));
  assert.ok(!textsTo(721).some((t) => /Payment received/.test(t)));

  // Refunded in part before any credit: the cron credits the rest, once.
  const v = user(722);
  const q = await topup(v);
  yk.setPayment(q.id, { status: 'succeeded', amount: '99.00' });
  yk.refund(q.id, { id: 'rf-722', amount: '49.50' });
  a = await refundNote('rf-722', q.id, '49.50');
  assert.match(a.result, /never credited: nothing debited/);
  ({ row } = await payment(q.id));
  assert.equal(row.status, 'pending');
  await cron(Date.now() + 6 * MIN);
  await cron(Date.now() + 12 * MIN);
  assert.equal(await balance(v), 50);
  ({ row } = await payment(q.id));
  assert.deepEqual([row.status, row.credited, row.refunded], ['succeeded', 50, 4950]);
});

test('the cron credits a payment whose notification never came, after 5 minutes and exactly once', async () => {
  const u = user(731);
  const p = await topup(u);
  yk.setPayment(p.id, { status: 'succeeded', amount: '99.00' });
  const t0 = Date.now();
  await cron(t0 + 1 * MIN); // too early: the payer may still be on YooKassa's page
  assert.equal(fetchesOf(p.id), 0);
  assert.equal(await balance(u), 0);
  await cron(t0 + 6 * MIN);
  assert.equal(await balance(u), 100);
  await Promise.all([cron(t0 + 12 * MIN), cron(t0 + 12 * MIN), cron(t0 + 60 * MIN)]);
  assert.equal(await balance(u), 100);
  assert.equal(textsTo(731).filter((t) => /Payment received: \+100/.test(t)).length, 1);
  assert.equal((await payment(p.id)).row.status, 'succeeded');
  // A late notification is a no-op.
  assert.match((await paid(p.id)).result, /already credited: no-op/);
  assert.equal(await balance(u), 100);
});

test('a notification that met a D1 failure is answered 200 and the cron settles it once', async () => {
  const u = user(741);
  const p = await topup(u);
  yk.setPayment(p.id, { status: 'succeeded', amount: '99.00' });
  await fault('name=ledger');
  let a;
  try {
    a = await paid(p.id); // notify() asserts the 200
  } finally {
    await fault('clear=1');
  }
  assert.equal(a.ok, false);
  assert.match(a.error, /storage unavailable/);
  assert.equal(await balance(u), 0);
  const t0 = Date.now();
  await cron(t0 + 6 * MIN);
  await cron(t0 + 12 * MIN);
  assert.equal(await balance(u), 100);
  assert.equal(textsTo(741).filter((t) => /Payment received: \+100/.test(t)).length, 1);

  // The same when /topup's row was lost too: the failed notification leaves a pending row behind.
  const v = user(742);
  const lost = 'pay-742-lost';
  yk.setPayment(lost, { status: 'succeeded', amount: '99.00', metadata: { user_id: '742', pack: 'r100' } });
  await fault('name=ledger');
  try {
    a = await paid(lost);
  } finally {
    await fault('clear=1');
  }
  assert.match(a.error, /storage unavailable/);
  assert.equal((await payment(lost)).row?.status, 'pending');
  await cron(Date.now() + 6 * MIN);
  assert.equal(await balance(v), 100);
  await cron(Date.now() + 12 * MIN);
  assert.equal(await balance(v), 100);
});

test('the cron closes a canceled payment, leaves a pending one alone, and retries after an API failure', async () => {
  const u = user(751);
  const canceled = await topup(u);
  const open = await topup(u);
  const flaky = await topup(u);
  yk.setPayment(canceled.id, { status: 'canceled', amount: '99.00' });
  yk.setPayment(flaky.id, { status: 'succeeded', amount: '99.00' });
  yk.failNext('GET', `/v3/payments/${flaky.id}`, 503);
  const t0 = Date.now();
  await cron(t0 + 6 * MIN);
  assert.ok(textsTo(751).some((t) => /payment of ₽99 was canceled/.test(t)), JSON.stringify(textsTo(751)));
  assert.equal((await payment(canceled.id)).row.status, 'canceled');
  assert.equal((await payment(open.id)).row.status, 'pending');
  assert.equal((await payment(flaky.id)).row.status, 'pending');
  assert.equal(await balance(u), 0);
  await cron(t0 + 12 * MIN);
  assert.equal(await balance(u), 100);
  assert.equal((await payment(flaky.id)).row.status, 'succeeded');
  // Still pending: fetched again no sooner than 5 minutes (then a quarter of its age) later,
  // and not at all once it is a week old.
  const seen = fetchesOf(open.id);
  assert.equal(seen, 2);
  await cron(t0 + 14 * MIN);
  assert.equal(fetchesOf(open.id), seen);
  await cron(t0 + 8 * DAY);
  assert.equal(fetchesOf(open.id), seen);
  assert.equal((await payment(open.id)).row.status, 'pending');
});

test('a refund notification that met a D1 failure is applied by the cron once; refunds of unknown payments are skipped', async () => {
  const u = user(761);
  await grant(761, 50, 'b761');
  const p = await topup(u);
  yk.setPayment(p.id, { status: 'succeeded', amount: '99.00' });
  await paid(p.id);
  assert.equal(await balance(u), 150);
  yk.refund(p.id, { id: 'rf-761', amount: '99.00' });
  await fault('name=ledger');
  let a;
  try {
    a = await refundNote('rf-761', p.id, '99.00'); // notify() asserts the 200
  } finally {
    await fault('clear=1');
  }
  assert.match(a.error, /storage unavailable/);
  assert.equal(await balance(u), 150);
  // A refund of a payment this bot never sold (another integration of the same shop).
  yk.setPayment('pay-other-shop-app', { status: 'succeeded', amount: '500.00', metadata: {} });
  yk.refund('pay-other-shop-app', { id: 'rf-other', amount: '500.00' });
  const t0 = Date.now();
  await cron(t0 + 6 * MIN);
  assert.equal(await balance(u), 50);
  await Promise.all([cron(t0 + 7 * MIN), cron(t0 + 7 * MIN)]);
  assert.equal(await balance(u), 50);
  const { row, refunds } = await payment(p.id);
  assert.deepEqual([row.status, row.refunded], ['refunded', 9900]);
  assert.deepEqual(refunds.map((r) => [r.refund_id, r.outcome]), [['rf-761', 'debited']]);
  assert.equal(yk.calls.filter((c) => c.path === '/v3/refunds/rf-other').length, 0);
});
