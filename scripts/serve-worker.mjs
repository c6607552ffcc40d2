// Serves the Worker in local workerd through Miniflare directly, for the integration tests and the
// queue benchmark (tests/integration/harness.mjs starts it as a child process):
//
//   node scripts/serve-worker.mjs <runtime.json> <port> <state folder>
//
// runtime.json is what `runtimeOptions(<wrangler.toml>)` below returns (the harness writes it at
// each start, so a restart takes an edited .dev.vars). wrangler reads the config, but is loaded
// only when its answer is not cached yet (below), never in the runtime's own process.
//
// The same runtime `wrangler dev` runs (the miniflare and workerd packages wrangler itself uses),
// with the same bindings (wrangler turns the config and the .dev.vars beside it into Miniflare
// options: D1, R2, the Durable Object, static assets, the rate limiter, vars), the same local
// state layout (<state>/v3, what `--persist-to <state>` uses), the cron endpoints
// (/cdn-cgi/handler/scheduled, and /__scheduled as `wrangler dev --test-scheduled` has it) and the
// draining of unread request bodies (entryModule below). What
// it leaves out is what a deployed Worker does not have either: wrangler's node proxy in front of
// workerd (which costs CPU per request and answers 503 "restarted mid-request" under load) and the
// devtools inspector (a fetch of one asset file took 348 ms with it, 13 ms without).
//
// Before it answers, it applies the D1 migrations that are not applied yet, as `wrangler d1
// migrations apply --local` does (the same statement splitting, one batch per migration, recorded
// in d1_migrations), on the runtime it has already started (wrangler starts a workerd per
// migration for that). It prints `ready <url>` once the
// Worker answers. One process group: the harness's SIGKILL takes workerd down with it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

// wrangler.toml (and the .dev.vars beside it) -> what the runtime needs, as JSON: the Miniflare
// options wrangler makes of the config, the entry point, and each migration's statements.
//
// What wrangler makes of the config alone is kept in a cache under the system's temp folder,
// keyed by the config's text, the migrations' text and wrangler's version: every test file runs
// in its own process, and loading wrangler costs about 2 CPU seconds each time (as much as the
// rest of a start). The .dev.vars beside the config is read at every call and laid over the
// config's vars as wrangler does (its values win), with Node's parser of the same format
// (util.parseEnv; wrangler uses the dotenv package). The key holds no folder: a config whose paths
// (main, migrations_dir, assets) are relative should not share a cache entry with another folder's,
// so the harness writes them absolute.
export async function runtimeOptions(configPath) {
  const toml = readFileSync(configPath, 'utf8');
  const wranglerVersion = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/wrangler/package.json'), 'utf8')).version;
  const migrationsDir = toml.match(/^migrations_dir = "(.*)"$/m)?.[1];
  const hash = createHash('sha256').update(`${wranglerVersion}\n${toml}`);
  if (migrationsDir && path.isAbsolute(migrationsDir)) {
    for (const f of readdirSync(migrationsDir).sort()) hash.update(`\n${f}\n`).update(readFileSync(path.join(migrationsDir, f)));
  }
  const cacheDir = path.join(tmpdir(), `codeimage-runtime-options-${process.getuid?.() ?? 0}`);
  const cached = path.join(cacheDir, `${hash.digest('hex')}.json`);
  let opts;
  try {
    opts = JSON.parse(readFileSync(cached, 'utf8'));
  } catch {
    opts = await configOptions(configPath);
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${cached}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify(opts));
    renameSync(tmp, cached);
  }
  const devVars = path.join(path.dirname(configPath), '.dev.vars');
  if (existsSync(devVars)) Object.assign(opts.workerOptions.bindings, parseEnv(readFileSync(devVars, 'utf8')));
  return opts;
}

async function configOptions(configPath) {
  process.env.WRANGLER_LOG ??= 'warn';
  const wrangler = await import('wrangler');
  const config = wrangler.unstable_readConfig({ config: configPath });
  // The config's own vars only: .dev.vars is laid over them at every start (runtimeOptions).
  const { workerOptions } = wrangler.unstable_getMiniflareWorkerOptions(config, undefined, { envFiles: ['.no-dev-vars-here'] });
  const [d1] = config.d1_databases;
  const dir = path.resolve(path.dirname(configPath), d1.migrations_dir ?? 'migrations');
  const migrations = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort().map((name) => ({
    name,
    statements: wrangler.unstable_splitSqlQuery(readFileSync(path.join(dir, name), 'utf8') +
      `\nINSERT INTO d1_migrations (name) values ('${name}');\n`),
  }));
  return { name: config.name, main: path.resolve(path.dirname(configPath), config.main), workerOptions, d1: d1.binding, migrations };
}

