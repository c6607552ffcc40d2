// Reference photos (issue 22) end to end in local workerd: photos sent as Telegram `photo` arrays,
// image documents, replies to a photo and albums (media groups) reach the models that take them;
// the built-in provider draws from the photo offline; the Workers AI request formats (SDXL
// img2img as JSON with image_b64, flux-2 as multipart form data) are checked by a fake AI binding
// (tests/fakes/workers_ai.mjs); hostile files are refused before anything is charged, and a
// photo that cannot be decoded, a model failure and a timeout refund. 🎲 Variations: the price
// first, N images as one album (sendMediaGroup) with N seeds, a failure refunded inside it, the
// balance, the hour's limit and /cancel counting every image.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { createServer } from 'node:http';
import { startWorker, waitFor } from './harness.mjs';
import { botClient } from './bot.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';
import { startFakeWorkersAi } from '../fakes/workers_ai.mjs';
import { TEST_SECRETS } from './harness.mjs';
import { decodePng, toRgba } from './png.mjs';
import { photoKit } from './photos.mjs';

let w;
let tg;
let ai;
let bot;
let aiProxy;
let nextUser = 52000;

// In front of the fake Workers AI: passes every call on, except that failSeed() makes the calls
// of the next seed it sees answer 500 (that one image of a batch fails, retries included).
async function startFailingProxy(target) {
  let arm = false;
  let failing = null;
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    let seed = null;
    try { seed = JSON.parse(body.toString('utf8')).seed ?? null; } catch { /* multipart */ }
    if (arm && seed !== null && failing === null) { failing = seed; arm = false; }
    if (seed !== null && seed === failing) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'internal error' }] }));
      return;
    }
    const r = await fetch(target + req.url, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? '' },
      body: req.method === 'GET' ? undefined : body });
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream' });
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    failSeed() { arm = true; failing = null; },
    stop: () => { server.closeAllConnections?.(); return new Promise((r) => server.close(r)); },
  };
}
let halfRed, photoOf, documentOf, photoMessage, callback;

before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  ai = await startFakeWorkersAi();
  aiProxy = await startFailingProxy(ai.url);
  const models = [
    { name: 'flux', provider: 'builtin', cost: 1, inputs: ['text', 'images:4'], params: { width: 128, height: 96 } },
    { name: 'sdxl', provider: 'builtin', cost: 2, params: { width: 128, height: 128 } },
    { name: 'edit', provider: 'workers-ai', model: '@cf/runwayml/stable-diffusion-v1-5-img2img', cost: 2,
      inputs: ['text', 'image'], requires_image: true, params: { strength: 0.6, steps: 10 } },
    { name: 'flux2', provider: 'workers-ai', model: '@cf/black-forest-labs/flux-2-dev', cost: 3,
      inputs: ['text', 'images:4'], params: { width: 256, height: 256 } },
    { name: 'sd', provider: 'workers-ai', model: '@cf/stabilityai/stable-diffusion-xl-base-1.0', cost: 1,
      params: { negative_prompt: 'blurry', steps: 8, seed: true } },
  ];
  w = await startWorker({
    vars: {
      TELEGRAM_API_BASE: tg.url,
      AI_FAKE_URL: aiProxy.url,
      MODELS: JSON.stringify(models),
      FREE_GENERATIONS_PER_DAY: '0',
      MODEL_RETRIES: '1',
      MODEL_READ_TIMEOUT: '10',
      MODEL_CONNECT_TIMEOUT: '1',
      GENERATION_TIMEOUT: '4',
    },
  });
  bot = botClient(w, tg, { firstUpdate: 520000 });
  ({ halfRed, photoOf, documentOf, photoMessage, callback } = photoKit(bot, tg, { prefix: 'ref-photo', firstCallback: 526000 }));
});
after(async () => {
  await w?.stop();
  await tg?.stop();
  await ai?.stop();
  await aiProxy?.stop();
});
beforeEach(() => {
  tg.reset();
  ai.reset();
});

