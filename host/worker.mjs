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

// Path prefix -> module. The first match wins.
const ROUTES = [
  ['/render', 'render'],
  ['/thumbnail', 'render'],
  ['/telegram', 'webhook'],
  ['/payments/', 'webhook'],
  ['/generations/', 'generate'],
  ['/__diag/', 'webhook'],
  ['/metrics', 'cron'],
];

const MAX_BODY = 8 * 1024 * 1024; // the C++ routes apply their own, smaller limits

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

// Runs one event on a module and finishes its deferred work with waitUntil.
async function run(env, ctx, name, event, body, extra = {}) {
  const mods = getModules(env);
  const result = await mods[name].call(event, body, { env, ...extra });
  for (const d of result.deferred) {
    const p = mods[name].call(JSON.parse(d), null, { env, ...extra }).catch((err) => {
      console.error(`[${name}] deferred work failed: ${err?.message ?? err}`);
    });
    (ctx?.waitUntil ? ctx.waitUntil(p) : p);
  }
  return result;
}

async function requestEvent(request) {
  const url = new URL(request.url);
  const headers = {};
  for (const [k, v] of request.headers) headers[k.toLowerCase()] = v;
  const len = Number(request.headers.get('content-length') ?? 0);
  if (len > MAX_BODY) return { tooLarge: true };
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : null;
  if (body && body.length > MAX_BODY) return { tooLarge: true };
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
        const host = { ...manifest, runtime: runtimeInfo(env) };
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
      const { event, body, tooLarge } = await requestEvent(request);
      if (tooLarge) return jsonResponse(413, { error: 'request body too large' });
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
    const { event, body } = await requestEvent(request);
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
