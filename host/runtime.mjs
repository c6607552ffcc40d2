// The generic part of the host: instantiate a function's wasm module, give it its imports
// (shared/include/shared/host_abi.h), and call its one export with an event blob.
//
// No business rules live here. A module instance runs one event at a time: JSPI suspends the
// instance's stack while a binding is awaited, and two events interleaved on one linear memory
// would corrupt each other's shadow stack. So each module keeps a small pool of instances, made
// on demand (usually one per isolate), keeps up to MAX_IDLE between events, and never reuses one
// after a trap.

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAX_IDLE = 4;
// Wasm memory grows and never shrinks: an instance that grew past this after an event is dropped
// rather than pooled, so one large input does not hold its peak for the isolate's life.
export const RETIRE_MEMORY_BYTES = 64 * 1024 * 1024;
// Workers have JSPI; Node 20 (the CLI and benchmarks) does not. Without it the asynchronous imports
// answer "not available" at once, which is all a module without bindings (render) ever needs,
// unless the bindings are marked `synchronous` (bench/cpu's in-memory ones answer at once).
export const HAS_JSPI = typeof WebAssembly.Suspending === 'function' &&
  typeof WebAssembly.promising === 'function';

// What the product relies on from the runtime, as /healthz reports it. `jspi` may be forced off
// (a module built with { jspi: false }) to prove the path a runtime without it takes.
export function runtimeFeatures({ jspi = HAS_JSPI } = {}) {
  return {
    jspi: jspi && HAS_JSPI,
    wasm_exceptions: typeof WebAssembly.Tag === 'function',
  };
}

// Blob = u32 LE JSON length | JSON | bytes (the framing of every event and reply).
export function packBlob(json, bytes) {
  const head = encoder.encode(typeof json === 'string' ? json : JSON.stringify(json));
  const body = bytes ? new Uint8Array(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, bytes.byteLength) : new Uint8Array(0);
  const out = new Uint8Array(4 + head.length + body.length);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  out.set(body, 4 + head.length);
  return out;
}

export function unpackBlob(blob) {
  const n = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(0, true);
  return { json: JSON.parse(decoder.decode(blob.subarray(4, 4 + n))), body: blob.subarray(4 + n) };
}

// Static assets a module asked for (host_abi.h host_asset: the render module's large fonts),
// kept for the isolate's life and shared by every instance: name -> bytes, or null when the
// loader could not give it. `bindings.asset(name)` loads one (the Worker's ASSETS binding, files
// in the CLI); only names like "fonts/cjk-han.otf" are asked for.
const assetCache = new Map();
const assetLoads = new Map();
const ASSET_NAME = /^fonts\/[a-z0-9-]+\.(otf|ttf)$/;
// How the last load of each asset went, for the benchmarks (bench/render/scripts.mjs) and the
// Server-Timing header below: name -> { ms: the whole load, and what the loader reports of it:
// fetch_ms until the response's head, body_ms reading its body }.
export const assetLoadMs = {};
// When set to an array (bench/render/font_load_profile.mjs), [event, name, performance.now()]
// for each asset handed to a module: 'asked' (host_asset answered its length), 'take' (the module
// has made room and copies it: host_take_result), 'copied'.
export let assetMarks = null;
export function markAssets(on) {
  assetMarks = on ? [] : null;
  return assetMarks;
}
// Bytes the isolate holds in its asset cache (bench/render/scripts.mjs, memory).
export function assetCacheBytes() {
  let n = 0;
  for (const bytes of assetCache.values()) n += bytes?.length ?? 0;
  return n;
}

// Loads every name not yet held, all at once (one round however many files a text needs).
async function loadAssets(names, loader) {
  await Promise.all(names.map((name) => {
    if (assetCache.has(name) || !loader) return null;
    if (!assetLoads.has(name)) {
      const t0 = Date.now();
      assetLoads.set(name, (async () => {
        let bytes = null;
        const timing = {};
        try {
          if (ASSET_NAME.test(name) && loader) bytes = await loader(name, timing);
        } catch (err) {
          console.error(`asset ${name} failed to load: ${err?.message ?? err}`);
        }
        // The loader's own array when it gives one (no second copy of a font in the isolate).
        assetCache.set(name, bytes ? (bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)) : null);
        assetLoadMs[name] = { ms: Date.now() - t0, ...timing };
        assetLoads.delete(name);
      })());
    }
    return assetLoads.get(name);
  }));
}

class WasiExit extends Error {}

async function sleep(req) {
  await new Promise((r) => setTimeout(r, Math.max(0, Math.min(Number(req.ms) || 0, 60000))));
  return [{}];
}

