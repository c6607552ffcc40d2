// What an anonymous client can make the Worker spend (issue 20), tried from outside against the
// real Worker in local workerd: endless and oversize bodies stop at the route's cap, a forged
// Telegram request is refused before its body is read, /metrics and placeholder keys are closed,
// the public routes have a per-client limit, and the worst allowed inputs stay within a memory
// budget that /healthz reports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import sharp from 'sharp';
import { startWorker, TEST_SECRETS } from './harness.mjs';

const PER_MINUTE = 5;
let w; // public limit PER_MINUTE, RENDER_API_KEY a placeholder, no METRICS_TOKEN
let open; // shipped settings apart from an unlimited public limit: the memory cases
// Bodies left unfinished: after one is cut, wrangler dev's local proxy fails the next large
// request on that Worker with its own 503 ("restarted mid-request"; small ones pass), so these
// run on Workers of their own.
let streams;
let streams2;

before(async () => {
  [w, open, streams, streams2] = await Promise.all([
    startWorker({ publicLimit: PER_MINUTE, vars: { RENDER_API_KEY: 'changeme', METRICS_TOKEN: '' } }),
    startWorker({ vars: { METRICS_TOKEN: 'metrics-token-for-tests-0123' } }),
    startWorker({}),
    startWorker({}),
  ]);
});
after(async () => {
  await w?.stop();
  await open?.stop();
  await streams?.stop();
  await streams2?.stop();
});

// Posts `bytes` of a chunked body and then holds the request open without ending it, as a client
// whose body never ends would: a Worker that waits for the whole body never answers (the test
// times out), one that stops at the cap answers at once. Resolves with the status and text.
function postOpenEnded(url, bytes, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode, body: text });
      });
    });
    req.on('error', reject);
    req.setTimeout(30000, () => req.destroy(new Error('no answer in 30 s: the Worker waited for the body to end')));
    req.write(Buffer.alloc(bytes, 0x20));
  });
}

test('an endless chunked body is cut at the route\'s cap with 413', async () => {
  const r = await postOpenEnded(`${streams.url}/render`, 600 * 1024, { 'content-type': 'application/json' });
  assert.equal(r.status, 413);
  assert.match(r.body, /at most 524288 bytes for \/render/);
});

test('a Telegram request with a wrong secret is refused without reading its (endless) body', async () => {
  const r = await postOpenEnded(`${streams2.url}/telegram`, 64 * 1024, { 'x-telegram-bot-api-secret-token': 'not-the-secret-at-all' });
  assert.equal(r.status, 401);
  assert.match(r.body, /unauthorized/);
});

test('/metrics answers 503 naming METRICS_TOKEN when it is unset; with it, 401 without the token', async () => {
  const r = await fetch(`${w.url}/metrics`);
  assert.equal(r.status, 503);
  assert.match((await r.json()).error, /METRICS_TOKEN is not set/);
  const anon = await fetch(`${open.url}/metrics`);
  assert.equal(anon.status, 401);
  const authed = await fetch(`${open.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-for-tests-0123' } });
  assert.equal(authed.status, 200);
});

test('a placeholder RENDER_API_KEY closes POST /render (503 naming it) instead of guarding it', async () => {
  const r = await fetch(`${w.url}/render`, { method: 'POST', headers: { authorization: 'Bearer changeme' }, body: '{"code":"x = 1"}' });
  assert.equal(r.status, 503);
  assert.match((await r.json()).error, /RENDER_API_KEY is a placeholder/);
});

test('the public routes have a per-client limit: 429 with Retry-After past it', async () => {
  const statuses = [];
  for (let i = 0; i < PER_MINUTE + 2; i++) {
    const r = await fetch(`${w.url}/generations/999999`);
    await r.arrayBuffer();
    statuses.push(r.status);
    if (r.status === 429) {
      assert.equal(r.headers.get('retry-after'), '60');
    }
  }
  assert.deepEqual(statuses.slice(0, PER_MINUTE).filter((s) => s === 429), []);
  assert.equal(statuses.at(-1), 429);
  // Another route has its own count; Telegram's webhook has none (its secret guards it).
  const render = await fetch(`${w.url}/render`, { method: 'POST', body: '{"code":"x"}' });
  assert.notEqual(render.status, 429);
});

async function thumbnail(url, image) {
  const body = JSON.stringify({ title: 'Memory budget', algorithm: 'premium', background: image.toString('base64') });
  const r = await fetch(`${url}/thumbnail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: r.status, body: Buffer.from(await r.arrayBuffer()) };
}
// A smooth gradient: compresses well, decodes to its full size.
function gradient(width, height) {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      px[i] = (x * 255 / width) | 0;
      px[i + 1] = (y * 255 / height) | 0;
      px[i + 2] = 128;
    }
  }
  return sharp(px, { raw: { width, height, channels: 3 } });
}

test('decoders refuse from the header an image whose decode would pass 48 MB', async () => {
  const big = await gradient(4096, 4096).jpeg({ progressive: true, quality: 60 }).toBuffer();
  const r = await thumbnail(open.url, big);
  assert.equal(r.status, 400);
  assert.match(JSON.parse(r.body).error, /would need \d+ MB to decode; at most 48 MB/);
});

test('the worst allowed input of every route keeps each module under 64 MB of wasm memory', async () => {
  // /render: the largest image the caps allow.
  const line = 'x = "' + 'a'.repeat(240) + '"  # ' + 'é'.repeat(4);
  // 1,000 lines of 250 characters: just under the 48-megapixel image cap.
  const code = Array.from({ length: 1000 }, () => line).join('\n');
  const r = await fetch(`${open.url}/render`, { method: 'POST', body: JSON.stringify({ code, filename: 'big.py' }) });
  assert.equal(r.status, 200, await r.clone().text());
  await r.arrayBuffer();
  // /thumbnail: the largest backgrounds the budget lets through, progressive and baseline JPEG, PNG.
  for (const img of [
    await gradient(1600, 1600).jpeg({ progressive: true }).toBuffer(),
    await gradient(2200, 2000).jpeg().toBuffer(),
    await gradient(3000, 3000).png({ compressionLevel: 9 }).toBuffer(),
  ]) {
    const t = await thumbnail(open.url, img);
    assert.equal(t.status, 200, t.body.toString().slice(0, 200));
  }
  // /telegram: the largest update (1 MB of text in one message).
  const text = 'a'.repeat(1000 * 1000);
  const u = await fetch(`${open.url}/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TEST_SECRETS.WEBHOOK_SECRET },
    body: JSON.stringify({ update_id: 1, message: { message_id: 1, date: 1, chat: { id: 5, type: 'private' }, from: { id: 5, is_bot: false, first_name: 'M' }, text } }),
  });
  assert.equal(u.status, 200);
  const health = await (await fetch(`${open.url}/healthz`)).json();
  const peaks = Object.fromEntries(Object.entries(health.memory).map(([n, m]) => [n, m.peak_bytes]));
  console.log(`# peak wasm memory by module: ${JSON.stringify(peaks)}`);
  assert.ok(peaks.render > 0 && peaks.webhook > 0, JSON.stringify(peaks));
  for (const [name, bytes] of Object.entries(peaks)) {
    assert.ok(bytes < 64 * 1024 * 1024, `${name}: ${bytes} bytes`);
  }
});
