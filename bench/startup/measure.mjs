// Bundle size and start-up cost: builds the deployable bundle offline (wrangler deploy --dry-run)
// and times compiling + instantiating every wasm module the way the Worker does at first request.
// Workers allow 1 s of start-up; the bundle limits are 3 MB gzipped (free) / 10 MB (paid).
//
//   node bench/startup/measure.mjs [--json]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export function buildBundle() {
  const out = mkdtempSync(path.join(tmpdir(), 'bundle-'));
  execFileSync(path.join(ROOT, 'node_modules/.bin/wrangler'),
    ['deploy', '--dry-run', '--outdir', out], { cwd: ROOT, stdio: 'pipe',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
  const files = readdirSync(out, { recursive: true })
    .map((f) => path.join(out, f)).filter((f) => statSync(f).isFile());
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const bytes = readFileSync(f);
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  return { dir: out, files: files.map((f) => path.relative(out, f)), raw, gz };
}

// Stub imports: instantiation only needs the right shapes.
function stubImports(mod) {
  const imports = {};
  for (const imp of WebAssembly.Module.imports(mod)) {
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = () => 0;
  }
  return imports;
}

export async function startupTimes() {
  const dir = path.join(ROOT, 'build/wasm/modules');
  const rows = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.wasm')).sort()) {
    const bytes = readFileSync(path.join(dir, f));
    const t0 = performance.now();
    const mod = await WebAssembly.compile(bytes);
    const t1 = performance.now();
    const inst = await WebAssembly.instantiate(mod, stubImports(mod));
    inst.exports._initialize?.();
    const t2 = performance.now();
    rows.push({ module: f, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length,
      compile_ms: +(t1 - t0).toFixed(2), instantiate_ms: +(t2 - t1).toFixed(2) });
  }
  return rows;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const bundle = buildBundle();
  rmSync(bundle.dir, { recursive: true, force: true });
  const rows = await startupTimes();
  const total = rows.reduce((a, r) => a + r.compile_ms + r.instantiate_ms, 0);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ bundle: { raw: bundle.raw, gzip: bundle.gz }, modules: rows, total_ms: total }));
  } else {
    console.log(`bundle: ${bundle.raw} bytes raw, ${bundle.gz} bytes gzipped (${bundle.files.length} files)`);
    for (const r of rows) {
      console.log(`${r.module}: ${r.bytes} B raw, ${r.gzip} B gz, compile ${r.compile_ms} ms, instantiate ${r.instantiate_ms} ms`);
    }
    console.log(`all modules compiled and instantiated in ${total.toFixed(1)} ms`);
  }
}
