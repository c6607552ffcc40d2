// Fake image model workers and an OpenAI-compatible chat endpoint for tests and the benchmark, in
// the formats of ../shared/seeds/image-generation-architecture.en.md:
//   GET  /flux?prompt=...&steps=...                 Flux-style worker, no auth -> PNG bytes
//   POST /sdxl {prompt, negative_prompt, width, height, num_steps, seed} with Bearer key -> PNG
//   POST /v1/chat/completions                       prompt enhancer (OpenAI chat format)
//   POST /llm/v1/chat/completions                   thumbnail analysis (OpenAI chat format): a
//                                                   JSON object {category, style, mood, colors}
// Behaviour is chosen by markers in the prompt, so tests running side by side do not interfere:
//   [slow:MS]  answer after MS ms          [fail:N]  the first N calls answer 500
//   [429:N]    the first N calls answer 429 with Retry-After: 1
//   [moderate] 400 {"error": "NSFW content detected", "moderation": true}
//   [bad]      400 {"error": "invalid parameters"} (not retried)
//   [enhance-fail] / [enhance-slow:MS] / [enhance-junk]  for the chat endpoint
//   [llm-fail] 500 / [llm-slow:MS] / [llm-junk] prose, not JSON / [llm-invalid] an unknown category
//   / [llm:CATEGORY] that category; without one the answer is invalid too (so titles without
//   markers keep the rules' analysis)  for the analysis endpoint
// Image workers answer a solid PNG in `rgb`, at the width and height asked (else the default).
import { createServer } from 'node:http';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
// A small solid-colour PNG: real enough for Telegram's (fake) photo checks.
export function makePng(width = 64, height = 64, rgb = [40, 120, 200]) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2;
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const marker = (prompt, name) => {
  const m = new RegExp(`\\[${name}(?::(\\d+))?\\]`).exec(prompt ?? '');
  return m ? Number(m[1] ?? 1) : null;
};

export async function startFakeModels({ latencyMs = 0, apiKey = 'test-model-key-0123456789', width = 64, height = 64, rgb = [40, 120, 200] } = {}) {
  const calls = [];
  const perPrompt = new Map(); // prompt -> calls so far
  const png = makePng(width, height, rgb);
  const sized = new Map(); // "WxH" -> PNG
  const pngOf = (w, h) => {
    if (!(w > 0 && h > 0 && w <= 2048 && h <= 2048)) return png;
    const key = `${w}x${h}`;
    if (!sized.has(key)) sized.set(key, makePng(w, h, rgb));
    return sized.get(key);
  };
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString();
    const url = new URL(req.url, 'http://fake');
    const json = (status, obj, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(obj));
    };
    if (url.pathname === '/v1/chat/completions') {
      const p = JSON.parse(body || '{}');
      const user = p.messages?.find((m) => m.role === 'user')?.content ?? '';
      calls.push({ path: url.pathname, prompt: user, auth: req.headers.authorization ?? null, at: Date.now() });
      if (marker(user, 'enhance-fail') !== null) return json(500, { error: { message: 'upstream failed' } });
      const slow = marker(user, 'enhance-slow');
      if (slow !== null) await sleep(slow);
      const content = marker(user, 'enhance-junk') !== null ? '```\n\n```'
        : `\`\`\`\nPrompt: "A vivid, detailed painting of ${user}, golden hour light"\n\`\`\``;
      return json(200, { id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });
    }
    if (url.pathname === '/llm/v1/chat/completions') {
      const p = JSON.parse(body || '{}');
      const user = p.messages?.find((m) => m.role === 'user')?.content ?? '';
      calls.push({ path: url.pathname, prompt: user, auth: req.headers.authorization ?? null, at: Date.now() });
      if (marker(user, 'llm-fail') !== null) return json(500, { error: { message: 'upstream failed' } });
      const slow = marker(user, 'llm-slow');
      if (slow !== null) await sleep(slow);
      const cat = /\[llm:([a-z]+)\]/.exec(user)?.[1];
      const content = marker(user, 'llm-junk') !== null ? 'This title is about travel, I think.'
        : marker(user, 'llm-invalid') !== null || !cat ? JSON.stringify({ category: 'food', style: 'bold', mood: 'calm' })
        : '```json\n' + JSON.stringify({ category: cat, style: 'minimal', mood: 'calm', colors: ['#2080ff'] }) + '\n```';
      return json(200, { id: 'chatcmpl-2', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });
    }
    let prompt;
    let params;
    if (url.pathname === '/flux' && req.method === 'GET') {
      prompt = url.searchParams.get('prompt');
      params = Object.fromEntries(url.searchParams);
    } else if (url.pathname === '/sdxl' && req.method === 'POST') {
      if (req.headers.authorization !== `Bearer ${apiKey}`) return json(401, { error: 'unauthorized' });
      params = JSON.parse(body || '{}');
      prompt = params.prompt;
    } else {
      return json(404, { error: 'not found' });
    }
    const n = (perPrompt.get(prompt) ?? 0) + 1;
    perPrompt.set(prompt, n);
    const call = { path: url.pathname, prompt, params, n, at: Date.now() };
    calls.push(call);
    const slow = marker(prompt, 'slow');
    await sleep(slow ?? latencyMs);
    call.doneAt = Date.now();
    if (marker(prompt, 'moderate') !== null) return json(400, { error: 'NSFW content detected', moderation: true });
    if (marker(prompt, 'bad') !== null) return json(400, { error: 'invalid parameters' });
    const fails = marker(prompt, 'fail');
    if (fails !== null && n <= fails) return json(500, { error: 'internal error' });
    const limited = marker(prompt, '429');
    if (limited !== null && n <= limited) return json(429, { error: 'rate limited' }, { 'retry-after': '1' });
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(pngOf(Number(params.width), Number(params.height)));
  });
  // Slow answers must not be cut by Node's own timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    png,
    callsFor: (prompt) => calls.filter((c) => c.prompt === prompt),
    async stop() {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
}
