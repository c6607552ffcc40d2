// A local fake of the Telegram Bot API (https://core.telegram.org/bots/api) for tests: the same
// URL shapes (/bot<token>/<method>, /file/bot<token>/<path>), JSON and multipart/form-data
// requests, {"ok":..., "result"|"error_code"/"description"/"parameters"} answers, and the failures
// tests inject (429 with retry_after, 5xx, 400 for photos Telegram would refuse).
import { createServer } from 'node:http';

function parseMultipart(buf, contentType) {
  const m = /boundary=("?)([^";]+)\1/.exec(contentType);
  if (!m) throw new Error('multipart without boundary');
  const delim = Buffer.from(`--${m[2]}`);
  const fields = {};
  const files = {};
  let pos = buf.indexOf(delim);
  while (pos !== -1) {
    const start = pos + delim.length;
    if (buf.slice(start, start + 2).toString() === '--') break;
    const headEnd = buf.indexOf('\r\n\r\n', start);
    const next = buf.indexOf(delim, headEnd);
    if (headEnd === -1 || next === -1) throw new Error('malformed multipart body');
    const head = buf.slice(start + 2, headEnd).toString();
    const data = buf.slice(headEnd + 4, next - 2);
    const name = /name="([^"]*)"/.exec(head)?.[1];
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
    if (filename !== undefined) files[name] = { filename, contentType: type, bytes: data };
    else fields[name] = data.toString();
    pos = next;
  }
  return { fields, files };
}

// Width and height of a PNG (IHDR) or baseline/progressive JPEG (SOFn marker), else null.
function imageSize(bytes) {
  if (!bytes || bytes.length < 24) return null;
  if (bytes.readUInt32BE(0) === 0x89504e47) return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let pos = 2;
  while (pos + 9 < bytes.length && bytes[pos] === 0xff) {
    const marker = bytes[pos + 1];
    const len = bytes.readUInt16BE(pos + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(pos + 5), width: bytes.readUInt16BE(pos + 7) };
    }
    pos += 2 + len;
  }
  return null;
}

// Telegram's parse_mode HTML (https://core.telegram.org/bots/api#html-style): only these tags,
// properly nested; every other <, > and & escaped as &lt; &gt; &amp; (or &quot; / numeric
// entities). Anything else is refused with "can't parse entities", as the real API does. Stricter
// than Telegram for the bot's own sake: bidi controls never inside a tag, isolates balanced.
const HTML_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span',
  'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);
export function htmlProblem(text) {
  const open = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '&') {
      const m = /^&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});/.exec(text.slice(i, i + 12));
      if (!m) return `Unsupported start tag or entity at byte offset ${i}`;
      i += m[0].length - 1;
    } else if (ch === '>') {
      // Telegram tolerates a bare '>', but the bot escapes it everywhere; keep it strict.
      return `Unexpected end of tag at byte offset ${i}`;
    } else if (ch === '<') {
      const m = /^<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*>/.exec(text.slice(i));
      if (!m || !HTML_TAGS.has(m[2])) return `Unsupported start tag "${text.slice(i, i + 12)}" at byte offset ${i}`;
      // Strict: a bidi control inside a tag would end up in an attribute (a link that goes nowhere).
      if (/[\u2066-\u2069\u200e\u200f]/.test(m[0])) return `Bidi control inside the tag at byte offset ${i}`;
      if (m[1]) {
        if (open.pop() !== m[2]) return `Unmatched end tag "${m[2]}" at byte offset ${i}`;
      } else {
        open.push(m[2]);
      }
      i += m[0].length - 1;
    }
  }
  if (open.length) return `Can't find end tag corresponding to start tag "${open.at(-1)}"`;
  // Strict: every isolate (U+2066-U+2068) is closed by a U+2069 in the same text, never before
  // it opens, so an isolated value cannot swallow the rest of the message.
  let depth = 0;
  for (const ch of text) {
    if (ch >= '\u2066' && ch <= '\u2068') depth++;
    else if (ch === '\u2069' && --depth < 0) return 'Unbalanced bidi isolate (U+2069 without an opener)';
  }
  return depth ? 'Unbalanced bidi isolate (not closed)' : null;
}