const photosTo = (chat) => bot.callsTo(chat).filter((c) => c.method === 'sendPhoto' && !c.failed);
const waitPhoto = (chat) => tg.waitFor(() => photosTo(chat).length >= 1, 20000);
const waitText = (chat, re) => tg.waitFor(() => bot.textsTo(chat).some((t) => re.test(t)), 20000);
async function rowsOf(userId) {
  const rows = (await (await fetch(`${w.url}/generations/__diag/rows`)).json()).rows;
  return rows.filter((r) => r.user_id === userId);
}
async function settled(userId, status) {
  return waitFor(async () => {
    const [r] = await rowsOf(userId);
    return r && status.includes(r.status) ? r : null;
  }, { timeoutMs: 20000, what: `user ${userId}'s generation to be ${status}` });
}
function rgbaOf(bytes) {
  const p = decodePng(bytes);
  return { width: p.width, height: p.height, data: toRgba(p) };
}
function mean(rgba, x0, x1, y0, y1) {
  const { width, data } = rgba;
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      for (let k = 0; k < 3; k++) sum[k] += data[(y * width + x) * 4 + k];
      n++;
    }
  }
  return sum.map((v) => v / n);
}

test('a photo with /image=flux=PROMPT: the built-in model draws from the photo (offline), stored under ref/, paid once', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 5);
  await bot.post(photoMessage(u, { caption: '/image=flux=the same, but stranger', photo: photoOf(await halfRed()) }));
  await waitPhoto(u.id);
  const png = photosTo(u.id)[0].files.photo.bytes;
  const img = rgbaOf(png);
  assert.equal(img.width, 128);
  assert.equal(img.height, 96);
  // Drawn from the photo: mirrored (the coloured half is now on the right, the white on the
  // left) and recoloured (no longer red).
  const left = mean(img, 4, 60, 8, 88);
  const right = mean(img, 68, 124, 8, 88);
  assert.ok(left.every((v) => v > 200), `left half stays white: ${left}`);
  assert.ok(right.some((v) => v < 150), `right half is coloured: ${right}`);
  assert.ok(!(right[0] > 180 && right[1] < 80 && right[2] < 80), `and not red any more: ${right}`);
  const [row] = await rowsOf(u.id);
  assert.equal(row.status, 'completed');
  assert.deepEqual(JSON.parse(row.params).refs, [`ref/${u.id}/${row.id}/0`]);
  assert.equal(row.credits, 4);
  assert.equal(row.refunds, 0);
});

test('a model that cannot use a photo says so and names the ones that can; a photo-only model asks for one', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 5);
  await bot.post(photoMessage(u, { caption: '/image=sdxl=a cat', photo: photoOf(await halfRed()) }));
  await waitText(u.id, /sdxl<\/b> cannot use a photo\. Models that can: flux, edit, flux2\./);
  await bot.send(u, '/image=edit=a cat');
  await waitText(u.id, /edit<\/b> needs a photo/);
  assert.equal((await rowsOf(u.id)).length, 0, 'nothing was asked for');
  // A photo without a command gets the hint, not the welcome text.
  await bot.post(photoMessage(u, { photo: photoOf(await halfRed()) }));
  await waitText(u.id, /To draw from this photo.*Models that take photos: flux, edit, flux2/s);
});

test('replying /image=edit=... to a photo: SDXL img2img gets the photo as image_b64 (a re-encoded JPEG) with its strength', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 5);
  const original = await sharp(await halfRed()).withMetadata({ exif: { IFD0: { Copyright: 'secret-gps-here' } } }).jpeg().toBuffer();
  const photoMsg = { message_id: 1, date: 1, chat: { id: u.id, type: 'private' }, from: u, photo: photoOf(original) };
  const reply = bot.messageUpdate(u, '/image=edit=turn it into a watercolour');
  reply.message.reply_to_message = photoMsg;
  await bot.post(reply);
  await waitPhoto(u.id);
  assert.equal(ai.calls.length, 1);
  const call = ai.calls[0];
  assert.equal(call.model, '@cf/runwayml/stable-diffusion-v1-5-img2img');
  assert.equal(call.format, 'json');
  assert.equal(call.fields.prompt, 'turn it into a watercolour');
  assert.equal(call.fields.strength, 0.6);
  assert.equal(call.fields.num_steps, 10);
  const sent = Buffer.from(call.fields.image_b64, 'base64');
  assert.equal(sent[0], 0xff, 'a JPEG');
  assert.ok(!sent.includes(Buffer.from('secret-gps-here')), 'the EXIF of the original is gone');
  const meta = await sharp(sent).metadata();
  assert.equal(meta.width, 300);
  assert.equal(meta.height, 200);
  // The fake answers green for one photo: what the user got is the model's answer.
  const px = rgbaOf(photosTo(u.id)[0].files.photo.bytes).data;
  assert.deepEqual([px[0], px[1], px[2]], [30, 200, 60]);
  const rows = await rowsOf(u.id);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].credits, 3);
});

