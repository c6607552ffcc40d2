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
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { makePng } from './models.mjs';

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
    r.failed = marker(r.prompt, 'fal-fail') !== null;
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
      const n = (submitsPerPrompt.get(prompt) ?? 0) + 1;
      submitsPerPrompt.set(prompt, n);
      const call = { kind: 'submit', model, prompt, input, webhook: url.searchParams.get('fal_webhook'), n, at: Date.now() };
      calls.push(call);
      const fails = marker(prompt, 'fal-submit-500');
      if (fails !== null && n <= fails) return json(500, { detail: 'upstream unavailable' });
      const id = randomUUID();
      const app = appOf(model);
      const r = { id, model, prompt, input, webhook: call.webhook, at: Date.now(), done: false,
        statusUrl: `${base}/${app}/requests/${id}/status`, responseUrl: `${base}/${app}/requests/${id}` };
      call.id = id;
      requests.set(id, r);
      if (marker(prompt, 'fal-never') === null) {
        const t = setTimeout(() => { timers.delete(t); complete(r); }, marker(prompt, 'fal-ms') ?? 300);
        timers.add(t);
      }
      return json(200, { request_id: id, response_url: r.responseUrl, status_url: r.statusUrl, cancel_url: `${r.responseUrl}/cancel` });
    }
    return json(404, { detail: 'not found' });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  return {
    url: base,
    key,
    calls,
    hooks,
    requests,
    submitsOf: (re) => calls.filter((c) => c.kind === 'submit' && re.test(c.prompt)),
    requestOf: (re) => [...requests.values()].find((r) => re.test(r.prompt)),
    callsFor: (id) => calls.filter((c) => c.id === id),
    hookBody,
    async stop() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
}