// The modules the entry point imports, followed from file to file (wrangler dev bundles them with
// esbuild; workerd takes them as they are). A JSON import becomes a module exporting the value,
// which is what esbuild makes of it. Only static imports of relative paths: host/ has no others
// besides cloudflare:*.
function collectModules(entry) {
  const seen = new Map();
  const visit = (file) => {
    if (seen.has(file)) return;
    if (file.endsWith('.wasm')) {
      seen.set(file, { type: 'CompiledWasm', path: file, contents: readFileSync(file) });
      return;
    }
    if (file.endsWith('.json')) {
      seen.set(file, { type: 'ESModule', path: file, contents: `export default ${readFileSync(file, 'utf8')};\n` });
      return;
    }
    const code = readFileSync(file, 'utf8');
    seen.set(file, { type: 'ESModule', path: file, contents: code });
    for (const m of code.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/gm)) visit(path.resolve(path.dirname(file), m[1]));
  };
  visit(entry);
  return [...seen.values()];
}

// The two middlewares of wrangler dev's bundle the tests rely on (node_modules/wrangler/templates/
// middleware/): `--test-scheduled`'s GET /__scheduled?cron=EXPR, which runs the scheduled handler,
// and ensure-req-body-drained: a body the Worker did not read (a 413 for an oversize upload) is
// read to its end after the answer, as Cloudflare's edge does for the client, where workerd alone
// would close the connection under the sender and the client would see a reset, not the 413.
function entryModule(main) {
  const base = `./${path.basename(main)}`;
  return {
    type: 'ESModule',
    path: path.join(path.dirname(main), '__serve_entry.mjs'),
    contents: `import worker from '${base}';
export * from '${base}';
async function drain(request) {
  try {
    if (request.body !== null && !request.bodyUsed) {
      const reader = request.body.getReader();
      while (!(await reader.read()).done) {}
    }
  } catch (e) {
    console.error('Failed to drain the unused request body.', e);
  }
}
export default {
  ...worker,
  async fetch(request, env, ctx) {
    try {
      const url = new URL(request.url);
      if (url.pathname === '/__scheduled') {
        await worker.scheduled({ cron: url.searchParams.get('cron') ?? '', scheduledTime: Date.now(), noRetry() {} }, env, ctx);
        return new Response('Ran scheduled event');
      }
      return await worker.fetch(request, env, ctx);
    } finally {
      await drain(request);
    }
  },
};
`,
  };
}

async function serve(optionsPath, port, state) {
  const { Log, LogLevel, Miniflare } = await import('miniflare');
  const opts = JSON.parse(readFileSync(optionsPath, 'utf8'));
  const mf = new Miniflare({
    host: '127.0.0.1',
    port,
    defaultPersistRoot: path.join(state, 'v3'), // where `--persist-to <state>` keeps D1, R2, DO
    unsafeTriggerHandlers: true, // /cdn-cgi/handler/scheduled, as wrangler dev has it
    cf: false, // the built-in request.cf, never a fetch of Cloudflare's
    log: new Log(LogLevel.INFO),
    logRequests: false, // as wrangler dev runs it
    workers: [{
      name: opts.name,
      ...opts.workerOptions,
      modulesRoot: path.parse(opts.main).root,
      modules: [entryModule(opts.main), ...collectModules(opts.main)],
    }],
  });
  const url = await mf.ready;
  const db = await mf.getD1Database(opts.d1);
  await db.exec('CREATE TABLE IF NOT EXISTS d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);');
  const applied = new Set((await db.prepare('SELECT name FROM d1_migrations').all()).results.map((r) => r.name));
  for (const m of opts.migrations) {
    if (!applied.has(m.name)) await db.batch(m.statements.map((q) => db.prepare(q)));
  }
  console.log(`ready ${url.origin}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const [optionsPath, port, state] = process.argv.slice(2);
  if (!optionsPath || !port || !state) {
    console.error('usage: node scripts/serve-worker.mjs <runtime.json> <port> <state folder>');
    process.exit(2);
  }
  await serve(optionsPath, Number(port), state);
}