test('an album of three photos with one caption: flux-2 gets all three as multipart input_image_0..2', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 5);
  const group = `album-${u.id}`;
  // Telegram sends each photo as its own update; the caption rides on the first.
  await bot.post(photoMessage(u, { caption: '/image=flux2=these three, together', photo: photoOf(await halfRed()), group }));
  await bot.post(photoMessage(u, { photo: photoOf(await halfRed(200, 200), { width: 200, height: 200 }), group }));
  await bot.post(photoMessage(u, { photo: photoOf(await halfRed(100, 300), { width: 100, height: 300 }), group }));
  await waitPhoto(u.id);
  assert.equal(ai.calls.length, 1);
  const call = ai.calls[0];
  assert.equal(call.model, '@cf/black-forest-labs/flux-2-dev');
  assert.equal(call.format, 'multipart');
  assert.equal(call.fields.prompt, 'these three, together');
  assert.equal(call.fields.width, '256');
  assert.deepEqual(call.files.map((f) => [f.name, f.type]),
    [['input_image_0', 'image/jpeg'], ['input_image_1', 'image/jpeg'], ['input_image_2', 'image/jpeg']]);
  const sizes = await Promise.all(call.files.map(async (f) => { const m = await sharp(f.bytes).metadata(); return [m.width, m.height]; }));
  assert.deepEqual(sizes, [[300, 200], [200, 200], [100, 300]], 'in the order they were sent');
  const px = rgbaOf(photosTo(u.id)[0].files.photo.bytes).data;
  assert.deepEqual([px[0], px[1], px[2]], [220, 40, 40]);
  const rows = await rowsOf(u.id);
  assert.equal(rows.length, 1, 'one generation for the album');
  assert.equal(JSON.parse(rows[0].params).refs.length, 3);
  assert.equal(rows[0].credits, 2);
});

test('an image document works like a photo; a file that is not an image, or too large, is refused and nothing is kept charged', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 10);
  const png = await sharp(await halfRed()).png().toBuffer();
  await bot.post(photoMessage(u, { caption: '/image=flux2=from a document', document: documentOf(png, 'image/png') }));
  await waitPhoto(u.id);
  assert.equal(ai.calls[0].files.length, 1);
  assert.equal(ai.calls[0].files[0].type, 'image/jpeg', 'normalised to JPEG');

  tg.reset();
  // Claims to be a PNG, is not.
  await bot.post(photoMessage(u, { caption: '/image=flux=x', document: documentOf(Buffer.from('not an image at all'), 'image/png') }));
  await waitText(u.id, /not a photo a model can use/);
  // A PDF.
  await bot.post(photoMessage(u, { caption: '/image=flux=x', document: documentOf(Buffer.from('%PDF-1.4'), 'application/pdf', 'a.pdf') }));
  await waitText(u.id, /not a photo a model can use/);
  // A PNG header declaring 5000 x 5000 (25 megapixels).
  const huge = Buffer.from(png);
  huge.writeUInt32BE(5000, 16);
  huge.writeUInt32BE(5000, 20);
  await bot.post(photoMessage(u, { caption: '/image=flux=x', document: documentOf(huge, 'image/png') }));
  await waitText(u.id, /too many pixels: at most 16 megapixels/);
  // A photo Telegram says is 30 MB: refused from its size, not downloaded.
  await bot.post(photoMessage(u, { caption: '/image=flux=x', photo: photoOf(await halfRed(), { size: 30 * 1024 * 1024 }).slice(1) }));
  await waitText(u.id, /too large: at most 10 MB/);
  const rows = await rowsOf(u.id);
  const refused = rows.filter((r) => r.prompt === 'x');
  assert.ok(refused.every((r) => r.status === 'failed' && r.refunds === 1), JSON.stringify(refused));
  assert.equal(rows.at(-1).credits, 7, 'only the document generation was paid');
});

