// A fake asynchronous model API in FAL's queue format, for the fal-queue provider's tests:
//   POST /{model id}[?fal_webhook=URL]      Authorization: Key KEY, JSON input
//        -> {request_id, status_url, response_url} (URLs under the app: its first two segments,
//           as FAL's are, so the Worker must follow them rather than rebuild them)
//   GET  /{app}/requests/{id}/status         -> {status: IN_QUEUE | IN_PROGRESS | COMPLETED}
//   GET  /{app}/requests/{id}                -> {images: [{url, width, height, content_type}],
//                                               has_nsfw_concepts, seed} | 422 {detail}
//   PUT  /{app}/requests/{id}/cancel         -> 202 {status: CANCELLATION_REQUESTED}
//   GET  /files/{id}.png                     -> the image (no key needed, as FAL's CDN)
//   and, when a request completes, POST fal_webhook {request_id, gateway_request_id, status:
//   "OK" | "ERROR", payload, error}; each delivery and the Worker's answer are recorded.
// Behaviour by markers in the prompt, so that tests side by side do not interfere:
//   [fal-ms:N]       completes N ms after the submit (default 300)
//   [fal-fail]       completes with an error (422 from the response, ERROR to the webhook)
//   [fal-nsfw]       completes with has_nsfw_concepts [true]
//   [fal-never]      never completes
//   [fal-nohook]     no webhook (the Worker must poll)
//   [fal-hookonly]   the status never says COMPLETED (only the webhook can tell)
//   [fal-race]       at completion the status turns COMPLETED and the webhook is posted twice at once
//   [fal-replay:N]   after the webhook, N more deliveries of the same body
//   [fal-submit-500:N]  the first N submits of this prompt answer 500
// A training model (its id holds "training", e.g. fal-ai/flux-lora-fast-training) takes
// {images_data_url: a data: URI of a ZIP, trigger_word, create_masks} and answers
// {diffusers_lora_file: {url, content_type, file_name, file_size}, config_file: {...}}. The ZIP is
// read as FAL would (end record, central directory, local headers); each request records the
// files it found (r.zip: [{name, size, jpeg}]) or why it is refused (422 at the submit). Its
// behaviour is set on the fake (trainingFails, trainingMs), there being no prompt to mark.
// A LoRA model is any other: its input's "loras" are recorded with the request.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { makePng } from './models.mjs';

