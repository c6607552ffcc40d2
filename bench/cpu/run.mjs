// CPU per route as Cloudflare counts it: the Worker's own JS and wasm time per request, without
// local D1/R2 emulation. The same host (host/runtime.mjs FunctionModule) and the same built .wasm
// modules run under Node; the bindings answer at once from memory (R2, the Bot API, the queue
// object) or from SQLite in another process (D1, the queue object's storage: bench/cpu/
// sqlite_server.py over two FIFOs), so the CPU of the main thread during an event is the host's
// JS plus the wasm plus what the bindings' JS glue costs, and nothing of the storage engines.
//
// Node 20 has no JSPI, so the bindings answer synchronously (bindings.synchronous: the host's
// no-JSPI path, host/runtime.mjs); what JSPI itself adds, a stack switch per binding call, is not
// in these figures (microseconds per call; see bench/results/cpu.md).
//
//   node bench/cpu/run.mjs [--runs 200] [--warmup 30] [--only NAME] [--asyncify] [--out FILE.json]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { FunctionModule, runtimeFeatures } from '../../host/runtime.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(opt('runs', 200));
const WARMUP = Number(opt('warmup', 30));
const ONLY = opt('only', null);
const OUT = opt('out', null);
// --asyncify: the Asyncify build of webhook/generate/cron (build/wasm/modules-asyncify), driven
// by the host's unwind/rewind loop with the same in-memory bindings: what the no-JSPI path costs.
const MODULES = args.includes('--asyncify') ? 'build/wasm/modules-asyncify' : 'build/wasm/modules';