test('a photo that passes the header check but cannot be decoded fails the job and refunds', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 5);
  const jpeg = await halfRed();
  const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 3));
  await bot.post(photoMessage(u, { caption: '/image=flux2=broken', photo: photoOf(truncated) }));
  await waitText(u.id, /The photo could not be read.*returned to your balance/s);
  const row = await settled(u.id, ['failed']);
  assert.equal(row.refunds, 1);
  assert.equal(row.credits, 5);
  assert.equal(ai.calls.length, 0, 'nothing reached the model');
});

test('a model failure and a timeout with a photo refund the price', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 6);
  await bot.post(photoMessage(u, { caption: '/image=flux2=[ai-fail] please', photo: photoOf(await halfRed()) }));
  const failed = await settled(u.id, ['failed']);
  assert.equal(failed.refunds, 1);
  assert.equal(failed.credits, 6);
  const v = bot.user(nextUser++);
  await bot.give(v.id, 6);
  await bot.post(photoMessage(v, { caption: '/image=flux2=[ai-slow:8000] please', photo: photoOf(await halfRed()) }));
  await waitText(v.id, /took too long/);
  const timedOut = await settled(v.id, ['failed']);
  assert.equal(timedOut.refunds, 1);
  assert.equal(timedOut.credits, 6);
});

test('/imagine as a photo caption: only models that take photos are offered, with their prices; the choice draws from the photo', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 5);
  await bot.post(photoMessage(u, { caption: '/imagine a lighthouse', photo: photoOf(await halfRed()) }));
  await tg.waitFor(() => bot.callsTo(u.id).some((c) => c.method === 'sendMessage' && c.params.reply_markup), 20000);
  const ask = bot.callsTo(u.id).find((c) => c.method === 'sendMessage' && c.params.reply_markup);
  const kb = typeof ask.params.reply_markup === 'string' ? JSON.parse(ask.params.reply_markup) : ask.params.reply_markup;
  const buttons = kb.inline_keyboard.map((row) => row[0]);
  assert.deepEqual(buttons.map((b) => b.callback_data.split(':')[1]), ['flux', 'edit', 'flux2']);
  assert.match(buttons[2].text, /flux2.*3/);
  const id = 529000 + u.id % 1000;
  await bot.post({ update_id: id, callback_query: { id: `cb${id}`, from: u, chat_instance: 'x', data: buttons[2].callback_data,
    message: { message_id: 1, date: 1, chat: { id: u.id, type: 'private' }, text: '' } } });
  await waitPhoto(u.id);
  assert.equal(ai.calls.length, 1);
  assert.equal(ai.calls[0].files.length, 1);
  assert.equal(ai.calls[0].fields.prompt, 'a lighthouse');
  const [row] = await rowsOf(u.id);
  assert.equal(row.credits, 2);
});

test('/forget, after a confirmation, deletes the photos, images, prompts and files; the limits still count', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 5);
  await bot.post(photoMessage(u, { caption: '/image=flux=a private portrait', photo: photoOf(await halfRed()) }));
  await waitPhoto(u.id);
  await bot.send(u, '/save secret.py\nprint("mine")');
  await waitText(u.id, /secret\.py/);
  const r2 = async (prefix) => {
    const r = await fetch(`${w.url}/__diag/r2-keys?prefix=${encodeURIComponent(prefix)}`);
    const body = await r.json();
    assert.equal(r.status, 200, JSON.stringify(body));
    assert.ok(Array.isArray(body.keys), JSON.stringify(body));
    return body.keys;
  };
  const [before] = await rowsOf(u.id);
  assert.equal((await r2(`ref/${u.id}/`)).length, 1);
  assert.ok(before.r2_key);
  assert.deepEqual(await r2(before.r2_key), [before.r2_key]);

  tg.reset();
  await bot.send(u, '/forget');
  await tg.waitFor(() => bot.callsTo(u.id).some((c) => c.method === 'sendMessage' && c.params.reply_markup), 20000);
  const ask = bot.callsTo(u.id).find((c) => c.method === 'sendMessage' && c.params.reply_markup);
  assert.match(ask.params.text, /Delete everything of yours\?/);
  const id = 528000 + u.id % 1000;
  await bot.post({ update_id: id, callback_query: { id: `cb${id}`, from: u, chat_instance: 'x', data: 'forget:yes',
    message: { message_id: 1, date: 1, chat: { id: u.id, type: 'private' }, text: '' } } });
  await tg.waitFor(() => bot.callsTo(u.id).some((c) => c.method === 'editMessageText' && /Deleted: 1 file, 1 image, 1 photo/.test(c.params.text)), 20000);
  assert.deepEqual(await r2(`ref/${u.id}/`), []);
  assert.deepEqual(await r2(before.r2_key), []);
  const [after] = await rowsOf(u.id);
  assert.equal(after.prompt, '-');
  assert.equal(after.params, null);
  assert.ok(after.deleted_ms);
  assert.equal(after.r2_key, null);
  assert.equal(after.credits, 4, 'the balance stays');
  const files = (await (await fetch(`${w.url}/__diag/sql?q=${encodeURIComponent(`SELECT COUNT(*) AS n FROM code_files WHERE user_id = ${u.id}`)}`)).json()).rows;
  assert.equal(files[0].n, 0);
});

