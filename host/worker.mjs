// The Worker: wires Cloudflare events to the function modules. Routing is a table; every
// decision about a request is made in C++.
import { DurableObject } from 'cloudflare:workers';
import manifest from '../build/wasm/modules/manifest.json';
import renderWasm from '../build/wasm/modules/render.wasm';
import webhookWasm from '../build/wasm/modules/webhook.wasm';
import generateWasm from '../build/wasm/modules/generate.wasm';
import cronWasm from '../build/wasm/modules/cron.wasm';
import { FunctionModule, runtimeFeatures } from './runtime.mjs';
import { workerBindings } from './bindings.mjs';

const COMPILED = { render: renderWasm, webhook: webhookWasm, generate: generateWasm, cron: cronWasm };

// Path prefix -> module, with the transport limits the host applies before a module sees the
// request. The first match wins.
//   maxBody   bytes read at most; the body is streamed and a longer one is answered 413 without
//             reading the rest (the modules apply their own, finer limits below this).
//   secret    [header, setting]: when the header does not equal the setting, the module gets the
//             request without its body (and answers 401/503 itself): nobody's body is copied into
//             wasm before the sender is known.
//   limiter   a rate-limiting binding keyed by the client's address: 429 with Retry-After when
//             the client is over it (wrangler.toml [[ratelimits]]).
const KB = 1024;
const ROUTES = [
  ['/render', 'render', { maxBody: 512 * KB, limiter: 'PUBLIC_LIMITER' }],
  ['/thumbnail', 'render', { maxBody: 8 * KB * KB, limiter: 'PUBLIC_LIMITER' }],
  ['/telegram', 'webhook', { maxBody: KB * KB, secret: ['x-telegram-bot-api-secret-token', 'WEBHOOK_SECRET'] }],
  ['/payments/', 'webhook', { maxBody: 64 * KB }],
  ['/generations/', 'generate', { maxBody: 16 * KB, limiter: 'PUBLIC_LIMITER' }],
  // Asynchronous model providers' webhooks (FAL): the per-job secret in the URL is checked by the
  // queue object; no per-client limiter, since every webhook comes from the provider's few addresses.
  ['/hooks/', 'generate', { maxBody: 64 * KB }],
  ['/__diag/', 'webhook', { maxBody: KB * KB }],
  ['/metrics', 'cron', { maxBody: 0 }],
];
const LIMITER_PERIOD_S = 60; // the [[ratelimits]] period, for Retry-After

// Modules that call bindings (D1, R2, fetch, Durable Objects) on nearly every event. Without JSPI
// (and without the Asyncify build of the modules, host/runtime.mjs) those calls cannot suspend,
// so the host refuses their events with a 503 (Telegram and YooKassa retry later, an alarm is
// retried with backoff) instead of letting every user read an apology.
const NEEDS_JSPI = new Set(['webhook', 'generate', 'cron']);
const NO_JSPI = 'this runtime lacks JSPI (WebAssembly.Suspending/promising): binding calls cannot run';

// Tests force "no JSPI" with HOST_FORCE_NO_JSPI=true, honoured only with diagnostics on.
function hostOptions(env) {
  return { jspi: !(env.ENABLE_DIAGNOSTICS === 'true' && env.HOST_FORCE_NO_JSPI === 'true') };
}

// What /healthz reports about the runtime: its features, the bindings present (names only) and
// the compatibility date the bundle was built for (from wrangler.toml, via the manifest).
// `asyncify`: JSPI is absent but the modules that call bindings were built with Asyncify.
function runtimeInfo(env) {
  const bindings = Object.entries(env).filter(([, v]) => v && typeof v === 'object').map(([k]) => k).sort();
  const mods = getModules(env);
  const asyncify = [...NEEDS_JSPI].every((m) => mods[m].asyncify);
  return { ...runtimeFeatures(hostOptions(env)), asyncify, bindings, compatibility_date: manifest.compatibility_date ?? null };
}

let modules = null;
function getModules(env) {
  if (modules) return modules;
  // Settings are the string-valued entries of env: [vars] and secrets. Bindings are objects.
  const settings = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') settings[k] = v;
  const text = JSON.stringify(settings);
  modules = {};
  const bindings = {
    ...workerBindings(env),
    // One function calling another (webhook -> render): the reply crosses as it would over HTTP.
    async invoke(req, body, ctx) {
      const target = modules[req.function];
      if (!target) throw new Error(`no function ${req.function}`);
      const r = await target.call(req.event, body, ctx);
      return [{ status: r.status, headers: r.headers }, r.body];
    },
  };
  for (const [name, compiled] of Object.entries(COMPILED)) {
    modules[name] = new FunctionModule(name, compiled, bindings, text, hostOptions(env));
  }
  return modules;
}