// ---- CPU clock -------------------------------------------------------------------------------
// getrusage (process.cpuUsage) is exact to the microsecond; /proc's per-thread schedstat is not
// (it lags by up to a scheduler tick for a running thread). V8's --single-threaded keeps its
// compilers and GC on the main thread, and --no-liftoff compiles the wasm with TurboFan at once
// (the code a warm isolate runs after tier-up) instead of tiering up in the background during the
// measurements; so the process's CPU is the isolate's. Python's SQLite runs in its own process
// and is not counted.
if (!process.execArgv.includes('--single-threaded')) {
  const r = spawnSync(process.execPath, ['--single-threaded', '--no-liftoff', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const cpuNs = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };

// CPU spent inside the fakes themselves (their JSON, the FIFO syscalls), reported on its own:
// a real binding's JS glue costs something too, so the total keeps it (an upper bound).
let fakeNs = 0;
let fakeCalls = {};
const timed = (fn) => {
  const wrapper = (...a) => {
    const t0 = cpuNs();
    try { return fn(...a); } finally {
      const d = cpuNs() - t0;
      fakeNs += d;
      const c = (fakeCalls[wrapper.bindingName] ??= { calls: 0, ms: 0 });
      c.calls++;
      c.ms += d / 1e6;
    }
  };
  return wrapper;
};
// The guest's log lines would cost a write to the terminal each; on Cloudflare they cost a copy
// into the log buffer. Dropped here.
for (const k of ['log', 'warn', 'error']) {
  const orig = console[k];
  console[k] = (...a) => { if (typeof a[0] === 'string' && a[0].startsWith('[')) return; orig(...a); };
}

// ---- D1 (and Durable Object SQL) in another process -----------------------------------------
class SqliteProcess {
  constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), 'cpu-bench-'));
    const req = path.join(this.dir, 'req');
    const rep = path.join(this.dir, 'rep');
    execFileSync('mkfifo', [req, rep]);
    this.child = spawn('python3', [path.join(ROOT, 'bench/cpu/sqlite_server.py'), req, rep, path.join(ROOT, 'migrations')],
      { stdio: ['ignore', 'inherit', 'inherit'] });
    // Same order as the server opens them, so neither blocks the other.
    this.out = openSync(req, 'w');
    this.in = openSync(rep, 'r');
    this.buf = Buffer.alloc(1 << 20);
    this.pending = '';
  }

  call(req) {
    writeSync(this.out, JSON.stringify(req) + '\n');
    for (;;) {
      const nl = this.pending.indexOf('\n');
      if (nl >= 0) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        const reply = JSON.parse(line);
        if (reply.error) throw new Error(reply.error);
        return reply;
      }
      const n = readSync(this.in, this.buf, 0, this.buf.length, null);
      if (n === 0) throw new Error('sqlite server went away');
      this.pending += this.buf.toString('utf8', 0, n);
    }
  }

  close() {
    closeSync(this.out);
    closeSync(this.in);
    this.child.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---- settings: wrangler.toml [vars] plus the secrets the routes need -------------------------
function settings() {
  const toml = readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8');
  const vars = {};
  let inVars = false;
  for (const line of toml.split('\n')) {
    if (/^\[/.test(line)) inVars = line.trim() === '[vars]';
    const m = inVars && /^([A-Z0-9_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')/.exec(line);
    if (m) vars[m[1]] = m[2] !== undefined ? JSON.parse(`"${m[2]}"`) : m[3];
  }
  return {
    ...vars,
    TELEGRAM_BOT_TOKEN: '123456789:CPU-bench-token',
    WEBHOOK_SECRET: 'cpu-bench-webhook-secret-0123456789',
    TELEGRAM_API_BASE: 'https://tg.fake',
    MODELS: JSON.stringify([{ name: 'flux', provider: 'http-get', url: 'https://model.fake/flux', cost: 1, params: { steps: 4 } }]),
  };
}
const SETTINGS = settings();

// ---- the fakes -------------------------------------------------------------------------------
const db = new SqliteProcess();
const objects = new Map(); // R2 key -> { bytes, content_type, metadata, uploaded_ms }
const tgCalls = [];
let nextMessageId = 1000;
let modelImage = new Uint8Array(0); // the model's answer (a real JPEG, made by the render module)

function telegram(method, req, body) {
  let params = {};
  const ct = req.headers?.['content-type'] ?? req.headers?.['Content-Type'] ?? '';
  if (!ct.startsWith('multipart/') && body.length) params = JSON.parse(Buffer.from(body).toString('utf8'));
  tgCalls.push({ method, params });
  const message = (extra) => ({ message_id: nextMessageId++, date: Math.floor(Date.now() / 1000),
    chat: { id: Number(params.chat_id ?? 0), type: 'private' }, ...extra });
  let result = true;
  if (method === 'sendMessage' || method === 'editMessageText') result = message({ text: params.text });
  else if (method === 'sendPhoto') result = message({ photo: [{ file_id: `p${nextMessageId}`, width: 1, height: 1 }] });
  else if (method === 'sendDocument') result = message({ document: { file_id: `d${nextMessageId}` } });
  else if (method === 'sendMediaGroup') result = [message({})];
  return [{ status: 200, headers: { 'content-type': 'application/json' } },
    new TextEncoder().encode(JSON.stringify({ ok: true, result }))];
}

const modules = {};
const bindings = {
  synchronous: true,
  d1: timed((req) => [db.call(req)]),
  storage: timed((req, _body, ctx) => {
    switch (req.op) {
      case 'sql': return [db.call({ ...req, db: ctx.object })];
      case 'set_alarm': ctx.alarm = req.at_ms; return [{}];
      case 'get_alarm': return [{ at_ms: ctx.alarm ?? null }];
      case 'delete_alarm': ctx.alarm = null; return [{}];
      case 'ws_send': return [{ sent: 0 }];
      default: throw new Error(`unknown storage op ${req.op}`);
    }
  }),
  r2: timed((req, body) => {
    switch (req.op) {
      case 'put':
        objects.set(req.key, { bytes: body, content_type: req.content_type ?? null, metadata: req.metadata ?? {}, uploaded_ms: Date.now() });
        return [{ key: req.key, size: body.length, etag: 'e' }];
      case 'get': {
        const o = objects.get(req.key);
        if (!o) return [{ found: false }];
        return [{ found: true, key: req.key, size: o.bytes.length, content_type: o.content_type, metadata: o.metadata, uploaded_ms: o.uploaded_ms }, o.bytes];
      }
      case 'delete':
        for (const k of req.keys ?? [req.key]) objects.delete(k);
        return [{ deleted: (req.keys ?? [req.key]).length }];
      case 'list': {
        const keys = [...objects.keys()].filter((k) => k.startsWith(req.prefix ?? '')).sort().slice(0, req.limit ?? 100);
        return [{ objects: keys.map((k) => ({ key: k, size: objects.get(k).bytes.length, uploaded_ms: objects.get(k).uploaded_ms, metadata: objects.get(k).metadata })), truncated: false, cursor: null }];
      }
      default: throw new Error(`unknown r2 op ${req.op}`);
    }
  }),
  fetch: timed((req, body) => {
    const url = new URL(req.url);
    if (url.host === 'tg.fake') return telegram(url.pathname.split('/').pop(), req, body);
    if (url.host === 'model.fake') return [{ status: 200, headers: { 'content-type': 'image/jpeg' } }, modelImage];
    return [{ error: `network: ${url.host} unreachable` }];
  }),
  // The queue object is another request (its own CPU): it takes the job at once. Its runner's
  // hand-off of a delivery to itself (/deliver) is refused here, so the alarm delivers the job
  // inline and its figure stays one job's whole CPU.
  do_fetch: timed((req) => req.path === '/deliver'
    ? [{ status: 404, headers: { 'content-type': 'application/json' } }, new TextEncoder().encode('{"error":"no such route"}')]
    : [{ status: 200, headers: { 'content-type': 'application/json' } },
      new TextEncoder().encode(JSON.stringify({ ok: true, position: 1 }))]),
  ai: () => { throw new Error('Workers AI binding AI is not configured'); },
  // webhook -> render in the same isolate and request: its CPU is the caller's.
  invoke: (req, body, ctx) => {
    const r = modules[req.function].callSync(req.event, body, ctx);
    return [{ status: r.status, headers: r.headers }, r.body];
  },
};

for (const k of ['d1', 'storage', 'r2', 'fetch', 'do_fetch']) bindings[k].bindingName = k;

for (const name of ['render', 'webhook', 'generate', 'cron']) {
  const compiled = new WebAssembly.Module(readFileSync(path.join(ROOT, MODULES, `${name}.wasm`)));
  modules[name] = new FunctionModule(name, compiled, bindings, JSON.stringify(SETTINGS), { jspi: false });
}
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'build/wasm/modules/manifest.json'), 'utf8'));

// One request as host/worker.mjs handles it: the Request read into an event, the module's call,
// its deferred (waitUntil) work, and the Response built from the reply.
async function handle(name, { method = 'POST', pathName, headers = {}, body = null, event = null, eventBody = null, ctx = {} }) {
  let ev = event;
  let bytes = eventBody;
  if (!ev) {
    const request = new Request(`https://bot.example${pathName}`, { method, headers, body });
    const h = {};
    for (const [k, v] of request.headers) h[k.toLowerCase()] = v;
    bytes = request.body ? new Uint8Array(await request.arrayBuffer()) : null;
    const url = new URL(request.url);
    ev = { kind: 'fetch', request: { method, url: request.url, path: url.pathname, query: url.search.slice(1), headers: h } };
  }
  const r = await modules[name].call(ev, bytes, ctx);
  for (const d of r.deferred) await modules[name].call(JSON.parse(d), null, ctx);
  const res = new Response(r.body.length ? r.body : null, { status: r.status, headers: r.headers });
  await res.arrayBuffer();
  return r;
}

// ---- the routes ------------------------------------------------------------------------------
let nextUpdate = 1;
const userId = (route, i) => 1_000_000 + route * 10_000 + i;
const user = (id) => ({ id, is_bot: false, first_name: `U${id}`, username: `u${id}`, language_code: 'en' });
const message = (from, text, extra = {}) => ({ update_id: nextUpdate++,
  message: { message_id: nextUpdate, date: 1, chat: { id: from.id, type: 'private' }, from, text, ...extra } });
const telegramRequest = (update) => ({ pathName: '/telegram', body: JSON.stringify(update),
  headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SETTINGS.WEBHOOK_SECRET } });

