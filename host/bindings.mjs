// The asynchronous imports, as Worker bindings: each takes the request JSON and body bytes and
// returns [reply JSON, reply bytes]. Errors thrown here reach C++ as {"error": message}.

function pickMeta(meta) {
  return meta ? { changes: meta.changes ?? 0, last_row_id: meta.last_row_id ?? null } : {};
}

async function readAll(x) {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  return new Uint8Array(await new Response(x).arrayBuffer());
}

// Tests only (diagnostics on, AI_FAKE_URL set, no real AI binding): an object with the binding's
// run(model, inputs) that forwards each call to a local fake server (tests/fakes/workers_ai.mjs),
// so the request formats the guest builds are checked through the real host and Worker. The
// fake answers as the binding does: JSON (returned as an object) or image bytes (a stream).
function fakeAiBinding(env) {
  if (env.ENABLE_DIAGNOSTICS !== 'true' || !env.AI_FAKE_URL) return null;
  return {
    async run(model, inputs) {
      const url = `${env.AI_FAKE_URL}/ai/run/${model}`;
      const init = inputs?.multipart
        ? { method: 'POST', body: inputs.multipart.body, headers: { 'content-type': inputs.multipart.contentType }, duplex: 'half' }
        : { method: 'POST', body: JSON.stringify(inputs), headers: { 'content-type': 'application/json' } };
      const res = await fetch(url, init);
      if (!res.ok) throw new Error(`AiError: ${res.status}: ${await res.text()}`);
      if ((res.headers.get('content-type') ?? '').startsWith('image/')) return res.body;
      return res.json();
    },
  };
}

// multipart requests (flux-2): {"multipart": {text fields}, "files": [{"name","type","size"}]}
// + the files' bytes one after another -> the binding's {multipart: {body, contentType}} input.
function multipartInput(req, body) {
  const form = new FormData();
  for (const [k, v] of Object.entries(req.multipart)) form.append(k, String(v));
  let at = 0;
  for (const f of req.files ?? []) {
    const bytes = body.subarray(at, at + f.size);
    at += f.size;
    form.append(f.name, new Blob([bytes], { type: f.type }), f.name);
  }
  const r = new Response(form);
  return { multipart: { body: r.body, contentType: r.headers.get('content-type') } };
}