test('✏️ Edit under a result says how; a reply to the result with /image=flux2=... sends the result as the photo', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 10);
  await bot.send(u, '/image=flux=a small house');
  await waitPhoto(u.id);
  const result = photosTo(u.id)[0];
  const kb = typeof result.params.reply_markup === 'string' ? JSON.parse(result.params.reply_markup) : result.params.reply_markup;
  const edit = kb.inline_keyboard[0].find((b) => b.callback_data.startsWith('edit:'));
  assert.ok(edit, JSON.stringify(kb));
  const id = 527000 + u.id % 1000;
  await bot.post({ update_id: id, callback_query: { id: `cb${id}`, from: u, chat_instance: 'x', data: edit.callback_data,
    message: { message_id: result.result.message_id, date: 1, chat: { id: u.id, type: 'private' } } } });
  await waitText(u.id, /Reply to the picture with <code>\/image=flux=what to change<\/code>/);
  tg.reset();
  const reply = bot.messageUpdate(u, '/image=flux2=now at night');
  reply.message.reply_to_message = result.result;
  await bot.post(reply);
  await waitPhoto(u.id);
  assert.equal(ai.calls.length, 1);
  const [file] = ai.calls[0].files;
  const meta = await sharp(file.bytes).metadata();
  assert.deepEqual([meta.width, meta.height], [128, 96], 'the earlier result, as the photo');
});


test('style presets: /styles lists them; /image=MODEL=STYLE=PROMPT wraps the prompt and adds the negative prompt', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 5);
  await bot.send(u, '/styles');
  await waitText(u.id, /<b>anime<\/b> \(flux\): <i>anime style illustration of …, cel shading, vibrant colours<\/i>/);
  await bot.send(u, '/image=sd=anime=a cat on a roof');
  await waitPhoto(u.id);
  assert.equal(ai.calls.length, 1);
  assert.equal(ai.calls[0].fields.prompt, 'anime style illustration of a cat on a roof, cel shading, vibrant colours');
  assert.equal(ai.calls[0].fields.negative_prompt, 'blurry, photo, realistic');
  const [row] = await rowsOf(u.id);
  assert.equal(JSON.parse(row.params).style, 'anime');
  // STYLE=PROMPT alone: the first model (the defaults name no model of their own).
  tg.reset();
  await bot.send(u, '/image=pixel=a dog');
  await waitPhoto(u.id);
  const rows = await rowsOf(u.id);
  assert.equal(rows.at(-1).model, 'flux');
  assert.equal(rows.at(-1).prompt, 'pixel art of a dog, 16-bit, limited palette');
});