function pythonLines(n) {
  const out = ['import math', ''];
  for (let i = 0; out.length < n; i++) {
    out.push(`def area_${i}(radius: float, scale: int = ${i}) -> float:`);
    out.push(`    """Area of circle ${i}, scaled."""`);
    out.push(`    return math.pi * radius ** 2 * scale  # ${'x'.repeat(i % 20)}`);
    out.push('');
  }
  return out.slice(0, n).join('\n');
}
const CODE = { 50: pythonLines(50), 200: pythonLines(200), 1000: pythonLines(1000) };

const sent = (from) => tgCalls.slice(from).map((c) => c.method);

// Each route: optional per-user setup (not measured), the measured request, and a check that it
// did what a user would see (so the figure is never the cost of an error path).
const routes = [
  { name: 'GET /healthz', module: 'webhook',
    req: () => ({ event: { kind: 'health', host: { ...manifest, runtime: { ...runtimeFeatures(), jspi: true, bindings: ['BUCKET', 'DB', 'MODEL_QUEUE'], compatibility_date: manifest.compatibility_date } } } }),
    check: (r) => r.status === 200 },
  { name: '/start', module: 'webhook', req: (u) => telegramRequest(message(u, '/start')),
    check: (r, m) => r.status === 200 && m.includes('sendMessage') },
  { name: '/help', module: 'webhook', req: (u) => telegramRequest(message(u, '/help')),
    check: (r, m) => r.status === 200 && m.includes('sendMessage') },
  { name: 'callback (language button)', module: 'webhook',
    setup: (u) => telegramRequest(message(u, '/start')),
    req: (u) => telegramRequest({ update_id: nextUpdate++, callback_query: { id: `cb${nextUpdate}`, from: u, data: 'lang:en',
      message: { message_id: 1, chat: { id: u.id, type: 'private' } } } }),
    check: (r, m) => r.status === 200 && m.includes('answerCallbackQuery') && m.includes('editMessageText') },
  { name: '/save of 50 lines', module: 'webhook', req: (u) => telegramRequest(message(u, `/save demo.py\n${CODE[50]}`)),
    check: (r, m) => r.status === 200 && m.includes('sendMessage') },
  { name: '/image of 50 lines', module: 'webhook', setup: (u) => telegramRequest(message(u, `/save f50.py\n${CODE[50]}`)),
    req: (u) => telegramRequest(message(u, '/image f50.py')),
    check: (r, m) => r.status === 200 && m.includes('sendPhoto') },
  { name: '/image of 200 lines', module: 'webhook', setup: (u) => telegramRequest(message(u, `/save f200.py\n${CODE[200]}`)),
    req: (u) => telegramRequest(message(u, '/image f200.py')),
    check: (r, m) => r.status === 200 && (m.includes('sendPhoto') || m.includes('sendDocument')) },
  { name: 'fenced block of 50 lines', module: 'webhook', req: (u) => telegramRequest(message(u, '```python\n' + CODE[50] + '\n```')),
    check: (r, m) => r.status === 200 && m.includes('sendPhoto') },
  { name: '/generate TITLE | SUBTITLE (basic thumbnail)', module: 'webhook',
    req: (u) => telegramRequest(message(u, `/generate I Survived 100 Days in Hardcore Minecraft #${u.id % 97} | Part 1`)),
    check: (r, m) => r.status === 200 && m.includes('sendPhoto') },
  { name: '/balance', module: 'webhook', setup: (u) => telegramRequest(message(u, '/start')),
    req: (u) => telegramRequest(message(u, '/balance')), check: (r, m) => r.status === 200 && m.includes('sendMessage') },
  { name: '/gallery (12 items)', module: 'webhook', setup: (u) => { seedGallery(u.id, 12); return telegramRequest(message(u, '/start')); },
    req: (u) => telegramRequest(message(u, '/gallery')), check: (r, m) => r.status === 200 && m.some((x) => /^send/.test(x)) },
  { name: 'payment (successful_payment, Stars)', module: 'webhook', setup: (u) => telegramRequest({ update_id: nextUpdate++,
    callback_query: { id: `cb${nextUpdate}`, from: u, data: 'pay:stars:s100', message: { message_id: 1, chat: { id: u.id, type: 'private' } } } }),
    req: (u) => telegramRequest(message(u, undefined, { successful_payment: { currency: 'XTR', total_amount: 50,
      invoice_payload: invoices.get(u.id), telegram_payment_charge_id: `ch-${u.id}-${nextUpdate}`, provider_payment_charge_id: '' } })),
    check: (r, m) => r.status === 200 && m.includes('sendMessage') },
  ...[50, 200, 1000].map((n) => ({ name: `POST /render, ${n} lines`, module: 'render',
    req: () => ({ pathName: '/render', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: CODE[n], language: 'python' }) }),
    check: (r) => r.status === 200 })),
  { name: 'POST /thumbnail (basic, JPEG)', module: 'render',
    req: (u) => ({ pathName: '/thumbnail', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: `I Survived 100 Days in Hardcore Minecraft! #${u.id % 97}`, subtitle: 'Part 1', watermark: '@CodeImageBot' }) }),
    check: (r) => r.status === 200 },
  { name: 'cron: watchdog (* * * * *)', module: 'cron',
    req: () => ({ event: { kind: 'scheduled', cron: '* * * * *', scheduled_ms: Date.now() } }), check: (r) => r.status < 400 },
  { name: 'cron: cleanup (0 * * * *)', module: 'cron',
    req: () => ({ event: { kind: 'scheduled', cron: '0 * * * *', scheduled_ms: Date.now() } }), check: (r) => r.status < 400 },
];

