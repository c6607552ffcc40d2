// Where the first load of an asset font goes (issue 25 part 5): one fresh Node process per font,
// render.wasm under host/runtime.mjs as in bench/render/scripts.mjs (default V8 tiers: Liftoff
// first, as a new isolate runs code it has not run yet). The first render needing the font is cut
// into phases by the host's marks (host/runtime.mjs markAssets):
//
//   pass 1    the render up to "need fonts/X" (the module answers x-host-need-assets)
//   read      the host loads the file (here fs.readFile; in the Worker the ASSETS binding)
//   room      pass 2 up to host_take_result: the module makes room (a zeroed std::vector)
//   copy      host_take_result copies the bytes into wasm memory
//   open+draw the rest of pass 2: FreeType opens the face (HarfBuzz its face for a shaped or colour
//             font), the glyphs decode, the image is painted and encoded
//   - warm    the same render again, fonts loaded: what open+draw costs beyond it is the font's
//
//   node bench/render/font_load_profile.mjs [FONT...]     (default: every asset font of the build)
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { loadRenderModule, callRender, wranglerVars, ROOT } from '../../host/cli/render.mjs';
import { assetLoadMs, markAssets } from '../../host/runtime.mjs';
import { FONT_SAMPLES, ASSET_FILES } from './font_samples.mjs';

const request = (code) => ({ code, filename: 'bench.py', language: 'python', theme: 'monokai', font_size: 14,
  line_numbers: true, scale: 1, format: 'png' });

if (process.argv[2] === '--child') {
  const font = process.argv[3];
  const mod = await loadRenderModule({ settings: wranglerVars() });
  await callRender(mod, request('x = 1\n'));
  const code = FONT_SAMPLES[font] + '\nx = 1\n';
  const marks = markAssets(true);
  const t0 = performance.now();
  const r = await callRender(mod, request(code));
  const t1 = performance.now();
  markAssets(false);
  if (r.status !== 200) throw new Error(`${font}: status ${r.status}`);
  const warm = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await callRender(mod, request(code));
    warm.push(performance.now() - t);
  }
  warm.sort((a, b) => a - b);
  const at = (ev) => marks.find((m) => m[0] === ev && m[1] === `fonts/${font}`)?.[2];
  const read = assetLoadMs[`fonts/${font}`]?.ms;
  const others = Object.keys(assetLoadMs).filter((n) => n !== `fonts/${font}`);
  console.log(JSON.stringify({ font, first_ms: t1 - t0, warm_ms: warm[2], read_ms: read, others,
    pass1_ms: at('asked') - t0 - read, room_ms: at('take') - at('asked'), copy_ms: at('copied') - at('take'),
    after_ms: t1 - at('copied') }));
  process.exit(0);
}

const fonts = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(FONT_SAMPLES);
const bytes = Object.fromEntries(ASSET_FILES.map((f) => [f.file.replace('fonts/', ''), f.bytes]));
console.log(`Load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; ms, one fresh process per font:\n`);
console.log('| font | bytes | first | pass 1 | read | room | copy | open+draw | warm | open+draw - warm |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const font of fonts) {
  const out = execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--child', font], { cwd: ROOT, encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop());
  const f = (x) => (x === undefined || Number.isNaN(x) ? '?' : x.toFixed(1));
  console.log(`| ${font} | ${bytes[font] ?? '?'} | ${f(r.first_ms)} | ${f(r.pass1_ms)} | ${f(r.read_ms)} | ${f(r.room_ms)} | ${f(r.copy_ms)} | ${f(r.after_ms)} | ${f(r.warm_ms)} | ${f(r.after_ms - r.warm_ms)} |${r.others.length ? ` also loaded: ${r.others.join(', ')}` : ''}`);
}
