// Avatars (issue 22, part 4) end to end in local workerd: /avatar new shows the consent text
// before anything is kept; the photos sent afterwards (single photos, an album arriving at once,
// an image document, a retried update) are checked and stored under avatar/<user>/<avatar>/;
// /image=avatar:NAME=PROMPT sends them to the multi-reference model (a flux-2 model behind a fake
// AI binding, tests/fakes/workers_ai.mjs); the gallery filters by avatar; /avatar delete and
// /forget remove photos and rows; the caps (avatars per user, photos per avatar, photos per day)
// hold and deleting does not reset the daily one. Trained avatars: /avatar train NAME prices the
// training, charges it once, sends the photos as a ZIP to a FAL-style training model
// (tests/fakes/fal.mjs), stores the LoRA its webhook brings, and draws with it; a failed
// training is refunded once.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { startWorker, waitFor, freePort, TEST_SECRETS } from './harness.mjs';
import { botClient } from './bot.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';
import { startFakeWorkersAi } from '../fakes/workers_ai.mjs';
import { startFakeFal } from '../fakes/fal.mjs';
import { photoKit } from './photos.mjs';

let w;
let tg;
let ai;
let fal;
let bot;
let kit;
let nextUser = 61000;

before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  ai = await startFakeWorkersAi();
  fal = await startFakeFal();
  const models = [
    { name: 'flux', provider: 'builtin', cost: 1, params: { width: 128, height: 96 } },
    { name: 'flux2', provider: 'workers-ai', model: '@cf/black-forest-labs/flux-2-dev', cost: 3,
      inputs: ['text', 'images:4'], params: { width: 256, height: 256 } },
    { name: 'fluxlora', provider: 'fal-queue', model: 'fal-ai/flux-lora', cost: 2,
      inputs: ['text', 'lora'], params: { width: 256, height: 256, steps: 28 } },
  ];
  const port = await freePort();
  w = await startWorker({
    port,
    vars: {
      AVATAR_TRAINING: JSON.stringify({ name: 'avatar-training', provider: 'fal-queue',
        model: 'fal-ai/flux-lora-fast-training', cost: 5 }),
      FAL_API_BASE: fal.url,
      FAL_KEY: fal.key,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      ASYNC_POLL_MS: '500',
      TELEGRAM_API_BASE: tg.url,
      AI_FAKE_URL: ai.url,
      MODELS: JSON.stringify(models),
      FREE_GENERATIONS_PER_DAY: '0',
      AVATAR_MAX: '2',
      AVATAR_PHOTOS_PER_DAY: '13',
      MODEL_RETRIES: '1',
      GENERATION_TIMEOUT: '8',
    },
  });
  bot = botClient(w, tg, { firstUpdate: 610000 });
  kit = photoKit(bot, tg, { prefix: 'avatar-photo', firstCallback: 618000 });
});
after(async () => {
  await w?.stop();
  await tg?.stop();
  await ai?.stop();
  await fal?.stop();
});
beforeEach(() => {
  tg.reset();
  ai.reset();
});

const texts = (u) => bot.textsTo(u.id).concat(
  bot.callsTo(u.id).filter((c) => c.method === 'editMessageText').map((c) => c.params.text));
async function waitText(u, re) {
  try {
    await tg.waitFor(() => texts(u).some((t) => re.test(t)), 20000);
  } catch (e) {
    throw new Error(`${e.message}\nwaited for ${re} in: ${JSON.stringify(texts(u), null, 1)}`);
  }
}
const markup = (c) => (typeof c.params.reply_markup === 'string' ? JSON.parse(c.params.reply_markup) : c.params.reply_markup);
async function sql(q) {
  const body = await (await fetch(`${w.url}/__diag/sql?q=${encodeURIComponent(q)}`)).json();
  assert.ok(Array.isArray(body.rows), JSON.stringify(body));
  return body.rows;
}
async function r2Keys(prefix) {
  const r = await fetch(`${w.url}/__diag/r2-keys?prefix=${encodeURIComponent(prefix)}`);
  const body = await r.json();
  assert.equal(r.status, 200, JSON.stringify(body));
  return body.keys;
}
const colours = ['#e01010', '#10a010', '#1010e0', '#e0e010', '#10e0e0', '#e010e0', '#808080', '#f08000',
  '#0080f0', '#800000', '#008000', '#000080', '#404040', '#c0c0c0'];