const invoices = new Map();
function seedGallery(id, n) {
  const now = Date.now();
  db.call({ op: 'run', sql: "INSERT INTO users (id, language_code, created_ms, updated_ms) VALUES (?1, 'en', 0, 0) ON CONFLICT (id) DO NOTHING", params: [id] });
  for (let i = 0; i < n; i++) {
    const key = `gen/seed-${id}-${i}.png`;
    objects.set(key, { bytes: modelImage, content_type: 'image/jpeg', metadata: {}, uploaded_ms: now });
    db.call({ op: 'run', sql: "INSERT INTO generations (user_id, chat_id, model, prompt, status, cost, created_ms, started_ms, finished_ms, updated_ms, r2_key) VALUES (?1, ?1, 'flux', ?2, 'completed', 1, ?3, ?3, ?3, ?3, ?4)",
      params: [id, `a cat number ${i}`, now - i * 60000, key] });
  }
}

// ---- measuring -------------------------------------------------------------------------------
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

const f2 = (x) => Number(x.toFixed(2));
// The last request's binding calls, e.g. "d1 3 (0.21 ms)": what the figure includes of the fakes.
const bindingCalls = () => Object.entries(fakeCalls).map(([k, v]) => `${k} ${v.calls} (${v.ms.toFixed(2)} ms)`).join(', ');
function summary(name, cpu, fakes, wall) {
  return { route: name, n: cpu.length, cpu_median: f2(quantile(cpu, 0.5)), cpu_p99: f2(quantile(cpu, 0.99)),
    cpu_max: f2(Math.max(...cpu)), fakes_median: f2(quantile(fakes, 0.5)),
    wall_median: wall.length ? f2(quantile(wall, 0.5)) : null };
}