// The few WASI calls wasi-libc's start-up and stdio need. Output goes to console, a line per write.
function wasiImports(slot) {
  const view = () => new DataView(slot.memory.buffer);
  return {
    fd_write(fd, iovs, iovsLen, nwritten) {
      const dv = view();
      let text = '';
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = dv.getUint32(iovs + i * 8, true);
        const len = dv.getUint32(iovs + i * 8 + 4, true);
        text += decoder.decode(new Uint8Array(slot.memory.buffer, ptr, len));
        total += len;
      }
      (fd === 2 ? console.error : console.log)(text.replace(/\n$/, ''));
      dv.setUint32(nwritten, total, true);
      return 0;
    },
    fd_close: () => 0,
    fd_seek: () => 70, // ESPIPE: stdio only
    fd_fdstat_get: () => 8, // EBADF
    environ_sizes_get(countPtr, sizePtr) {
      const dv = view();
      dv.setUint32(countPtr, 0, true);
      dv.setUint32(sizePtr, 0, true);
      return 0;
    },
    environ_get: () => 0,
    args_sizes_get(countPtr, sizePtr) {
      const dv = view();
      dv.setUint32(countPtr, 0, true);
      dv.setUint32(sizePtr, 0, true);
      return 0;
    },
    args_get: () => 0,
    clock_time_get(id, precision, out) {
      view().setBigUint64(out, BigInt(Math.round(Date.now() * 1e6)), true);
      return 0;
    },
    random_get(ptr, len) {
      crypto.getRandomValues(new Uint8Array(slot.memory.buffer, ptr, len));
      return 0;
    },
    proc_exit(code) {
      throw new WasiExit(`wasm module exited with ${code}`);
    },
  };
}

// `bindings` maps each asynchronous import name to async (json, bytes, ctx) => [replyJson, bytes].
// Asyncify (binaryen's wasm-opt --asyncify, the modules in build/wasm/modules-asyncify): without
// JSPI, an import that must wait saves the wasm call stack into a buffer and returns ("unwind");
// the host awaits the binding, then calls the export again, which replays the stack down to the
// same import ("rewind"), and the import returns the answer. ASYNCIFY_STACK bytes of guest memory
// hold the saved frames.
const ASYNCIFY_STACK = 128 * 1024;