async function sendPhoto(u, i, extra = {}) {
  const photo = kit.photoOf(await kit.halfRed(300, 200, colours[i % colours.length]));
  const upd = kit.photoMessage(u, { photo, ...extra });
  await bot.post(upd);
  return upd;
}
// /avatar new NAME and "I agree".
async function newAvatar(u, name) {
  await bot.send(u, `/avatar new ${name}`);
  await waitText(u, new RegExp(`New avatar: ${name}`));
  const ask = bot.callsTo(u.id).find((c) => c.method === 'sendMessage' && c.params.text.includes(`New avatar: ${name}`));
  const agree = markup(ask).inline_keyboard[0][0];
  assert.equal(agree.callback_data, `avatar:agree:${name}`);
  await bot.post(kit.callback(u, agree.callback_data));
  await waitText(u, new RegExp(`Now send 3 to 10 photos of the person for <b>${name}</b>`));
}
const photoCount = async (u, name) => (await sql(`SELECT COUNT(*) AS n FROM avatar_photos p JOIN avatars a ON a.id = p.avatar_id WHERE a.user_id = ${u.id} AND a.name = '${name}' AND p.stored = 1`))[0].n;

test('an avatar end to end: consent first, photos collected (an album at once, a document, a retried update), done, drawn by the flux-2 model (by command and from /imagine), filtered in /gallery, deleted', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 10);

  // Consent first: nothing is created before "I agree", and a photo before it is not kept.
  await bot.send(u, '/avatar new Me');
  await waitText(u, /New avatar: me.*Add only photos of yourself, or of someone who has agreed/s);
  assert.equal((await sql(`SELECT COUNT(*) AS n FROM avatars WHERE user_id = ${u.id}`))[0].n, 0);
  await sendPhoto(u, 0);
  await waitText(u, /To draw from this photo/);
  tg.reset();
  const ask = await (async () => { await bot.send(u, '/avatar new me'); await waitText(u, /New avatar: me/);
    return bot.callsTo(u.id).find((c) => c.method === 'sendMessage' && /New avatar/.test(c.params.text)); })();
  await bot.post(kit.callback(u, markup(ask).inline_keyboard[0][0].callback_data));
  await waitText(u, /Now send 3 to 10 photos/);
  const [row] = await sql(`SELECT id, status, consent_ms FROM avatars WHERE user_id = ${u.id}`);
  assert.equal(row.status, 'collecting');
  assert.ok(row.consent_ms > 0);

  // An album of three arrives at once (three updates in parallel), then a document; the same
  // update retried adds nothing.
  const group = `grp-${u.id}`;
  const album = await Promise.all([0, 1, 2].map(async (i) => {
    const upd = kit.photoMessage(u, { photo: kit.photoOf(await kit.halfRed(300, 200, colours[i])), group });
    return upd;
  }));
  await Promise.all(album.map((upd) => bot.post(upd)));
  const png = await sharp(await kit.halfRed(300, 200, colours[3])).png().toBuffer();
  const doc = kit.photoMessage(u, { document: kit.documentOf(png, 'image/png') });
  await bot.post(doc);
  await bot.post(doc);
  assert.equal(await photoCount(u, 'me'), 4);
  const keys = await r2Keys(`avatar/${u.id}/${row.id}/`);
  assert.deepEqual(keys.sort(), [0, 1, 2, 3].map((n) => `avatar/${u.id}/${row.id}/${n}`));
  // Not ready until done: the generation is refused without a charge.
  await bot.send(u, '/image=avatar:me=a portrait');
  await waitText(u, /<b>me<\/b> is not ready yet/);
  // ✅ Done under the latest photo message.
  const saved = bot.callsTo(u.id).filter((c) => c.method === 'sendMessage' && /<b>me<\/b>: \d photos of at most 10/.test(c.params.text));
  const done = saved.map(markup).find((k) => k)?.inline_keyboard[0][0];
  assert.equal(done?.callback_data, `avatar:done:${row.id}`);
  await bot.post(kit.callback(u, done.callback_data));
  await waitText(u, /Avatar <b>me<\/b> is ready \(4 photos\)/);

  // Drawn by the multi-reference model with the avatar's photos; paid once.
  tg.reset();
  await bot.send(u, '/image=avatar:me=a portrait in oil');
  await tg.waitFor(() => bot.callsTo(u.id).some((c) => c.method === 'sendPhoto' && !c.failed), 20000);
  assert.equal(ai.calls.length, 1);
  const call = ai.calls[0];
  assert.equal(call.model, '@cf/black-forest-labs/flux-2-dev');
  assert.equal(call.fields.prompt, 'a portrait in oil');
  assert.deepEqual(call.files.map((f) => f.name), ['input_image_0', 'input_image_1', 'input_image_2', 'input_image_3']);
  const [gen] = await sql(`SELECT id, status, cost, params FROM generations WHERE user_id = ${u.id}`);
  assert.equal(gen.status, 'completed');
  assert.equal(JSON.parse(gen.params).avatar, row.id);
  assert.deepEqual(JSON.parse(gen.params).refs, keys.sort());
  assert.equal((await sql(`SELECT credits FROM users WHERE id = ${u.id}`))[0].credits, 7);

  // /gallery: a text-only image and the avatar's; "/gallery me" shows only the avatar's.
  await bot.send(u, '/image=flux=a plain landscape');
  await tg.waitFor(() => bot.callsTo(u.id).filter((c) => c.method === 'sendPhoto' && !c.failed).length >= 2, 20000);
  tg.reset();
  await bot.send(u, '/gallery');
  await waitText(u, /1\/2/);
  const gal = bot.callsTo(u.id).find((c) => c.method === 'sendMessage');
  const avatarButton = markup(gal).inline_keyboard.flat().find((b) => b.text === '👤 me');
  assert.ok(avatarButton, JSON.stringify(markup(gal)));
  tg.reset();
  await bot.send(u, '/gallery me');
  await waitText(u, /1\/1.*a portrait in oil/s);

  // /imagine offers the ready avatar as a button, with the avatar model's price.
  tg.reset();
  ai.reset();
  await bot.send(u, '/imagine me as an astronaut');
  await tg.waitFor(() => bot.callsTo(u.id).some((c) => c.method === 'sendMessage' && c.params.reply_markup), 20000);
  const choice = markup(bot.callsTo(u.id).find((c) => c.method === 'sendMessage' && c.params.reply_markup));
  const avatarChoice = choice.inline_keyboard.flat().find((b) => b.callback_data.startsWith(`genav:${row.id}:`));
  assert.equal(avatarChoice?.text, '👤 me · flux2 · 3 💎', JSON.stringify(choice));
  await bot.post(kit.callback(u, avatarChoice.callback_data));
  await tg.waitFor(() => bot.callsTo(u.id).some((c) => c.method === 'sendPhoto' && !c.failed), 20000);
  assert.equal(ai.calls.length, 1);
  assert.equal(ai.calls[0].fields.prompt, 'me as an astronaut');
  assert.equal(ai.calls[0].files.length, 4);
  assert.equal((await sql(`SELECT credits FROM users WHERE id = ${u.id}`))[0].credits, 3);

  // Deleted: photos and rows; the avatar can no longer be used.
  tg.reset();
  await bot.send(u, '/avatar delete me');
  await waitText(u, /Avatar <b>me<\/b> and its 4 photos are deleted/);
  assert.deepEqual(await r2Keys(`avatar/${u.id}/`), []);
  assert.equal((await sql(`SELECT COUNT(*) AS n FROM avatar_photos WHERE user_id = ${u.id}`))[0].n, 0);
  await bot.send(u, '/image=avatar:me=again');
  await waitText(u, /You have no avatar named <b>me<\/b>/);
});