// Each route keeps its samples; requests are run in interleaved rounds (ROUND requests of each
// route in turn), so that load from other work on the machine falls on every route alike.
const ROUND = 10;
function sampler(name) {
  return { name, cpu: [], fakes: [], wall: [], d1: { changes: 0, returned: 0, bytes: 0 }, bindings: '' };
}
async function timedRequest(smp, measured, module, req) {
  const s0 = db.call({ op: 'stats' });
  fakeNs = 0;
  fakeCalls = {};
  const t0 = cpuNs(), w0 = performance.now();
  const r = await handle(module, req);
  const t1 = cpuNs(), w1 = performance.now();
  if (measured) {
    const s1 = db.call({ op: 'stats' });
    for (const k of Object.keys(smp.d1)) smp.d1[k] += s1[k] - s0[k];
    smp.cpu.push((t1 - t0) / 1e6);
    smp.fakes.push(fakeNs / 1e6);
    smp.wall.push(w1 - w0);
    smp.bindings = bindingCalls();
  }
  return r;
}
function result(smp) {
  const per = (x) => Number((x / smp.cpu.length).toFixed(1));
  return { ...summary(smp.name, smp.cpu, smp.fakes, smp.wall), bindings: smp.bindings,
    d1_rows_changed: per(smp.d1.changes), d1_rows_returned: per(smp.d1.returned), d1_bytes_grown: per(smp.d1.bytes) };
}

function routeStepper(route, index) {
  const smp = sampler(route.name);
  return {
    samplers: [smp],
    async step(i, measured) {
      const u = user(userId(index, i));
      tgCalls.length = 0; // what the Bot API got is only checked per request; keep the heap small
      if (route.setup) {
        const r = await handle('webhook', route.setup(u));
        if (route.name.startsWith('payment')) {
          const inv = tgCalls.find((c) => c.method === 'sendInvoice');
          if (!inv) throw new Error(`setup for ${route.name}: no invoice (${r.status})`);
          invoices.set(u.id, inv.params.payload);
        }
      }
      const before = tgCalls.length;
      const r = await timedRequest(smp, measured, route.module, route.req(u));
      if (!route.check(r, sent(before))) {
        throw new Error(`${route.name}: status ${r.status}, calls ${sent(before).join(',')}: ${Buffer.from(r.body).toString('utf8').slice(0, 300)}`);
      }
    },
  };
}

