// Smoke probe of a deployed (or local) Worker: what a deployment must do before users reach it.
//   node scripts/smoke.mjs https://codeimage-bot.example.workers.dev     (make smoke URL=...)
// 1. GET /healthz answers 200 with JSPI, the D1/R2/Durable Object bindings and a compatibility date;
// 2. POST /render draws a PNG (with RENDER_API_KEY from the environment when the Worker wants one);
// 3. POST /telegram without the webhook secret is refused (401), so strangers cannot post updates.
// Prints one line per check and exits 1 if any failed.
const base = (process.argv[2] ?? process.env.URL ?? '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(base)) {
  console.error('usage: node scripts/smoke.mjs URL   (or make smoke URL=https://...)');
  process.exit(2);
}

const checks = [];
async function check(name, fn) {
  try {
    const detail = await fn();
    checks.push({ name, ok: true, detail });
  } catch (err) {
    checks.push({ name, ok: false, detail: err.message });
  }
}
const get = (path, init = {}) => fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(20000) });

await check('healthz', async () => {
  const res = await get('/healthz');
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { throw new Error(`HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`); }
  if (res.status !== 200 || body.ok !== true) {
    throw new Error(`HTTP ${res.status}, missing: ${(body.missing ?? []).join(', ') || 'nothing named'}`);
  }
  const rt = body.runtime;
  if (!rt) throw new Error('no runtime section: an older host?');
  const lacks = [];
  if (rt.jspi !== true) lacks.push('jspi');
  for (const b of ['DB', 'BUCKET', 'MODEL_QUEUE']) if (!rt.bindings?.includes(b)) lacks.push(`binding ${b}`);
  if (!rt.compatibility_date) lacks.push('compatibility_date');
  if (lacks.length) throw new Error(`runtime lacks ${lacks.join(', ')}`);
  const unset = Object.entries(body.config ?? {}).filter(([, v]) => v !== 'ok').map(([k]) => k);
  return `version ${body.version}, compatibility ${rt.compatibility_date}, bindings ${rt.bindings.join(' ')}` +
    (unset.length ? `; settings not usable: ${unset.join(', ')}` : '');
});

await check('render', async () => {
  const headers = { 'content-type': 'application/json' };
  if (process.env.RENDER_API_KEY) headers.authorization = `Bearer ${process.env.RENDER_API_KEY}`;
  const res = await get('/render', { method: 'POST', headers,
    body: JSON.stringify({ code: 'def smoke():\n    return "ok"\n', language: 'python' }) });
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (res.status === 401) throw new Error('HTTP 401: set RENDER_API_KEY in the environment to probe a protected /render');
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${new TextDecoder().decode(bytes.slice(0, 200))}`);
  const png = [0x89, 0x50, 0x4e, 0x47];
  if (!png.every((b, i) => bytes[i] === b)) throw new Error(`HTTP 200 but not a PNG (${res.headers.get('content-type')})`);
  return `PNG of ${bytes.length} bytes`;
});

await check('webhook refuses a wrong secret', async () => {
  const res = await get('/telegram', { method: 'POST', headers: { 'content-type': 'application/json',
    'x-telegram-bot-api-secret-token': 'smoke-probe-wrong-secret' }, body: '{"update_id":1}' });
  const text = await res.text();
  if (res.status !== 401) throw new Error(`HTTP ${res.status} instead of 401: ${text.slice(0, 200)}`);
  return 'HTTP 401';
});

for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
const failed = checks.filter((c) => !c.ok).length;
console.log(`smoke ${base}: ${checks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