function jsonResponse(status, obj) {
  return new Response(JSON.stringify(obj), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

// Runs one event on a module and finishes its deferred work with waitUntil. An event the module
// spawns (host_spawn) starts at once, on another instance, through the same function.
async function run(env, ctx, name, event, body, extra = {}) {
  const mods = getModules(env);
  const spawn = (ev, b) => {
    const p = Promise.resolve().then(() => run(env, ctx, name, ev, b, extra)).catch((err) => {
      console.error(`[${name}] spawned work failed: ${err?.message ?? err}`);
    });
    (ctx?.waitUntil ? ctx.waitUntil(p) : p);
  };
  const result = await mods[name].call(event, body, { env, ...extra, spawn });
  for (const d of result.deferred) {
    const p = mods[name].call(JSON.parse(d), null, { env, ...extra }).catch((err) => {
      console.error(`[${name}] deferred work failed: ${err?.message ?? err}`);
    });
    (ctx?.waitUntil ? ctx.waitUntil(p) : p);
  }
  return result;
}

// Reads at most `max` bytes of a body, chunk by chunk; null (and the stream cancelled) past it.
// Chunked bodies carry no Content-Length, so the count is what decides.
async function readCapped(stream, max) {
  const reader = stream.getReader();
  const chunks = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) out.set(c, at), (at += c.byteLength);
  return out;
}

function sameSecret(given, expected) {
  if (typeof given !== 'string' || typeof expected !== 'string' || !expected) return false;
  let diff = given.length === expected.length ? 0 : 1;
  for (let i = 0; i < Math.max(given.length, expected.length); i++) {
    diff |= (given.charCodeAt(i) || 0) ^ (expected.charCodeAt(i) || 0);
  }
  return diff === 0;
}

async function requestEvent(request, { maxBody = 0, withBody = true } = {}) {
  const url = new URL(request.url);
  const headers = {};
  for (const [k, v] of request.headers) headers[k.toLowerCase()] = v;
  const len = Number(request.headers.get('content-length') ?? 0);
  if (len > maxBody) return { tooLarge: true };
  let body = null;
  if (request.body && withBody) {
    body = await readCapped(request.body, maxBody);
    if (!body) return { tooLarge: true };
  } else if (request.body) {
    // Not read at all: say so, or the runtime waits for the sender to finish before answering.
    await request.body.cancel().catch(() => {});
  }
  const event = {
    kind: 'fetch',
    request: { method: request.method, url: request.url, path: url.pathname, query: url.search.slice(1), headers },
  };
  return { event, body };
}

function toResponse(result) {
  return new Response(result.body.length ? result.body : null, {
    status: result.status,
    headers: result.headers,
  });
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    try {
      if (url.pathname === '/healthz') {
        const mods = getModules(env);
        const memory = Object.fromEntries(Object.entries(mods).map(([n, m]) => [n, m.memory]));
        const host = { ...manifest, runtime: runtimeInfo(env), memory };
        const r = await run(env, ctx, 'webhook', { kind: 'health', host }, null);
        return toResponse(r);
      }
      const route = ROUTES.find(([prefix]) => url.pathname.startsWith(prefix));
      if (!route) return jsonResponse(404, { error: 'no such route' });
      if (NEEDS_JSPI.has(route[1]) && !getModules(env)[route[1]].canSuspend) {
        const res = jsonResponse(503, { error: NO_JSPI, missing: ['jspi'] });
        res.headers.set('retry-after', '60');
        return res;
      }
      const limits = route[2];
      const limiter = limits.limiter && env[limits.limiter];
      if (limiter) {
        const client = request.headers.get('cf-connecting-ip') ?? 'unknown';
        const { success } = await limiter.limit({ key: `${route[0]}|${client}` });
        if (!success) {
          const r = jsonResponse(429, { error: `too many requests from your address; retry in ${LIMITER_PERIOD_S} s` });
          r.headers.set('retry-after', String(LIMITER_PERIOD_S));
          return r;
        }
      }
      const withBody = !limits.secret || sameSecret(request.headers.get(limits.secret[0]), env[limits.secret[1]]);
      const { event, body, tooLarge } = await requestEvent(request, { maxBody: limits.maxBody, withBody });
      if (tooLarge) {
        const r = jsonResponse(413, { error: `request body too large: at most ${limits.maxBody} bytes for ${route[0]}` });
        // The rest of the body was never read: this connection cannot carry another request.
        r.headers.set('connection', 'close');
        return r;
      }
      const r = await run(env, ctx, route[1], event, body);
      // The module may hand the request to a Durable Object it names (e.g. a WebSocket upgrade,
      // which only the object can hold).
      const fwd = r.headers['x-host-forward-object'];
      if (fwd && env[r.headers['x-host-forward-binding']]) {
        const ns = env[r.headers['x-host-forward-binding']];
        const target = new Request(new URL(r.headers['x-host-forward-path'] ?? url.pathname, 'https://do.internal'), request);
        target.headers.set('x-object-name', fwd);
        return ns.get(ns.idFromName(fwd)).fetch(target);
      }
      return toResponse(r);
    } catch (err) {
      // Never show internals to the caller; the log keeps the cause.
      console.error(`request ${url.pathname} failed: ${err?.stack ?? err}`);
      return jsonResponse(500, { error: 'internal error' });
    }
  },

  async scheduled(controller, env, ctx) {
    if (!getModules(env).cron.canSuspend) throw new Error(`cron ${controller.cron}: ${NO_JSPI}`);
    const event = { kind: 'scheduled', cron: controller.cron, scheduled_ms: controller.scheduledTime };
    const r = await run(env, ctx, 'cron', event, null);
    if (r.status >= 400) console.error(`cron ${controller.cron} answered ${r.status}`);
  },
};

