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
  // Five rounds; each module's median, so one noisy round does not decide.
  const rounds = [];
  for (let i = 0; i < 5; i++) rounds.push(await startupTimes());
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = rounds[0].map((r, k) => ({ ...r,
    compile_ms: med(rounds.map((x) => x[k].compile_ms)),
    instantiate_ms: med(rounds.map((x) => x[k].instantiate_ms)) }));
  const total = rows.reduce((a, r) => a + r.compile_ms + r.instantiate_ms, 0);
  const outIdx = process.argv.indexOf('--out');
  if (outIdx > 0) {
    const { writeFileSync } = await import('node:fs');
    const os = await import('node:os');
    const lines = [
      '# Bundle size and start-up', '',
      `Recorded ${new Date().toISOString()} on ${os.cpus().length} cores (${os.cpus()[0]?.model}), Node ${process.version}.`,
      `Command: \`node bench/startup/measure.mjs --out ${process.argv[outIdx + 1]}\` (after \`make wasm\`).`, '',
      'The bundle is what `wrangler deploy --dry-run --outdir` produces (the JS host and every wasm module).',
      'Compile and instantiate are Node 20 (V8) timings, the median of 5 rounds, each module compiled from bytes as',
      'a cold isolate does (V8 compiles function bodies lazily, so first calls pay a little more); Workers allow 1 s of start-up and 3 MB gzipped on the free plan (10 MB paid).', '',
      `Bundle: ${bundle.raw} bytes raw, ${bundle.gz} bytes gzipped (${bundle.files.length} files).`, '',
      '| module | bytes | gzip -9 | compile ms | instantiate ms |', '| --- | ---: | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.module} | ${r.bytes} | ${r.gzip} | ${r.compile_ms} | ${r.instantiate_ms} |`),
      `| all | ${rows.reduce((a, r) => a + r.bytes, 0)} | ${rows.reduce((a, r) => a + r.gzip, 0)} | | ${total.toFixed(1)} (compile + instantiate) |`, ''];
    writeFileSync(process.argv[outIdx + 1], lines.join('\n'));
  }
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
