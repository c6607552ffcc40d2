// Abuse and crash cases from the outside (issue 20), against the real Worker in local workerd:
// deleting cannot reset usage, code storage has quotas, batches pay for their renders, and an
// update whose run crashed after its claim is run again on Telegram's next delivery, exactly once.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, waitFor, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';

const SECRET = TEST_SECRETS.WEBHOOK_SECRET;
let w;
let tg;
let nextUpdate = 120000;
let nextUser = 12000;

before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  w = await startWorker({
    vars: {
      TELEGRAM_API_BASE: tg.url,
      FREE_GENERATIONS_PER_DAY: '1',
      CODE_MAX_FILES: '3',
      CODE_MAX_BYTES: '3000',
      CODE_VERSIONS_KEPT: '2',
      CODE_SAVES_PER_MINUTE: '10',
      UPDATE_LEASE_SECONDS: '2',
    },
  });
});
after(async () => {
  await w?.stop();
  await tg?.stop();
});
beforeEach(() => tg.reset());

const user = (id) => ({ id, is_bot: false, first_name: `User${id}`, username: `u${id}`, language_code: 'en' });
const chatOf = (from) => ({ id: from.id, type: 'private' });
function message(from, text, extra = {}) {
  const id = nextUpdate++;
  return { update_id: id, message: { message_id: id, date: 1, chat: chatOf(from), from, ...(text ? { text } : {}), ...extra } };
}
function callback(from, data, messageId = 1) {
  const id = nextUpdate++;
  return { update_id: id, callback_query: { id: `cb${id}`, from, data, chat_instance: 'x',
    message: { message_id: messageId, date: 1, chat: chatOf(from), text: '' } } };
}
async function deliver(update) {
  const r = await fetch(`${w.url}/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  });
  await r.arrayBuffer();
  return r;
}
async function post(update) {
  const r = await deliver(update);
  assert.equal(r.status, 200);
}
const toChat = (chat) => tg.calls.filter((c) => Number(c.params.chat_id) === chat);
const textsTo = (chat) => toChat(chat).filter((c) => c.method === 'sendMessage').map((c) => c.params.text);
const photosTo = (chat) => toChat(chat).filter((c) => (c.method === 'sendPhoto' || c.method === 'sendDocument') && !c.failed);
const markup = (c) => (typeof c.params.reply_markup === 'string' ? JSON.parse(c.params.reply_markup) : c.params.reply_markup);
async function rowsOf(userId) {
  const all = (await (await fetch(`${w.url}/generations/__diag/rows`)).json()).rows;
  return all.filter((r) => r.user_id === userId);
}
async function d1(sql) {
  const r = await fetch(`${w.url}/__diag/sql?q=${encodeURIComponent(sql)}`);
  assert.equal(r.status, 200, await r.clone().text());
  return (await r.json()).rows;
}

// Deletes the newest gallery item the way a user does: /gallery, Delete, Yes.
async function deleteNewestInGallery(u) {
  await post(message(u, '/gallery'));
  await tg.waitFor(() => toChat(u.id).some((c) => c.method === 'sendMessage' && /<b>Gallery<\/b>/.test(c.params.text)));
  const view = toChat(u.id).filter((c) => c.method === 'sendMessage' && /<b>Gallery<\/b>/.test(c.params.text)).at(-1);
  const del = markup(view).inline_keyboard.flat().find((b) => /Delete/.test(b.text));
  await post(callback(u, del.callback_data));
  await tg.waitFor(() => toChat(u.id).some((c) => c.method === 'editMessageText' && /cannot be undone/.test(c.params.text)));
  const confirm = toChat(u.id).filter((c) => c.method === 'editMessageText' && /cannot be undone/.test(c.params.text)).at(-1);
  const yes = markup(confirm).inline_keyboard.flat().find((b) => /Yes/.test(b.text));
  await post(callback(u, yes.callback_data));
  await tg.waitFor(() => tg.calls.some((c) => c.method === 'answerCallbackQuery' && /Deleted/.test(c.params.text ?? '')));
}

test('deleting a free image in /gallery does not give the free generation back', async () => {
  const u = user(nextUser++);
  await post(message(u, '/image=flux=a free picture'));
  await tg.waitFor(() => photosTo(u.id).length === 1, 20000);
  const [made] = await rowsOf(u.id);
  assert.equal(made.free_tier, 1);
  await waitFor(async () => (await rowsOf(u.id))[0].status === 'completed', { what: 'completed' });

  await deleteNewestInGallery(u);
  // Gone from the user's view and from R2, but still counted.
  tg.reset();
  await post(message(u, '/gallery'));
  await tg.waitFor(() => textsTo(u.id).length > 0);
  assert.match(textsTo(u.id).at(-1), /Your gallery is empty/);
  const obj = await (await fetch(`${w.url}/__diag/r2-get?key=${encodeURIComponent(made.r2_key)}`)).json();
  assert.equal(obj.found, false);

  await post(message(u, '/image=flux=another free picture'));
  assert.match(textsTo(u.id).at(-1), /Not enough credits!.*\/buy/s);
  assert.equal(photosTo(u.id).length, 0);
  assert.equal((await rowsOf(u.id)).length, 1, 'no second generation was made');
});

const code = (n, bytes) => `# file ${n}\n` + 'x = 1\n'.repeat(Math.ceil(bytes / 6));

test('saved code has quotas: files, bytes and versions kept; over a cap nothing is written', async () => {
  const u = user(nextUser++);
  for (const name of ['a.py', 'b.py', 'c.py']) {
    await post(message(u, `/save ${name}\n${code(name, 200)}`));
    assert.match(textsTo(u.id).at(-1), /Saved/);
  }
  await post(message(u, `/save d.py\n${code('d', 200)}`));
  assert.match(textsTo(u.id).at(-1), /You keep 3 files; the limit is 3.*\/delete NAME.*Nothing was saved/s);
  assert.equal((await d1("SELECT COUNT(*) AS n FROM code_files WHERE name = 'd.py'"))[0].n, 0);

  // A new version of a kept file fits; only the last 2 versions are kept.
  for (let i = 0; i < 3; i++) {
    await post(message(u, `/save a.py\n${code('a' + i, 200)}`));
    assert.match(textsTo(u.id).at(-1), /Saved/);
  }
  const versions = await d1(`SELECT v.version FROM code_file_versions v JOIN code_files f ON f.id = v.file_id WHERE f.user_id = ${u.id} AND f.name = 'a.py' ORDER BY v.version`);
  assert.deepEqual(versions.map((r) => r.version), [3, 4]);

  // Bytes: 3000 in all; a 2500-byte version of b.py does not fit beside the rest.
  const before = await d1(`SELECT COUNT(*) AS n, SUM(byte_size) AS bytes FROM code_file_versions v JOIN code_files f ON f.id = v.file_id WHERE f.user_id = ${u.id}`);
  await post(message(u, `/save b.py\n${code('big', 2500)}`));
  assert.match(textsTo(u.id).at(-1), /takes \d+ KB of your 3 KB.*last 2 versions.*Nothing was saved/s);
  const afterRefusal = await d1(`SELECT COUNT(*) AS n, SUM(byte_size) AS bytes FROM code_file_versions v JOIN code_files f ON f.id = v.file_id WHERE f.user_id = ${u.id}`);
  assert.deepEqual(afterRefusal, before);

  // Deleting frees the space, as the message says.
  await post(message(u, '/delete c.py'));
  await post(message(u, `/save d.py\n${code('d', 200)}`));
  assert.match(textsTo(u.id).at(-1), /Saved/);
});

test('saving is rate-limited per user', async () => {
  const u = user(nextUser++);
  for (let i = 0; i < 10; i++) {
    await post(message(u, `/save a.py\n${code('r' + i, 20)}`));
    assert.match(textsTo(u.id).at(-1), /Saved/);
  }
  await post(message(u, `/save a.py\n${code('r10', 20)}`));
  assert.match(textsTo(u.id).at(-1), /Too many requests\. Please try again in (\d+ s|1 min)\./);
  // A rate-limited save wrote nothing: version 10 is the last.
  const [row] = await d1(`SELECT latest_version FROM code_files WHERE user_id = ${u.id} AND name = 'a.py'`);
  assert.equal(row.latest_version, 10);
});

test('/image_all charges each render to the code-image rate limit', async () => {
  const u = user(nextUser++);
  for (const name of ['a.py', 'b.py', 'c.py']) await post(message(u, `/save ${name}\n${code(name, 50)}`));
  // 10 code images a minute: three batches of 3 use 9, the fourth is let in, the fifth is not.
  for (let i = 1; i <= 4; i++) {
    await post(message(u, '/image_all'));
    await tg.waitFor(() => photosTo(u.id).length === 3 * i, 30000);
  }
  await post(message(u, '/image_all'));
  assert.match(textsTo(u.id).at(-1), /Too many requests/);
  await post(message(u, '/image a.py'));
  assert.match(textsTo(u.id).at(-1), /Too many requests/);
  assert.equal(photosTo(u.id).length, 12);
});

async function starsInvoice(u) {
  await post(callback(u, 'pay:stars:s100'));
  const inv = tg.calls.filter((c) => c.method === 'sendInvoice').at(-1);
  return inv.params.payload;
}
function paid(u, payload, charge) {
  return message(u, undefined, { successful_payment: { currency: 'XTR', total_amount: 50, invoice_payload: payload,
    telegram_payment_charge_id: charge, provider_payment_charge_id: '' } });
}
async function credits(u) {
  const [row] = await d1(`SELECT credits FROM users WHERE id = ${u.id}`);
  return row.credits;
}

for (const phase of ['before', 'after']) {
  test(`a crash ${phase} the payment is credited: once, on Telegram's next delivery`, async () => {
    const u = user(nextUser++);
    const payload = await starsInvoice(u);
    const update = paid(u, payload, `tg-crash-${phase}-${u.id}`);
    const armed = await fetch(`${w.url}/__diag/crash-update?update_id=${update.update_id}&phase=${phase}`);
    assert.equal(armed.status, 200);
    // The instance traps mid-update: not a 2xx, so Telegram delivers it again.
    const first = await deliver(update);
    assert.ok(first.status >= 500, `status ${first.status}`);
    // While the crashed run's lease lasts, a delivery is told to come back (not "already handled").
    const early = await deliver(update);
    if (early.status !== 200) {
      assert.equal(early.status, 503);
      assert.ok(Number(early.headers.get('retry-after')) >= 1);
    }
    // Telegram keeps delivering until it gets a 200; then the Stars are credited exactly once.
    await waitFor(async () => (await deliver(update)).status === 200, { timeoutMs: 20000, intervalMs: 500, what: 'a 200 after the lease' });
    assert.equal(await credits(u), 100);
    await post(update);
    assert.equal(await credits(u), 100);
    const ledger = await d1(`SELECT COUNT(*) AS n FROM credit_ledger WHERE user_id = ${u.id} AND reason = 'topup_stars'`);
    assert.equal(ledger[0].n, 1);
  });
}

test('the hourly cleanup removes /imagine drafts past DRAFT_TTL_HOURS and keeps fresh ones', async () => {
  const u = user(nextUser++);
  await post(message(u, '/imagine a lighthouse at dusk'));
  const drafts = () => d1(`SELECT COUNT(*) AS n FROM generation_drafts WHERE user_id = ${u.id}`).then((r) => r[0].n);
  assert.equal(await drafts(), 1);
  const cleanup = async (time) => {
    const r = await fetch(`${w.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('0 * * * *')}&time=${time}`);
    assert.equal(r.status, 200);
  };
  await cleanup(Date.now() + 23 * 3600e3);
  assert.equal(await drafts(), 1, 'a draft younger than 24 h stays');
  await cleanup(Date.now() + 25 * 3600e3);
  assert.equal(await drafts(), 0);
});