test('/settings remembers a preferred model and style; /imagine offers the model first, with its price, and applies the style', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 5);
  await bot.send(u, '/settings');
  await tg.waitFor(() => bot.callsTo(u.id).some((c) => c.method === 'sendMessage' && /Preferred model/.test(c.params.text)), 20000);
  await bot.post(callback(u, 'st:pm:flux2'));
  await bot.post(callback(u, 'st:ps:watercolor'));
  await tg.waitFor(() => bot.callsTo(u.id).filter((c) => c.method === 'editMessageText').length >= 2, 20000);
  const last = bot.callsTo(u.id).filter((c) => c.method === 'editMessageText').at(-1);
  assert.match(last.params.text, /Preferred model: <code>flux2<\/code> \(3 💎\)\nStyle: <b>watercolor<\/b>/);
  tg.reset();
  await bot.send(u, '/imagine a quiet harbour');
  await tg.waitFor(() => bot.callsTo(u.id).some((c) => c.method === 'sendMessage' && c.params.reply_markup), 20000);
  const ask = bot.callsTo(u.id).find((c) => c.method === 'sendMessage' && c.params.reply_markup);
  assert.match(ask.params.text, /Style: <b>watercolor<\/b>/);
  const kb = typeof ask.params.reply_markup === 'string' ? JSON.parse(ask.params.reply_markup) : ask.params.reply_markup;
  const first = kb.inline_keyboard[0][0];
  assert.match(first.text, /^⭐ .*flux2.*3/);
  await bot.post(callback(u, first.callback_data));
  await waitPhoto(u.id);
  assert.equal(ai.calls[0].fields.prompt, 'watercolour painting of a quiet harbour, soft washes, paper texture');
});

test('seeds: the row records the seed the model got; 🌱 Same seed asks again with it, 🔁 with a new one; /gallery shows it', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 5);
  await bot.send(u, '/image=sd=a red fox in snow');
  await waitPhoto(u.id);
  assert.equal(ai.calls.length, 1);
  const first = Number(ai.calls[0].fields.seed);
  assert.ok(Number.isInteger(first) && first >= 0, `a seed was sent: ${JSON.stringify(ai.calls[0].fields)}`);
  const [row] = await rowsOf(u.id);
  assert.equal(JSON.parse(row.params).seed, first);
  const result = photosTo(u.id)[0];
  const kb = typeof result.params.reply_markup === 'string' ? JSON.parse(result.params.reply_markup) : result.params.reply_markup;
  const buttons = kb.inline_keyboard.flat();
  const same = buttons.find((b) => b.callback_data === `seed:${row.id}`);
  const again = buttons.find((b) => b.callback_data === `regen:${row.id}`);
  assert.ok(same && again, JSON.stringify(kb));

  tg.reset();
  await bot.post(callback(u, same.callback_data));
  await waitPhoto(u.id);
  assert.equal(ai.calls.length, 2);
  assert.equal(Number(ai.calls[1].fields.seed), first, 'the same seed');
  assert.equal(ai.calls[1].fields.prompt, 'a red fox in snow');

  tg.reset();
  await bot.post(callback(u, again.callback_data));
  await waitPhoto(u.id);
  assert.equal(ai.calls.length, 3);
  assert.notEqual(Number(ai.calls[2].fields.seed), first, 'a new seed');

  tg.reset();
  await bot.send(u, '/gallery');
  await waitText(u.id, new RegExp(`sd.*${Number(ai.calls[2].fields.seed)}`, 's'));
  const rows = await rowsOf(u.id);
  assert.equal(rows.length, 3);
  assert.equal(rows.reduce((n, r) => n + r.cost, 0), 3, 'each run paid once');
});

// ---- 🎲 Variations ------------------------------------------------------------------------------

const keyboardOf = (call) => {
  const m = call?.params.reply_markup;
  return m ? (typeof m === 'string' ? JSON.parse(m) : m).inline_keyboard.flat() : [];
};
const albumsTo = (chat) => bot.callsTo(chat).filter((c) => c.method === 'sendMediaGroup' && !c.failed);
// A result, then its 🎲 price message; answers the result's row and the ✅ button.
async function priceOfVariations(u, command) {
  await bot.send(u, command);
  await waitPhoto(u.id);
  const [row] = await rowsOf(u.id);
  const vary = keyboardOf(photosTo(u.id)[0]).find((b) => b.callback_data === `vary:${row.id}`);
  assert.ok(vary, 'a 🎲 button under the result');
  tg.reset();
  await bot.post(callback(u, vary.callback_data));
  await tg.waitFor(() => bot.callsTo(u.id).some((c) => c.method === 'sendMessage' && /variations/.test(c.params.text)), 20000);
  const ask = bot.callsTo(u.id).find((c) => c.method === 'sendMessage' && /variations/.test(c.params.text));
  const ok = keyboardOf(ask).find((b) => b.callback_data.startsWith('varyok:'));
  return { row, ask, ok };
}

