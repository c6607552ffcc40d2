// Starts the real Worker in local workerd with its own local D1, R2 and Durable Object state in a
// temporary folder, so each test file gets a clean, isolated stack. The runtime is workerd through
// Miniflare (scripts/serve-worker.mjs): the bindings wrangler makes of wrangler.toml, without
// `wrangler dev`'s node proxy and devtools inspector in front, as a deployed Worker has neither.
// `make run` stays on `wrangler dev`.
//
//   const w = await startWorker({ vars: { ENABLE_DIAGNOSTICS: 'true' } });
//   const res = await fetch(`${w.url}/healthz`);
//   await w.stop();
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const SERVE = path.join(ROOT, 'scripts/serve-worker.mjs');
const { runtimeOptions } = await import(SERVE);

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

// Settings every test Worker gets unless a test overrides them: real-looking secrets so that
// routes are enabled, diagnostics on, and the Telegram API pointed at nothing reachable.
export const TEST_SECRETS = {
  TELEGRAM_BOT_TOKEN: '123456789:TEST-token-for-local-runs-only',
  WEBHOOK_SECRET: 'test-webhook-secret-0123456789',
  ENABLE_DIAGNOSTICS: 'true',
  TELEGRAM_API_BASE: 'http://127.0.0.1:9',
};

// TEST_HOST=asyncify runs the Worker as a runtime without JSPI would: the same host, JSPI forced
// off, and the Asyncify build of the modules (build/wasm/modules-asyncify) in place of the usual
// ones. `make test` runs tests/integration/webhook.test.mjs this way once.
export const ASYNCIFY = process.env.TEST_HOST === 'asyncify';

function entryPoint(dir) {
  if (!ASYNCIFY) return path.join(ROOT, 'host/worker.mjs');
  const app = path.join(dir, 'app');
  mkdirSync(path.join(app, 'build/wasm'), { recursive: true });
  cpSync(path.join(ROOT, 'host'), path.join(app, 'host'), { recursive: true });
  cpSync(path.join(ROOT, 'build/wasm/modules-asyncify'), path.join(app, 'build/wasm/modules'), { recursive: true });
  return path.join(app, 'host/worker.mjs');
}

// Writes a wrangler config into a temp folder (with a .dev.vars beside it, which is where wrangler
// looks for secrets) that points back at the project's entry point and migrations
// (scripts/serve-worker.mjs applies them).
// The per-client limit of the public routes is the shipped one only where a test asks for
// `publicLimit`; other tests call /render far more often than one client would.
// The static assets binding (the render module's large fonts) only where a test asks for `assets`:
// with [assets] configured, wrangler 4.86's local /cdn-cgi/handler/scheduled answers 500 (it tries
// to reach workers.cloudflare.com), which the cron tests need. Without the binding, text in
// those scripts renders as boxes.
function writeConfig(dir, vars, publicLimit, assets) {
  let toml = readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8');
  if (!assets) toml = toml.replace(/^\[assets\]\n(?:[a-z_]+ = .*\n)+/m, '');
  toml = toml
    .replace(/^main = .*$/m, `main = "${entryPoint(dir)}"`)
    .replace(/^migrations_dir = .*$/m, `migrations_dir = "${path.join(ROOT, 'migrations')}"`)
    .replace(/^directory = "\.\/build\/assets"$/m, `directory = "${path.join(ROOT, 'build/assets')}"`)
    .replace(/^simple = \{ limit = \d+/m, `simple = { limit = ${publicLimit ?? 1000000}`);
  writeFileSync(path.join(dir, 'wrangler.toml'), toml);
  // dotenv keeps backslashes inside "...", so JSON values (MODELS, STAR_PACKS) go in '...', which
  // it takes literally.
  const quote = (s) => (s.includes('"') && !/['\n]/.test(s) ? `'${s}'` : JSON.stringify(s));
  const lines = Object.entries(vars).map(([k, v]) => `${k}=${quote(String(v))}`);
  writeFileSync(path.join(dir, '.dev.vars'), lines.join('\n') + '\n');
  return path.join(dir, 'wrangler.toml');
}

// `port`: a port chosen beforehand (freePort), for settings that must name the Worker's own URL.
export async function startWorker({ vars = {}, timeoutMs = 60000, publicLimit, assets = false, port: fixedPort } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'worker-'));
  const config = writeConfig(dir, { ...TEST_SECRETS, ...(ASYNCIFY ? { HOST_FORCE_NO_JSPI: 'true' } : {}), ...vars }, publicLimit, assets);
  const state = path.join(dir, 'state');
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', CI: 'true' };
  const port = fixedPort ?? await freePort();
  let child = await launch({ dir, config, state, env, port, timeoutMs });
  if (ASYNCIFY) {
    // Proof that the run really is the Asyncify one, not JSPI.
    const rt = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).runtime;
    if (rt?.jspi !== false || rt?.asyncify !== true) throw new Error(`TEST_HOST=asyncify but the runtime says ${JSON.stringify(rt)}`);
  }
  const exited = (c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.on('exit', r)));
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    get pid() { return child.pid; },
    log: () => child.log,
    // Kills the runtime, node and workerd, at once (SIGKILL to the process group: no shutdown, no flush),
    // as a crashed machine would; the local D1, R2 and Durable Object state stay on disk.
    async kill() {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      await exited(child);
    },
    // Starts workerd again on the same port and the same state folder.
    async restart() {
      child = await launch({ dir, config, state, env, port, timeoutMs });
    },
    async stop() {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launch({ dir, config, state, env, port, timeoutMs }) {
  // The options are made again at every start: a restart takes an edited .dev.vars, as wrangler's.
  const options = path.join(dir, 'runtime.json');
  writeFileSync(options, JSON.stringify(await runtimeOptions(config)));
  const child = spawn(process.execPath, [SERVE, options, String(port), state],
    { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.log = '';
  child.stdout.on('data', (d) => { child.log += d; });
  child.stderr.on('data', (d) => { child.log += d; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the runtime exited early:\n${child.log}`);
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      // 503: up, but reporting a missing runtime feature (tests/integration/runtime.test.mjs).
      // Only our Worker's own answer counts, and only once the migrations are applied.
      const body = await r.json().catch(() => null);
      if ((r.status === 200 || r.status === 503) && body && typeof body.runtime === 'object' && /^ready /m.test(child.log)) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      process.kill(-child.pid, 'SIGKILL');
      throw new Error(`the runtime did not answer /healthz within ${timeoutMs} ms:\n${child.log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

// Polls `check` (async, returns a truthy value when done) until it succeeds or the time is up.
export async function waitFor(check, { timeoutMs = 10000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