test('avatar caps: a bad name, two avatars at most, one collecting at a time, 10 photos each, 13 a day (deleting does not reset it); another user cannot use my avatar', async () => {
  const u = bot.user(nextUser++);
  await bot.send(u, '/avatar new no spaces/allowed!');
  await waitText(u, /An avatar's name is 1 to 32 letters/);
  await newAvatar(u, 'first');
  await bot.send(u, '/avatar new second');
  await waitText(u, /<b>first<\/b> is still collecting photos/);
  for (let i = 0; i < 10; i++) await sendPhoto(u, i);
  // The tenth photo finishes it.
  await waitText(u, /Avatar <b>first<\/b> is ready \(10 photos\)/);
  await newAvatar(u, 'second');
  for (let i = 0; i < 3; i++) await sendPhoto(u, i);
  await waitText(u, /<b>second<\/b>: 3 photos of at most 10/);
  await bot.send(u, '/avatar done');
  await waitText(u, /Avatar <b>second<\/b> is ready \(3 photos\)/);
  await bot.send(u, '/avatar new third');
  await waitText(u, /You have 2 avatars, the most allowed/);
  // 13 photos today: the 14th is refused, and deleting an avatar does not give them back.
  await bot.send(u, '/avatar delete first');
  await waitText(u, /Avatar <b>first<\/b> and its 10 photos are deleted/);
  await newAvatar(u, 'third');
  await sendPhoto(u, 4);
  await waitText(u, /You added 13 avatar photos today, the most for a day/);
  assert.equal(await photoCount(u, 'third'), 0);

  await bot.send(u, '/avatar');
  await waitText(u, /Your avatars.*<b>second<\/b>: 3 photos\n.*<b>third<\/b>: 0 photos, collecting/s);

  // Another user: no avatar of that name, nothing charged, nothing asked of the model.
  const v = bot.user(nextUser++);
  await bot.give(v.id, 5);
  await bot.send(v, '/image=avatar:second=steal this face');
  await waitText(v, /You have no avatar named <b>second<\/b>/);
  assert.equal(ai.calls.length, 0);
  assert.equal((await sql(`SELECT COUNT(*) AS n FROM generations WHERE user_id = ${v.id}`))[0].n, 0);

  // /forget removes the avatar and its photos too.
  tg.reset();
  await bot.send(u, '/forget');
  await tg.waitFor(() => bot.callsTo(u.id).some((c) => c.method === 'sendMessage' && c.params.reply_markup), 20000);
  await bot.post(kit.callback(u, 'forget:yes'));
  await waitText(u, /Deleted: 0 files, 0 images, 3 photos/);
  assert.deepEqual(await r2Keys(`avatar/${u.id}/`), []);
  assert.equal((await sql(`SELECT COUNT(*) AS n FROM avatars WHERE user_id = ${u.id}`))[0].n, 0);
});

test('a photo that is not an image is refused and takes no place', async () => {
  const u = bot.user(nextUser++);
  await newAvatar(u, 'pets');
  const upd = kit.photoMessage(u, { document: kit.documentOf(Buffer.from('GIF89a not really'), 'image/gif', 'x.gif') });
  await bot.post(upd);
  await waitText(u, /That file is not a photo a model can use/);
  await sendPhoto(u, 1);
  await waitText(u, /<b>pets<\/b>: 1 photo of at most 10/);
  const rows = await sql(`SELECT n, stored FROM avatar_photos WHERE user_id = ${u.id}`);
  assert.deepEqual(rows.map((r) => [r.n, r.stored]), [[0, 1]]);
  await waitFor(async () => (await r2Keys(`avatar/${u.id}/`)).length === 1, { timeoutMs: 5000, what: 'one stored photo' });
});

// An avatar with `n` photos, made ready.
async function readyAvatar(u, name, n = 3) {
  await newAvatar(u, name);
  for (let i = 0; i < n; i++) await sendPhoto(u, i);
  await waitText(u, new RegExp(`<b>${name}</b>: ${n} photos of at most 10`));
  await bot.send(u, '/avatar done');
  await waitText(u, new RegExp(`Avatar <b>${name}</b> is ready`));
  return (await sql(`SELECT id FROM avatars WHERE user_id = ${u.id} AND name = '${name}'`))[0].id;
}
const credits = async (u) => (await sql(`SELECT credits FROM users WHERE id = ${u.id}`))[0].credits;
// /avatar train NAME: the price message and its button.
async function askTraining(u, name) {
  tg.reset();
  await bot.send(u, `/avatar train ${name}`);
  await waitText(u, new RegExp(`Train ${name}`));
  const ask = bot.callsTo(u.id).find((c) => c.method === 'sendMessage' && c.params.text.includes(`Train ${name}`));
  return { ask, button: markup(ask).inline_keyboard[0][0] };
}

test('a trained avatar: priced first, charged once however often it is tapped, trained from a ZIP of its photos, its LoRA stored by the webhook and drawn with; a failed training is refunded once and may be tried again', async () => {
  const u = bot.user(nextUser++);
  await bot.give(u.id, 20);
  const id = await readyAvatar(u, 'ann');

  // The price and the balance before anything is charged.
  const { ask, button } = await askTraining(u, 'ann');
  assert.match(ask.params.text, /from the avatar's 3 photos.*costs 5 credits \(your balance: 20\)/s);
  assert.equal(button.text, '🧠 Train for 5');
  assert.equal(button.callback_data, `avatar:train:${id}`);
  assert.equal(await credits(u), 20);
  assert.equal(fal.trainings().length, 0);

  // Two taps at once and a retried update: one training, charged once.
  fal.trainingMs = 2500;
  const tap = kit.callback(u, button.callback_data);
  await Promise.all([bot.post(tap), bot.post(kit.callback(u, button.callback_data))]);
  await bot.post(tap);
  await waitText(u, /You already have an active generation!/);
  await waitText(u, /Avatar <b>ann<\/b> is trained/);
  const [training] = fal.trainings();
  assert.equal(fal.trainings().length, 1);
  assert.equal(training.model, 'fal-ai/flux-lora-fast-training');
  assert.equal(training.input.trigger_word, 'ohwx');
  assert.deepEqual(training.zip.map((f) => [f.name, f.jpeg]), [['photo1.jpg', true], ['photo2.jpg', true], ['photo3.jpg', true]]);
  assert.equal(await credits(u), 15);
  const [av] = await sql(`SELECT lora_url, trigger FROM avatars WHERE id = ${id}`);
  assert.equal(av.lora_url, training && `https://v3.fal.media.test/files/${training.id}/pytorch_lora_weights.safetensors`);
  assert.equal(av.trigger, 'ohwx');
  const trainRows = await sql(`SELECT status, cost, r2_key FROM generations WHERE user_id = ${u.id} AND model = 'avatar-training'`);
  assert.deepEqual(trainRows, [{ status: 'completed', cost: 5, r2_key: null }]);
  await bot.send(u, '/avatar');
  await waitText(u, /<b>ann<\/b>: 3 photos, trained 🧠/);

  // Drawn with its LoRA: the LoRA model, the trigger word first, no photos sent.
  tg.reset();
  await bot.send(u, '/image=avatar:ann=at the beach');
  await tg.waitFor(() => bot.callsTo(u.id).some((c) => c.method === 'sendPhoto' && !c.failed), 20000);
  const drawn = fal.submitsOf(/at the beach/);
  assert.equal(drawn.length, 1);
  assert.equal(drawn[0].model, 'fal-ai/flux-lora');
  assert.equal(drawn[0].prompt, 'ohwx, at the beach');
  assert.deepEqual(drawn[0].input.loras, [{ path: av.lora_url, scale: 1 }]);
  assert.equal(drawn[0].input.image_urls, undefined);
  assert.equal(await credits(u), 13);
  // The gallery lists the drawing under the avatar, not the training.
  tg.reset();
  await bot.send(u, '/gallery ann');
  await waitText(u, /1\/1.*at the beach/s);

  // A failed training: refunded once, the avatar untrained, and it can be trained again.
  const v = bot.user(nextUser++);
  await bot.give(v.id, 6);
  const vid = await readyAvatar(v, 'bo', 4);
  fal.trainingFails = true;
  fal.trainingMs = 300;
  const second = await askTraining(v, 'bo');
  await bot.post(kit.callback(v, second.button.callback_data));
  await waitText(v, /Training <b>bo<\/b> did not succeed\..*5 credits were returned to your balance/s);
  assert.equal(await credits(v), 6);
  assert.equal((await sql(`SELECT lora_url FROM avatars WHERE id = ${vid}`))[0].lora_url, null);
  assert.equal((await sql(`SELECT COUNT(*) AS n FROM credit_ledger WHERE user_id = ${v.id} AND reason = 'refund'`))[0].n, 1);
  fal.trainingFails = false;
  const third = await askTraining(v, 'bo');
  await bot.post(kit.callback(v, third.button.callback_data));
  await waitText(v, /Avatar <b>bo<\/b> is trained/);
  assert.equal(await credits(v), 1);
  assert.deepEqual(fal.trainings().filter((r) => r.zip.length === 4).length, 2);

  // Not enough credits: refused before anything is asked of the provider.
  const before = fal.trainings().length;
  const third2 = await askTraining(v, 'bo');
  await bot.post(kit.callback(v, third2.button.callback_data));
  await waitText(v, /Not enough credits!.*avatar-training.*costs 5 credits, your balance is 1/s);
  assert.equal(fal.trainings().length, before);
  assert.equal(await credits(v), 1);
});