test('🎲 Variations: the price first (4 × the model\'s), then 4 images with 4 distinct seeds as one album, each paid once; a retried confirmation asks once', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 10);
  const { row, ask, ok } = await priceOfVariations(u, '/image=sd=a lighthouse at dusk');
  assert.match(ask.params.text, /4 variations<\/b> of <i>a lighthouse at dusk<\/i> with <b>sd<\/b>, one album: 4 × 1 = <b>4 credits<\/b> \(balance 9\)\. Each image gets its own seed\./);
  assert.equal(ok.callback_data, `varyok:${row.id}:4:1`);
  assert.equal((await rowsOf(u.id)).length, 1, 'the price asked nothing yet');
  assert.equal(ai.calls.length, 1);

  // Telegram retries the confirmation (same update id): one batch.
  const confirm = callback(u, ok.callback_data);
  await bot.post(confirm);
  await bot.post(confirm);
  await tg.waitFor(() => albumsTo(u.id).length >= 1, 30000);
  const album = albumsTo(u.id)[0];
  const media = JSON.parse(album.params.media);
  assert.equal(media.length, 4);
  assert.deepEqual(media.map((m) => m.media), ['attach://p0', 'attach://p1', 'attach://p2', 'attach://p3']);
  assert.ok(media.every((m) => album.files[m.media.slice(9)].bytes.length > 0));
  assert.match(media[0].caption, /^🎲 4 of 4: <i>a lighthouse at dusk<\/i>$/);

  const rows = await rowsOf(u.id);
  const members = rows.filter((r) => r.batch_id);
  assert.equal(members.length, 4, 'four rows, one batch');
  assert.equal(new Set(members.map((r) => r.batch_id)).size, 1);
  assert.ok(members.every((r) => r.status === 'completed' && r.cost === 1 && r.reserves === 1 && r.refunds === 0));
  const seeds = members.map((r) => JSON.parse(r.params).seed);
  assert.equal(new Set(seeds).size, 4, `distinct seeds: ${seeds}`);
  assert.deepEqual(ai.calls.slice(1).map((c) => Number(c.fields.seed)).sort(), [...seeds].sort(), 'the model got those seeds');
  assert.equal(rows[0].credits, 10 - 1 - 4);

  // The buttons follow the album: 🔁 🎲 ✏️ and a 🌱 per image, in the album's order.
  await tg.waitFor(() => bot.callsTo(u.id).some((c) => c.method === 'sendMessage' && /For these variations/.test(c.params.text)), 20000);
  const follow = bot.callsTo(u.id).find((c) => c.method === 'sendMessage' && /For these variations/.test(c.params.text));
  const buttons = keyboardOf(follow).map((b) => b.callback_data);
  assert.deepEqual(buttons.filter((d) => d.startsWith('seed:')), members.map((r) => `seed:${r.id}`));
  assert.ok(buttons.includes(`regen:${members[0].id}`) && buttons.includes(`vary:${members[0].id}`));
  assert.equal(albumsTo(u.id).length, 1, 'one album');

  // /gallery lists each image with its seed.
  tg.reset();
  await bot.send(u, '/gallery');
  await waitText(u.id, new RegExp(`seed (${seeds.join('|')})`));
});

test('🎲 one model failure inside a batch: an album of 3, the failure told in its caption and refunded exactly once', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 10);
  const { ok } = await priceOfVariations(u, '/image=sd=a windmill');
  aiProxy.failSeed();
  await bot.post(callback(u, ok.callback_data));
  await tg.waitFor(() => albumsTo(u.id).length >= 1, 30000);
  const media = JSON.parse(albumsTo(u.id)[0].params.media);
  assert.equal(media.length, 3);
  assert.match(media[0].caption, /^🎲 3 of 4: <i>a windmill<\/i>\n⚠️ 1 could not be made\. 1 credit was returned to your balance\. $/);
  const members = (await rowsOf(u.id)).filter((r) => r.batch_id);
  assert.deepEqual(members.map((r) => r.status).sort(), ['completed', 'completed', 'completed', 'failed']);
  assert.deepEqual(members.map((r) => r.refunds).sort(), [0, 0, 0, 1]);
  assert.equal(members[0].credits, 10 - 1 - 4 + 1);
  assert.ok(!bot.textsTo(u.id).some((t) => /could not be generated/.test(t)), 'no separate failure notice');
});