function hostImports(slot, bindings, jspi, asyncify) {
  const bytes = (ptr, len) => new Uint8Array(slot.memory.buffer, ptr, len);
  const text = (ptr, len) => decoder.decode(bytes(ptr, len));
  // Without JSPI a binding can only answer if it answers synchronously (bindings.synchronous).
  const direct = (name, hasBody) => (ptr, len, bodyPtr, bodyLen) => {
    let reply;
    try {
      const fn = name === 'sleep' ? null : bindings[name];
      if (!fn || !bindings.synchronous) throw new Error(`binding ${name} is not available here`);
      const req = JSON.parse(text(ptr, len));
      const body = hasBody && bodyLen ? bytes(bodyPtr, bodyLen).slice() : new Uint8Array(0);
      const [json, out] = fn(req, body, slot.ctx);
      reply = packBlob(json, out);
    } catch (err) {
      reply = packBlob({ error: String(err?.message ?? err) });
    }
    slot.pending = reply;
    return reply.length;
  };
  const unwinding = (name, hasBody) => (ptr, len, bodyPtr, bodyLen) => {
    const ex = slot.exports;
    if (slot.rewinding) {
      // The replay reached the import that unwound: hand over the answer.
      ex.asyncify_stop_rewind();
      slot.rewinding = false;
      slot.pending = slot.asyncReply;
      slot.asyncReply = null;
      return slot.pending.length;
    }
    let req, body;
    try {
      req = JSON.parse(text(ptr, len));
      body = hasBody && bodyLen ? bytes(bodyPtr, bodyLen).slice() : new Uint8Array(0);
    } catch (err) {
      slot.pending = packBlob({ error: String(err?.message ?? err) });
      return slot.pending.length;
    }
    const fn = name === 'sleep' ? sleep : bindings[name];
    slot.asyncOp = (async () => {
      try {
        if (!fn) throw new Error(`binding ${name} is not available here`);
        const [json, out] = await fn(req, body, slot.ctx);
        return packBlob(json, out);
      } catch (err) {
        return packBlob({ error: String(err?.message ?? err) });
      }
    })();
    const dv = new DataView(ex.memory.buffer);
    dv.setUint32(slot.asyncData, slot.asyncData + 8, true);
    dv.setUint32(slot.asyncData + 4, slot.asyncData + 8 + ASYNCIFY_STACK, true);
    ex.asyncify_start_unwind(slot.asyncData);
    return 0;
  };
  const suspending = (name, hasBody) => asyncify ? unwinding(name, hasBody) : !jspi ? direct(name, hasBody) :
    new WebAssembly.Suspending(async (ptr, len, bodyPtr, bodyLen) => {
      let reply;
      try {
        const req = JSON.parse(text(ptr, len));
        // Copy the body out: the binding reads it after the import has returned control to JS.
        const body = hasBody && bodyLen ? bytes(bodyPtr, bodyLen).slice() : new Uint8Array(0);
        const fn = name === 'sleep' ? sleep : bindings[name];
        if (!fn) throw new Error(`binding ${name} is not available here`);
        const [json, out] = await fn(req, body, slot.ctx);
        reply = packBlob(json, out);
      } catch (err) {
        reply = packBlob({ error: String(err?.message ?? err) });
      }
      slot.pending = reply;
      return reply.length;
    });
  return {
    log(level, ptr, len) {
      const line = `[${slot.name}] ${text(ptr, len)}`;
      (level >= 3 ? console.error : level === 2 ? console.warn : console.log)(line);
    },
    now_ms: () => (slot.ctx?.clock ? slot.ctx.clock() : Date.now()),
    random(ptr, len) {
      crypto.getRandomValues(bytes(ptr, len));
    },
    take_result(dst, len) {
      const t0 = slot.assetMark ? performance.now() : 0;
      bytes(dst, len).set(slot.pending.subarray(0, len));
      if (slot.assetMark) {
        const t1 = performance.now();
        if (assetMarks) assetMarks.push(['take', slot.assetMark, t0], ['copied', slot.assetMark, t1]);
        if (slot.assetTiming) {
          slot.assetTiming.room += t0 - slot.assetAskedAt;
          slot.assetTiming.copy += t1 - t0;
        }
      }
      slot.pending = null;
      slot.assetMark = null;
    },
    defer(ptr, len) {
      slot.deferred.push(text(ptr, len));
    },
    // Starts an event now, in parallel with this one, with a body (host_abi.h host_spawn): 1 when
    // the host started it, 0 when this host cannot (no spawner in the event's context).
    spawn(ptr, len, bodyPtr, bodyLen) {
      if (typeof slot.ctx?.spawn !== 'function') return 0;
      const event = JSON.parse(text(ptr, len));
      // Copied now: the caller's memory moves on as soon as this returns.
      const body = bodyLen ? bytes(bodyPtr, bodyLen).slice() : null;
      slot.ctx.spawn(event, body);
      return 1;
    },
    asset(ptr, len) {
      const bytes = assetCache.get(text(ptr, len));
      if (bytes === undefined) return -1;
      if (bytes === null) return -2;
      slot.pending = bytes;
      if (assetMarks || slot.assetTiming) {
        slot.assetMark = text(ptr, len);
        slot.assetAskedAt = performance.now();
        if (assetMarks) assetMarks.push(['asked', slot.assetMark, slot.assetAskedAt]);
      }
      return bytes.length;
    },
    d1: suspending('d1', false),
    r2: suspending('r2', true),
    fetch: suspending('fetch', true),
    do_fetch: suspending('do_fetch', true),
    storage: suspending('storage', false),
    ai: suspending('ai', true),
    invoke: suspending('invoke', true),
    sleep: suspending('sleep', false),
  };
}

// One function's compiled module and its instance pool.
export class FunctionModule {
  constructor(name, compiled, bindings, settings, { jspi = HAS_JSPI } = {}) {
    this.name = name;
    this.jspi = jspi && HAS_JSPI;
    // A module built with Asyncify suspends without JSPI (used only when JSPI is absent).
    this.asyncify = !this.jspi &&
      WebAssembly.Module.exports(compiled).some((e) => e.name === 'asyncify_start_unwind');
    // Whether binding calls can wait at all: without either, the host refuses their events.
    this.canSuspend = this.jspi || this.asyncify;
    this.compiled = compiled;
    this.bindings = bindings;
    this.settings = settings; // JSON text of the string settings, passed to guest_init
    this.idle = [];
    // Peak linear memory seen after any event, and how many instances were retired for size.
    this.memory = { peak_bytes: 0, retired: 0 };
  }