// One queue per model (idFromName(model)); its logic is the generate module's.
export class ModelQueue extends DurableObject {
  constructor(state, env) {
    super(state, env);
    this.state = state;
    this.name = null;
    // Changes whenever the object is (re)started: work recorded under an older value was cut off.
    this.incarnation = crypto.randomUUID();
  }

  async fetch(request) {
    if (!getModules(this.env).generate.canSuspend) return jsonResponse(503, { error: NO_JSPI, missing: ['jspi'] });
    // Requests reach the object only from this Worker's own routes, which capped them already.
    const { event, body } = await requestEvent(request, { maxBody: 8 * KB * KB });
    this.name = request.headers.get('x-object-name') ?? this.name;
    event.kind = 'do_fetch';
    event.object = this.name;
    event.incarnation = this.incarnation;
    if (this.name) await this.state.storage.put('__name', this.name);
    const r = await run(this.env, this.state, 'generate', event, body, { state: this.state });
    // The module accepted a WebSocket: the host holds it with the hibernation API, tagged as the
    // module says, so the module can address it later (storage op ws_send) without staying awake.
    const tag = r.headers['x-host-websocket'];
    if (tag && request.headers.get('upgrade') === 'websocket') {
      const [client, server] = Object.values(new WebSocketPair());
      this.ctx.acceptWebSocket(server, [tag]);
      const hello = r.headers['x-host-websocket-hello'];
      if (hello) server.send(hello);
      if (r.headers['x-host-websocket-close']) server.close(1000, 'done');
      return new Response(null, { status: 101, webSocket: client });
    }
    // The module asked for a reset (diagnostics: what an eviction does to work in progress).
    if (r.headers['x-host-abort']) this.ctx.abort('reset requested by the module');
    if (r.status < 200) return jsonResponse(500, { error: 'internal error' });
    return toResponse(r);
  }

  async webSocketMessage(ws, message) {
    this.name ??= (await this.state.storage.get('__name')) ?? null;
    const event = { kind: 'ws_message', object: this.name, tags: this.ctx.getTags(ws),
      message: typeof message === 'string' ? message : null };
    const r = await run(this.env, this.state, 'generate', event, null, { state: this.state });
    if (r.body.length) ws.send(new TextDecoder().decode(r.body));
  }

  async webSocketClose(ws, code) {
    try { ws.close(code, 'closing'); } catch { /* already closed */ }
  }

  async alarm(info) {
    // Thrown, so the runtime retries the alarm with backoff; the jobs wait rather than fail.
    if (!getModules(this.env).generate.canSuspend) throw new Error(`alarm: ${NO_JSPI}`);
    this.name ??= (await this.state.storage.get('__name')) ?? null;
    const event = { kind: 'alarm', object: this.name, incarnation: this.incarnation, retry_count: info?.retryCount ?? 0 };
    const r = await run(this.env, this.state, 'generate', event, null, { state: this.state });
    // Throwing makes the runtime retry the alarm with backoff.
    if (r.status >= 500) throw new Error(`alarm failed with ${r.status}`);
  }
}