export function workerBindings(env) {
  return {
    // Not an import: the loader of static asset files (host_abi.h host_asset), from the ASSETS
    // binding (wrangler.toml [assets]). name -> bytes, or null when there is no such file;
    // `timing` gets how long the response's head (fetch_ms) and its body (body_ms) took.
    async asset(name, timing = {}) {
      if (!env.ASSETS) return null;
      const t0 = Date.now();
      const res = await env.ASSETS.fetch(new Request(`https://assets.local/${name}`));
      timing.fetch_ms = Date.now() - t0;
      if (!res.ok) {
        await res.body?.cancel();
        return null;
      }
      const t1 = Date.now();
      const bytes = new Uint8Array(await res.arrayBuffer());
      timing.body_ms = Date.now() - t1;
      return bytes;
    },
    async d1(req) {
      if (!env.DB) throw new Error('D1 binding DB is not configured');
      // A read the guest marked as fine from a replica runs in a D1 session (Sessions API).
      const db = req.session && typeof env.DB.withSession === 'function' ? env.DB.withSession(req.session) : env.DB;
      const prep = (s) => db.prepare(s.sql).bind(...(s.params ?? []));
      switch (req.op) {
        case 'batch': {
          const res = await db.batch(req.statements.map(prep));
          return [{ results: res.map((r) => ({ results: r.results ?? [], meta: pickMeta(r.meta) })) }];
        }
        case 'first':
          return [{ row: (await prep(req).first()) ?? null }];
        case 'run':
          return [{ meta: pickMeta((await prep(req).run()).meta) }];
        case 'all': {
          const r = await prep(req).all();
          return [{ results: r.results ?? [], meta: pickMeta(r.meta) }];
        }
        default:
          throw new Error(`unknown d1 op ${req.op}`);
      }
    },

    async r2(req, body) {
      const b = env.BUCKET;
      if (!b) throw new Error('R2 binding BUCKET is not configured');
      switch (req.op) {
        case 'put': {
          const o = await b.put(req.key, body, {
            httpMetadata: req.content_type ? { contentType: req.content_type } : undefined,
            customMetadata: req.metadata ?? undefined,
          });
          return [{ key: o.key, size: o.size, etag: o.etag }];
        }
        case 'get': {
          const o = await b.get(req.key);
          if (!o) return [{ found: false }];
          const bytes = new Uint8Array(await o.arrayBuffer());
          return [{
            found: true, key: o.key, size: o.size, content_type: o.httpMetadata?.contentType ?? null,
            metadata: o.customMetadata ?? {}, uploaded_ms: o.uploaded.getTime(),
          }, bytes];
        }
        case 'delete':
          await b.delete(req.keys ?? [req.key]);
          return [{ deleted: (req.keys ?? [req.key]).length }];
        case 'list': {
          const l = await b.list({
            prefix: req.prefix, cursor: req.cursor || undefined, limit: req.limit ?? 100,
            include: ['customMetadata', 'httpMetadata'],
          });
          return [{
            objects: l.objects.map((o) => ({
              key: o.key, size: o.size, uploaded_ms: o.uploaded.getTime(), metadata: o.customMetadata ?? {},
            })),
            truncated: l.truncated, cursor: l.truncated ? l.cursor : null,
          }];
        }
        default:
          throw new Error(`unknown r2 op ${req.op}`);
      }
    },

    async fetch(req, body) {
      let res;
      try {
        res = await fetch(req.url, {
          method: req.method ?? 'GET',
          headers: req.headers ?? {},
          body: body.length ? body : undefined,
          signal: AbortSignal.timeout(req.timeout_ms ?? 30000),
        });
      } catch (err) {
        const timedOut = err?.name === 'TimeoutError' || err?.name === 'AbortError';
        return [{ error: timedOut ? 'timeout' : `network: ${err?.message ?? err}`, timeout: timedOut }];
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      return [{ status: res.status, headers: Object.fromEntries(res.headers) }, bytes];
    },

    async do_fetch(req, body) {
      const ns = env[req.binding];
      if (!ns) throw new Error(`Durable Object binding ${req.binding} is not configured`);
      const stub = ns.get(ns.idFromName(req.name));
      const res = await stub.fetch(`https://do.internal${req.path}`, {
        method: req.method ?? 'POST',
        headers: { ...(req.headers ?? {}), 'x-object-name': req.name },
        body: body.length ? body : undefined,
      });
      const bytes = new Uint8Array(await res.arrayBuffer());
      return [{ status: res.status, headers: Object.fromEntries(res.headers) }, bytes];
    },

    async storage(req, _body, ctx) {
      const storage = ctx?.state?.storage;
      if (!storage) throw new Error('storage is only available inside a Durable Object');
      switch (req.op) {
        case 'sql': {
          const cur = storage.sql.exec(req.sql, ...(req.params ?? []));
          return [{ rows: cur.toArray(), written: cur.rowsWritten }];
        }
        case 'set_alarm':
          await storage.setAlarm(req.at_ms);
          return [{}];
        case 'get_alarm':
          return [{ at_ms: (await storage.getAlarm()) ?? null }];
        case 'delete_alarm':
          await storage.deleteAlarm();
          return [{}];
        case 'ws_send': {
          // Hibernatable WebSockets this object accepted with `tag` (see host/worker.mjs).
          const sockets = ctx.state.getWebSockets(req.tag);
          for (const ws of sockets) {
            try {
              ws.send(req.message);
              if (req.close) ws.close(1000, 'done');
            } catch { /* a socket that went away */ }
          }
          return [{ sent: sockets.length }];
        }
        default:
          throw new Error(`unknown storage op ${req.op}`);
      }
    },

    async ai(req, body) {
      const ai = env.AI ?? fakeAiBinding(env);
      if (!ai) throw new Error('Workers AI binding AI is not configured');
      // An optional deadline: the binding itself has none.
      let timer;
      const deadline = req.timeout_ms ? new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), req.timeout_ms);
      }) : null;
      const input = req.multipart ? multipartInput(req, body ?? new Uint8Array(0)) : (req.input ?? {});
      const call = ai.run(req.model, input);
      const out = await (deadline ? Promise.race([call, deadline]) : call).finally(() => clearTimeout(timer));
      if (out instanceof ReadableStream || out instanceof Uint8Array || out instanceof ArrayBuffer) {
        return [{ type: 'bytes' }, await readAll(out)];
      }
      return [{ type: 'json', value: out }];
    },
  };
}