test('🎲 a balance that covers fewer than N refuses the whole batch, nothing charged; a forged count or price is not taken; the hour\'s limit counts each image', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 3);
  const { row, ask, ok } = await priceOfVariations(u, '/image=flux=a small boat');
  // The built-in model draws from the seed, so each variation gets its own.
  assert.match(ask.params.text, /4 × 1 = <b>4 credits<\/b> \(balance 2\)\. Each image gets its own seed\./);
  await bot.post(callback(u, ok.callback_data));
  await waitText(u.id, /Not enough credits for 4 variations: they cost 4, your balance is 2.*Nothing was charged/);
  let rows = await rowsOf(u.id);
  assert.equal(rows.length, 1, 'no variation was recorded');
  assert.equal(rows[0].credits, 2);
  // A forged confirmation (50 images, or another price) only shows the real price again.
  for (const forged of [`varyok:${row.id}:50:1`, `varyok:${row.id}:4:0`]) {
    tg.reset();
    await bot.post(callback(u, forged));
    await waitText(u.id, /<b>4 variations<\/b>.*4 × 1 = <b>4 credits<\/b>/);
    assert.equal((await rowsOf(u.id)).length, 1);
  }

  // With credits, 7 generations this hour leave 3: 4 images do not fit (10 per hour).
  await bot.give(u.id, 20);
  for (let i = 0; i < 6; i++) {
    const r = await fetch(`${w.url}/__diag/seed-generation?user=${u.id}&status=completed&at_ms=${Date.now()}`);
    assert.equal(r.status, 200, await r.text());
  }
  tg.reset();
  await bot.post(callback(u, ok.callback_data));
  await waitText(u.id, /4 variations count as 4 generations, and the limit is 10 per hour: 3 left now\. Nothing was charged\./);
  rows = await rowsOf(u.id);
  assert.equal(rows.length, 7);
  assert.equal(rows[0].credits, 22);
  assert.equal(albumsTo(u.id).length, 0);
});

test('🎲 /cancel of a batch cancels every image not made yet and refunds each once', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 10);
  const { ok } = await priceOfVariations(u, '/image=sd=[ai-slow:1500] a slow harbour');
  await bot.post(callback(u, ok.callback_data));
  await waitFor(async () => (await rowsOf(u.id)).filter((r) => r.batch_id).length === 4 || null,
    { timeoutMs: 20000, what: 'the batch' });
  tg.reset();
  await bot.send(u, '/cancel');
  await waitText(u.id, /Cancel your 🎲 variations with <b>sd<\/b> \(4 not made yet\)/);
  const askCancel = bot.callsTo(u.id).find((c) => c.method === 'sendMessage' && /Cancel your/.test(c.params.text));
  const yes = keyboardOf(askCancel).find((b) => b.callback_data.startsWith('cancel_gen:'));
  await bot.post(callback(u, yes.callback_data));
  await tg.waitFor(() => bot.callsTo(u.id).some((c) => c.method === 'editMessageText' && /cancelled\. 4 credits were returned/.test(c.params.text)), 20000);
  const members = (await rowsOf(u.id)).filter((r) => r.batch_id);
  assert.deepEqual(members.map((r) => r.status), ['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  assert.deepEqual(members.map((r) => r.refunds), [1, 1, 1, 1]);
  assert.equal(members[0].credits, 9);
});

test('🎲 an album Telegram refuses is not sent again: the user is pointed at /gallery, where the images are', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 10);
  const { ok } = await priceOfVariations(u, '/image=flux=a red kite');
  tg.failNext('sendMediaGroup', 400);
  await bot.post(callback(u, ok.callback_data));
  await waitText(u.id, /did not accept it\. It is in \/gallery/);
  const tries = bot.callsTo(u.id).filter((c) => c.method === 'sendMediaGroup');
  assert.equal(tries.length, 1, 'one try');
  assert.equal(tries[0].failed, 400);
  assert.equal(JSON.parse(tries[0].params.media).length, 4);
  assert.ok(!bot.textsTo(u.id).some((t) => /For these variations/.test(t)), 'no buttons for an album that is not there');
  const members = (await rowsOf(u.id)).filter((r) => r.batch_id);
  assert.deepEqual(members.map((r) => r.status), ['completed', 'completed', 'completed', 'completed']);
  assert.equal(members[0].credits, 10 - 1 - 4, 'made, so paid');
});