// The files of a stored or deflated ZIP (names and sizes from the central directory; a stored
// file's first bytes checked for JPEG's SOI marker). Throws on anything that is not a ZIP.
export function readZip(buf) {
  let end = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { end = i; break; }
  }
  if (end < 0) throw new Error('no end of central directory record');
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const files = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry ${n}`);
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 24);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString();
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const data = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const jpeg = method === 0 && buf[data] === 0xff && buf[data + 1] === 0xd8;
    files.push({ name, size, jpeg });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

const marker = (prompt, name) => {
  const m = new RegExp(`\\[${name}(?::(\\d+))?\\]`).exec(prompt ?? '');
  return m ? Number(m[1] ?? 1) : null;
};

export async function startFakeFal({ key = 'test-fal-key-0123456789abcdef', rgb = [200, 80, 40] } = {}) {
  const calls = [];
  const requests = new Map(); // id -> request
  const hooks = [];           // {id, status, answer, body, at}
  const submitsPerPrompt = new Map();
  const timers = new Set();
  let base = '';
  const appOf = (model) => model.split('/').slice(0, 2).join('/');

  async function postHook(r, body) {
    const entry = { id: r.id, status: body.status, at: Date.now(), answer: null, text: null };
    hooks.push(entry);
    try {
      const res = await fetch(r.webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      entry.text = text;
      entry.answer = res.status; // last: a delivery with an answer has its text too
    } catch (err) {
      entry.answer = `error: ${err.message}`;
    }
    return entry;
  }

  function hookBody(r) {
    return r.failed
      ? { request_id: r.id, gateway_request_id: r.id, status: 'ERROR', payload: { detail: [{ msg: 'the model crashed' }] }, error: 'Internal error while generating' }
      : { request_id: r.id, gateway_request_id: r.id, status: 'OK', payload: resultOf(r), error: null };
  }

  function resultOf(r) {
    if (r.training) {
      return {
        diffusers_lora_file: { url: `https://v3.fal.media.test/files/${r.id}/pytorch_lora_weights.safetensors`, content_type: 'application/octet-stream', file_name: 'pytorch_lora_weights.safetensors', file_size: 89745224 },
        config_file: { url: `https://v3.fal.media.test/files/${r.id}/config.json`, content_type: 'application/octet-stream', file_name: 'config.json', file_size: 1234 },
      };
    }
    const size = r.input.image_size ?? { width: 64, height: 64 };
    return {
      images: [{ url: `${base}/files/${r.id}.png`, width: size.width, height: size.height, content_type: 'image/png' }],
      seed: r.input.seed ?? 42,
      has_nsfw_concepts: [marker(r.prompt, 'fal-nsfw') !== null],
      prompt: r.prompt,
    };
  }

  async function complete(r) {
    r.done = true;
    r.failed = marker(r.prompt, 'fal-fail') !== null || (r.training && fake.trainingFails);
    r.completedAt = Date.now();
    if (!r.webhook || marker(r.prompt, 'fal-nohook') !== null) return;
    const body = hookBody(r);
    if (marker(r.prompt, 'fal-race') !== null) {
      await Promise.all([postHook(r, body), postHook(r, body)]);
    } else {
      await postHook(r, body);
    }
    const replays = marker(r.prompt, 'fal-replay') ?? 0;
    for (let i = 0; i < replays; i++) await postHook(r, body);
  }

  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const text = Buffer.concat(chunks).toString();
    const url = new URL(req.url, 'http://fake');
    const json = (status, obj) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    const file = /^\/files\/([0-9a-f-]+)\.png$/.exec(url.pathname);
    if (file && req.method === 'GET') {
      const r = requests.get(file[1]);
      calls.push({ kind: 'file', id: file[1], at: Date.now(), auth: req.headers.authorization ?? null });
      if (!r) return json(404, { detail: 'not found' });
      const size = r.input.image_size ?? { width: 64, height: 64 };
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(makePng(size.width, size.height, rgb));
    }
    if (req.headers.authorization !== `Key ${key}`) {
      calls.push({ kind: 'unauthorized', path: url.pathname, at: Date.now() });
      return json(401, { detail: 'No user found for Key ID and Secret' });
    }
    const st = /^\/(.+)\/requests\/([0-9a-f-]+)(\/status)?$/.exec(url.pathname);
    if (st && req.method === 'GET') {
      const r = requests.get(st[2]);
      calls.push({ kind: st[3] ? 'status' : 'result', id: st[2], at: Date.now() });
      if (!r || st[1] !== appOf(r.model)) return json(404, { detail: 'Request not found' });
      if (st[3]) {
        const hookOnly = marker(r.prompt, 'fal-hookonly') !== null;
        const status = r.done && !hookOnly ? 'COMPLETED' : Date.now() - r.at < 100 ? 'IN_QUEUE' : 'IN_PROGRESS';
        return json(200, { status, request_id: r.id, response_url: r.responseUrl, status_url: r.statusUrl, ...(status === 'IN_QUEUE' ? { queue_position: 0 } : {}) });
      }
      if (!r.done) return json(400, { detail: 'Request is still in progress' });
      if (r.failed) return json(422, { detail: [{ msg: 'the model crashed', type: 'internal_error' }] });
      return json(200, resultOf(r));
    }
    const cancel = /^\/(.+)\/requests\/([0-9a-f-]+)\/cancel$/.exec(url.pathname);
    if (cancel && req.method === 'PUT') {
      const r = requests.get(cancel[2]);
      calls.push({ kind: 'cancel', id: cancel[2], at: Date.now() });
      if (!r || cancel[1] !== appOf(r.model)) return json(404, { detail: 'Request not found' });
      if (r.done) return json(400, { status: 'ALREADY_COMPLETED' });
      r.cancelled = true;
      return json(202, { status: 'CANCELLATION_REQUESTED' });
    }
    if (req.method === 'POST' && !url.pathname.includes('/requests/')) {
      const model = url.pathname.slice(1);
      let input;
      try { input = JSON.parse(text); } catch { return json(422, { detail: 'body is not JSON' }); }
      const prompt = input.prompt ?? '';
      const training = model.includes('training');
      let zip = null;
      if (training) {
        const m = /^data:application\/zip;base64,(.*)$/s.exec(input.images_data_url ?? '');
        try {
          if (!m) throw new Error('images_data_url is not a zip data URI');
          zip = readZip(Buffer.from(m[1], 'base64'));
        } catch (err) {
          calls.push({ kind: 'submit', model, prompt, input, refused: err.message, at: Date.now() });
          return json(422, { detail: [{ msg: err.message }] });
        }
      }
      const n = (submitsPerPrompt.get(prompt) ?? 0) + 1;
      submitsPerPrompt.set(prompt, n);
      const call = { kind: 'submit', model, prompt, input, webhook: url.searchParams.get('fal_webhook'), n, at: Date.now() };
      calls.push(call);
      const fails = marker(prompt, 'fal-submit-500');
      if (fails !== null && n <= fails) return json(500, { detail: 'upstream unavailable' });
      const id = randomUUID();
      const app = appOf(model);
      const r = { id, model, prompt, input, training, zip, loras: input.loras ?? null, webhook: call.webhook, at: Date.now(), done: false,
        statusUrl: `${base}/${app}/requests/${id}/status`, responseUrl: `${base}/${app}/requests/${id}` };
      call.id = id;
      requests.set(id, r);
      if (marker(prompt, 'fal-never') === null) {
        const t = setTimeout(() => { timers.delete(t); complete(r); }, training ? fake.trainingMs : marker(prompt, 'fal-ms') ?? 300);
        timers.add(t);
      }
      return json(200, { request_id: id, response_url: r.responseUrl, status_url: r.statusUrl, cancel_url: `${r.responseUrl}/cancel` });
    }
    return json(404, { detail: 'not found' });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  const fake = {
    url: base,
    key,
    calls,
    hooks,
    requests,
    submitsOf: (re) => calls.filter((c) => c.kind === 'submit' && re.test(c.prompt)),
    requestOf: (re) => [...requests.values()].find((r) => re.test(r.prompt)),
    callsFor: (id) => calls.filter((c) => c.id === id),
    hookBody,
    trainingFails: false,
    trainingMs: 300,
    trainings: () => [...requests.values()].filter((r) => r.training),
    async stop() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
  return fake;
}