  async #instantiate() {
    const slot = { name: this.name, memory: null, ctx: null, pending: null, deferred: [] };
    const instance = await WebAssembly.instantiate(this.compiled, {
      wasi_snapshot_preview1: wasiImports(slot),
      host: hostImports(slot, this.bindings, this.jspi, this.asyncify),
    });
    const ex = instance.exports;
    slot.memory = ex.memory;
    slot.exports = ex;
    slot.handle = this.jspi ? WebAssembly.promising(ex.guest_handle)
      : this.asyncify ? (p, n) => this.#driveAsyncify(slot, p, n)
        : async (p, n) => ex.guest_handle(p, n);
    if (ex._initialize) ex._initialize();
    if (this.asyncify) slot.asyncData = ex.guest_alloc(ASYNCIFY_STACK + 8);
    const env = encoder.encode(this.settings);
    const p = ex.guest_alloc(env.length);
    new Uint8Array(ex.memory.buffer, p, env.length).set(env);
    ex.guest_init(p, env.length);
    ex.guest_free(p);
    return slot;
  }

  // Calls the export until it returns without having unwound for a binding.
  async #driveAsyncify(slot, ptr, n) {
    const ex = slot.exports;
    for (;;) {
      const r = ex.guest_handle(ptr, n);
      if (!slot.asyncOp) return r;
      ex.asyncify_stop_unwind();
      const op = slot.asyncOp;
      slot.asyncOp = null;
      slot.asyncReply = await op;
      ex.asyncify_start_rewind(slot.asyncData);
      slot.rewinding = true;
    }
  }

  // An idle instance, or a new one. Never waits for another event to finish: workerd cancels a
  // request whose promise is resolved from another request's context, so events do not queue
  // for each other here; a burst simply makes more instances, and the spares are dropped after.
  async #acquire() {
    if (this.idle.length) return this.idle.pop();
    return this.#instantiate();
  }

  #release(slot) {
    if (this.idle.length < MAX_IDLE) this.idle.push(slot);
  }

  // Runs one event; returns { status, headers, body, deferred }. If the module traps (or anything
  // throws out of it) the instance is simply not returned to the pool: the next event gets a
  // fresh one.
  async call(event, body, ctx) {
    const t0 = performance.now();
    const result = await this.#callOnce(event, body, ctx);
    // The module needs asset files the host has not loaded (host_abi.h host_asset): load them
    // (all at once) and run the event again, once; what still fails to load is the module's to
    // handle.
    const need = result.headers['x-host-need-assets'];
    if (!need) return result;
    const names = String(need).split(',');
    const t1 = performance.now();
    await loadAssets(names, this.bindings.asset);
    const t2 = performance.now();
    const timing = { room: 0, copy: 0 };
    const again = await this.#callOnce(event, body, ctx, timing);
    const t3 = performance.now();
    // Where a first load's time went, as a Server-Timing header (bench/render/scripts.mjs reads
    // it from local workerd; a deployed Worker's clock stands still while it computes, so there
    // only the loads' own times mean anything): the first pass up to "need", the loads (the
    // slowest file's fetch up to the response head and its body), the second pass, and in it the
    // module making room and the copy into its memory.
    const loads = names.map((n) => assetLoadMs[n]).filter(Boolean);
    const slowest = (k) => Math.max(0, ...loads.map((l) => l[k] ?? 0));
    const dur = (k, ms) => `${k};dur=${ms.toFixed(1)}`;
    again.headers['server-timing'] = [dur('pass1', t1 - t0), dur('assets', t2 - t1), dur('fetch', slowest('fetch_ms')),
      dur('body', slowest('body_ms')), dur('pass2', t3 - t2), dur('room', timing.room), dur('copy', timing.copy)].join(', ') +
      `, files;desc="${names.length}"`;
    return again;
  }

  async #callOnce(event, body, ctx, assetTiming = null) {
    const slot = await this.#acquire();
    slot.assetTiming = assetTiming;
    const ptr = this.#enter(slot, event, body, ctx);
    try {
      const n = await slot.handle(ptr, slot.inLength);
      return this.#leave(slot, ptr, n);
    } finally {
      slot.assetTiming = null;
    }
  }

  // The same without JSPI and with synchronous bindings, on an instance an earlier call() left
  // idle (bench/cpu: one function invoking another inside a synchronous binding).
  callSync(event, body, ctx) {
    if (this.jspi) throw new Error('callSync runs only without JSPI');
    const slot = this.idle.pop();
    if (!slot) throw new Error(`no idle ${this.name} instance: call() it once first`);
    const ptr = this.#enter(slot, event, body, ctx);
    return this.#leave(slot, ptr, slot.exports.guest_handle(ptr, slot.inLength));
  }

  #enter(slot, event, body, ctx) {
    slot.ctx = ctx;
    slot.deferred = [];
    const blob = packBlob(event, body);
    const ex = slot.exports;
    const ptr = ex.guest_alloc(blob.length);
    new Uint8Array(ex.memory.buffer, ptr, blob.length).set(blob);
    slot.inLength = blob.length;
    return ptr;
  }

  #leave(slot, ptr, n) {
    const ex = slot.exports;
    ex.guest_free(ptr);
    const out = new Uint8Array(ex.memory.buffer, ex.guest_result(), n).slice();
    const { json, body: replyBody } = unpackBlob(out);
    const deferred = slot.deferred;
    slot.ctx = null;
    const bytes = ex.memory.buffer.byteLength;
    if (bytes > this.memory.peak_bytes) this.memory.peak_bytes = bytes;
    if (bytes > RETIRE_MEMORY_BYTES) this.memory.retired++;
    else this.#release(slot);
    return { status: json.status, headers: json.headers ?? {}, body: replyBody, deferred };
  }
}