export async function startFakeTelegram({ token }) {
  const calls = [];
  const failures = new Map(); // method -> [{status, body}]
  const files = new Map(); // file_id -> {path, bytes}
  let nextMessageId = 1000;
  const waiters = [];
  const holds = []; // {method, pred, arrived}: requests taken without an answer

  const notify = () => {
    for (const w of [...waiters]) {
      if (w.pred(calls)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };

  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const send = (status, obj, raw) => {
      res.writeHead(status, { 'content-type': raw ? 'application/octet-stream' : 'application/json' });
      res.end(raw ?? JSON.stringify(obj));
    };
    const url = new URL(req.url, 'http://fake');
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch) {
      if (fileMatch[1] !== token) return send(401, { ok: false, error_code: 401, description: 'Unauthorized' });
      const f = [...files.values()].find((x) => x.path === fileMatch[2]);
      return f ? send(200, null, f.bytes) : send(404, { ok: false, error_code: 404, description: 'Not Found' });
    }
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    if (!m) return send(404, { ok: false, error_code: 404, description: 'Not Found' });
    if (m[1] !== token) return send(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = m[2];
    let params = {};
    let upload = {};
    try {
      const ct = req.headers['content-type'] ?? '';
      if (ct.startsWith('multipart/form-data')) {
        const p = parseMultipart(body, ct);
        params = p.fields;
        upload = p.files;
      } else if (body.length) {
        params = JSON.parse(body.toString());
      }
    } catch (err) {
      return send(400, { ok: false, error_code: 400, description: `Bad Request: ${err.message}` });
    }
    const call = { method, params, files: upload, at: Date.now() };
    const held = holds.findIndex((h) => h.method === method && h.pred(params));
    if (held >= 0) {
      // Telegram took the request (it counts as delivered) but its answer never comes back.
      const h = holds.splice(held, 1)[0];
      calls.push(call);
      notify();
      h.arrived(call);
      return;
    }
    if (params.parse_mode === 'HTML') {
      const problem = htmlProblem(String(params.text ?? params.caption ?? ''));
      if (problem) {
        calls.push({ ...call, failed: 400, problem });
        notify();
        return send(400, { ok: false, error_code: 400, description: `Bad Request: can't parse entities: ${problem}` });
      }
    }
    const queued = failures.get(method);
    if (queued?.length) {
      const f = queued.shift();
      call.failed = f.status;
      calls.push(call);
      notify();
      return send(f.status, f.body);
    }
    let result = true;
    const chatId = Number(params.chat_id);
    const message = (extra) => ({ message_id: nextMessageId++, date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private' }, ...extra });
    switch (method) {
      case 'sendMessage':
        result = message({ text: params.text });
        break;
      case 'editMessageText':
        result = message({ text: params.text, message_id: Number(params.message_id) });
        break;
      case 'sendPhoto': {
        const size = imageSize(upload.photo?.bytes);
        if (!size) return send(400, { ok: false, error_code: 400, description: 'Bad Request: IMAGE_PROCESS_FAILED' });
        // Telegram's documented photo limits: width + height <= 10000, ratio <= 20.
        const ratio = Math.max(size.width, size.height) / Math.min(size.width, size.height);
        if (size.width + size.height > 10000 || ratio > 20) {
          calls.push({ ...call, failed: 400 });
          notify();
          return send(400, { ok: false, error_code: 400, description: 'Bad Request: PHOTO_INVALID_DIMENSIONS' });
        }
        // As on Telegram, a photo the bot sent can be downloaded again by its file_id (a user
        // replying to it hands the bot that id).
        const fileId = `photo-${nextMessageId}`;
        files.set(fileId, { path: `photos/${fileId}.png`, bytes: Buffer.from(upload.photo.bytes) });
        result = message({ photo: [{ file_id: fileId, file_size: upload.photo.bytes.length, ...size }], caption: params.caption });
        break;
      }
      case 'sendDocument':
        result = message({ document: { file_id: `doc-${nextMessageId}`, file_name: upload.document?.filename } });
        break;
      case 'sendMediaGroup': {
        // https://core.telegram.org/bots/api#sendmediagroup: `media` is a JSON array of 2-10
        // InputMedia; a photo's `media` is a file_id, an http(s) URL or attach://<name> naming a
        // multipart part of the same request; captions up to 1024 characters (HTML checked).
        const refuse = (description) => {
          calls.push({ ...call, failed: 400, problem: description });
          notify();
          return send(400, { ok: false, error_code: 400, description: `Bad Request: ${description}` });
        };
        let media;
        try { media = JSON.parse(params.media ?? ''); } catch { return refuse('can\'t parse media JSON object'); }
        if (!Array.isArray(media) || media.length < 2 || media.length > 10) return refuse('wrong number of media in the album (2-10)');
        const messages = [];
        const groupId = `group-${nextMessageId}`;
        for (const item of media) {
          if (item?.type !== 'photo') return refuse(`unsupported media type ${item?.type}`);
          if (typeof item.media !== 'string' || !item.media) return refuse('media not found');
          let bytes;
          const attach = /^attach:\/\/(.+)$/.exec(item.media);
          if (attach) {
            bytes = upload[attach[1]]?.bytes;
            if (!bytes) return refuse(`file attach://${attach[1]} not found in the request`);
          } else if (!/^https?:\/\//.test(item.media)) {
            bytes = files.get(item.media)?.bytes;
            if (!bytes) return refuse('wrong file identifier/HTTP URL specified');
          }
          if (item.caption !== undefined) {
            if ([...String(item.caption)].length > 1024) return refuse('message caption is too long');
            if (item.parse_mode === 'HTML') {
              const problem = htmlProblem(String(item.caption));
              if (problem) return refuse(`can't parse entities: ${problem}`);
            }
          }
          const size = bytes ? imageSize(bytes) : { width: 512, height: 512 };
          if (!size) return refuse('IMAGE_PROCESS_FAILED');
          const fileId = `photo-${nextMessageId}`;
          if (bytes) files.set(fileId, { path: `photos/${fileId}.png`, bytes: Buffer.from(bytes) });
          messages.push(message({ media_group_id: groupId, photo: [{ file_id: fileId, file_size: bytes?.length ?? 0, ...size }],
            ...(item.caption !== undefined ? { caption: item.caption } : {}) }));
        }
        result = messages;
        break;
      }
      case 'getFile': {
        const f = files.get(params.file_id);
        if (!f) return send(400, { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' });
        result = { file_id: params.file_id, file_unique_id: `u-${params.file_id}`, file_size: f.bytes.length, file_path: f.path };
        break;
      }
      default:
        result = true;
    }
    call.result = result;
    calls.push(call);
    notify();
    send(200, { ok: true, result });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    // Makes the next `count` calls of `method` fail with Telegram's error shapes.
    failNext(method, kind, count = 1) {
      const body = kind === 429
        ? { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } } }
        : { status: kind, body: { ok: false, error_code: kind, description: kind >= 500 ? 'Internal Server Error' : 'Bad Request' } };
      const q = failures.get(method) ?? [];
      for (let i = 0; i < count; i++) q.push(body);
      failures.set(method, q);
    },
    // The next `method` call whose params match `pred` is recorded as delivered, and its answer is
    // never sent (as when the caller dies mid-request). Resolves with the call when it arrives.
    holdNext(method, pred = () => true) {
      return new Promise((arrived) => holds.push({ method, pred, arrived }));
    },
    addFile(fileId, path, bytes) {
      files.set(fileId, { path, bytes: Buffer.from(bytes) });
    },
    // Resolves when pred(calls) is true (checked after every call), or rejects after timeoutMs.
    waitFor(pred, timeoutMs = 10000) {
      if (pred(calls)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`fake Telegram: condition not met in ${timeoutMs} ms; calls: ${JSON.stringify(calls.map((c) => c.method))}`));
          }
        }, timeoutMs);
      });
    },
    reset() {
      calls.length = 0;
      failures.clear();
      holds.length = 0;
    },
    async stop() {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
}
