// Ours: the shipped build/wasm/modules/render.wasm under Node, through the CLI's own code path
// (host/cli/render.mjs -> host/runtime.mjs FunctionModule), one module instance for all runs.
//
// usage: node bench/render/ours.mjs MANIFEST.json OUT_DIR RUNS
// Prints one JSON object per input and variant. The timed part is one `mod.call` (event in,
// PNG out), after a warm-up; compiling and instantiating the module is not timed.
// Each input also runs once on a fresh instance, whose linear memory size afterwards is the peak
// the module needed for that image (wasm memory only grows): `wasm_memory_bytes`.
// Exit status 3 means the module has no /render route yet (the result is "pending"). An input the
// module refuses with 413 (too large an image) is recorded as {refused: message}.
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadRenderModule, callRender, errorMessage, wranglerVars, DEFAULT_WASM } from '../../host/cli/render.mjs';
import { FunctionModule } from '../../host/runtime.mjs';
import { median, pngInfo } from './stats.mjs';

const [manifestFile, outDir, runsArg] = process.argv.slice(2);
const runs = Number(runsArg);
const inputs = JSON.parse(readFileSync(manifestFile, 'utf8'));

// default: what the bot sends (window frame and shadow on); plain: the same text without them,
// the closest match to Pygments' and the shiki stack's bare code block.
const VARIANTS = {
  default: {},
  plain: { window: false, shadow: false },
};

// The Worker's own settings (wrangler.toml [vars]), unchanged.
const mod = await loadRenderModule({ settings: wranglerVars() });
const wasmBytes = statSync(process.env.RENDER_WASM || DEFAULT_WASM).size;

for (const inp of inputs) {
  const code = readFileSync(inp.file, 'utf8');
  const lines = code.split('\n').length;
  for (const [variant, extra] of Object.entries(VARIANTS)) {
    const request = {
      code, filename: path.basename(inp.file), language: inp.language, theme: 'monokai', font_size: 14,
      line_numbers: true, scale: 1, format: 'png', max_lines: lines, ...extra,
    };
    // Peak memory: one call on a new instance of the same compiled module (not timed).
    const fresh = new FunctionModule('render', mod.compiled, mod.bindings, mod.settings);
    await callRender(fresh, request);
    const wasmMemory = fresh.idle[0]?.memory.buffer.byteLength;
    let result = await callRender(mod, request); // warm-up (run.sh also gives node --no-liftoff)
    if (result.status < 400) result = await callRender(mod, request);
    if (result.status === 413) {
      // The module refuses images past its limits (RENDER_MAX_* settings, a pixel budget): recorded as such.
      console.log(JSON.stringify({ tool: variant === 'default' ? 'ours' : `ours-${variant}`, input: inp.name, refused: `${result.status} ${errorMessage(result)}`, wasm_memory_bytes: wasmMemory }));
      continue;
    }
    if (result.status >= 400) {
      const msg = errorMessage(result);
      console.error(`ours: ${inp.name}: ${result.status} ${msg}`);
      process.exit(result.status === 404 ? 3 : 1);
    }
    const times = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      result = await callRender(mod, request);
      times.push(performance.now() - t0);
    }
    const png = result.body;
    const out = path.join(outDir, `ours-${variant}-${inp.name}.png`);
    writeFileSync(out, png);
    const { width, height } = pngInfo(png);
    console.log(JSON.stringify({
      tool: variant === 'default' ? 'ours' : `ours-${variant}`, input: inp.name, runs,
      median_ms: median(times), min_ms: Math.min(...times), times, png_bytes: png.length, width, height, output: out,
      version: `render.wasm ${wasmBytes} bytes`, wasm_memory_bytes: wasmMemory,
    }));
  }
}