// An AI image: the user's /image=flux=PROMPT (the webhook: limits, credit reservation, enqueue
// at the queue object), the queue object's side of the enqueue (do_fetch), then the object's
// alarm running the job: model call (answer: a 1280x720 JPEG), R2 put, sendPhoto, D1 updates.
function alarmStepper() {
  const enqueue = sampler('/image=flux=PROMPT (enqueue an AI image)');
  const take = sampler('queue object: take the job (do_fetch)');
  const alarm = sampler('queue object alarm: one job (model answer 1280x720 JPEG)');
  const ctx = { object: 'flux', state: {}, alarm: null };
  return {
    samplers: [enqueue, take, alarm],
    async step(i, measured) {
      const u = user(userId(99, i));
      tgCalls.length = 0;
      lastDoFetch = null;
      const r0 = await timedRequest(enqueue, measured, 'webhook', telegramRequest(message(u, `/image=flux=a lighthouse at dusk number ${i}`)));
      const enq = lastDoFetch;
      if (r0.status !== 200 || !enq) throw new Error(`enqueue: ${r0.status}, queue object called: ${!!enq}`);
      const ev = { kind: 'do_fetch', object: 'flux', incarnation: 'bench', request: { method: enq.req.method ?? 'POST',
        url: `https://do.internal${enq.req.path}`, path: enq.req.path, query: '', headers: { 'content-type': 'application/json', 'x-object-name': 'flux' } } };
      const rf = await timedRequest(take, measured, 'generate', { event: ev, eventBody: enq.body, ctx });
      if (rf.status >= 400) throw new Error(`queue object fetch: ${rf.status} ${Buffer.from(rf.body).toString().slice(0, 200)}`);
      const calls0 = tgCalls.length;
      const r = await timedRequest(alarm, measured, 'generate', { event: { kind: 'alarm', object: 'flux', incarnation: 'bench', retry_count: 0 }, ctx });
      if (r.status >= 400 || !sent(calls0).includes('sendPhoto')) {
        throw new Error(`alarm: status ${r.status}, calls ${sent(calls0).join(',')}`);
      }
    },
  };
}
let lastDoFetch = null;
const plainDoFetch = bindings.do_fetch;
bindings.do_fetch = (req, body, ctx) => { lastDoFetch = { req, body }; return plainDoFetch(req, body, ctx); };

try {
  // A real JPEG for the model's answers and the gallery's objects.
  const thumb = await handle('render', { pathName: '/thumbnail', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'A lighthouse at dusk' }) });
  modelImage = thumb.body;
  const load0 = loadavg()[0];
  const steppers = routes.map((route, i) => (!ONLY || route.name.includes(ONLY) ? routeStepper(route, i) : null)).filter(Boolean);
  if (!ONLY || 'alarm'.includes(ONLY)) steppers.push(alarmStepper());
  const counters = steppers.map(() => 0);
  for (const [k, st] of steppers.entries()) for (let i = 0; i < WARMUP; i++) await st.step(counters[k]++, false);
  for (let done = 0; done < RUNS; done += ROUND) {
    for (const [k, st] of steppers.entries()) {
      for (let i = 0; i < Math.min(ROUND, RUNS - done); i++) await st.step(counters[k]++, true);
    }
  }
  const results = steppers.flatMap((st) => st.samplers.map(result));
  for (const r of results) console.log(JSON.stringify(r));
  const meta = { date: new Date().toISOString(), node: process.version, cpus: `${cpus().length} x ${cpus()[0].model}`,
    loadavg_before: load0, loadavg_after: loadavg()[0], runs: RUNS, warmup: WARMUP, round: ROUND, jspi: false,
    modules: MODULES, asyncify: modules.webhook.asyncify, command: `node ${process.argv.slice(1).map((a) => path.relative(ROOT, a) || a).join(' ')}` };
  console.log(JSON.stringify(meta));
  if (OUT) writeFileSync(OUT, JSON.stringify({ meta, results }, null, 1) + '\n');
} finally {
  db.close();
}
