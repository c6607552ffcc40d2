// The JavaScript peer: shiki (TextMate grammars, Oniguruma engine) -> satori (layout to SVG with a
// monospace font) -> @resvg/resvg-wasm (raster to PNG), all in-process under Node.
//
// usage: node bench/render/shiki_stack.mjs MANIFEST.json OUT_DIR RUNS
// Prints one JSON object per input. The timed part is one image end to end: highlight to tokens,
// build the element tree, satori to SVG, resvg to PNG. One-time set-up (loading grammars, the font
// and the wasm) happens before the warm-up and is not timed, as for our module's instantiation.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createHighlighter } from 'shiki';
import satori from 'satori';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import { median, pngInfo } from './stats.mjs';

const require = createRequire(import.meta.url);
const FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf';
const FONT_SIZE = 14;
const LINE_HEIGHT = 18; // px (Pygments' ImageFormatter packs 14 px text at 15 px a line)
const PAD = 16;
const ADVANCE = FONT_SIZE * (1233 / 2048); // DejaVu Sans Mono advance width
const THEME = 'monokai';

const [manifestFile, outDir, runsArg] = process.argv.slice(2);
const runs = Number(runsArg);
const inputs = JSON.parse(readFileSync(manifestFile, 'utf8'));

const font = readFileSync(FONT_FILE);
await initWasm(readFileSync(path.join(path.dirname(require.resolve('@resvg/resvg-wasm')), 'index_bg.wasm')));
const highlighter = await createHighlighter({ themes: [THEME], langs: ['python', 'cpp', 'javascript', 'perl'] });
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const version = (name) => JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

function element(type, style, children) {
  return { type, props: { style, children } };
}

async function render(code, lang) {
  const { tokens, bg, fg } = highlighter.codeToTokens(code, { lang, theme: THEME });
  // A final newline ends the last line; it does not start an empty one (as in Pygments).
  if (tokens.length > 1 && tokens[tokens.length - 1].length === 0) tokens.pop();
  const gutter = String(tokens.length).length;
  let maxCols = 0;
  const lines = tokens.map((line, i) => {
    let cols = 0;
    const spans = line.map((t) => {
      cols += t.content.length;
      const style = { color: t.color ?? fg };
      if (t.fontStyle & 1) style.fontStyle = 'italic';
      return element('span', style, t.content);
    });
    maxCols = Math.max(maxCols, cols);
    const number = element('span', { color: '#90908a', width: (gutter + 2) * ADVANCE }, String(i + 1).padStart(gutter));
    return element('div', { display: 'flex', height: LINE_HEIGHT, whiteSpace: 'pre' }, [number, ...spans]);
  });
  const width = Math.ceil(2 * PAD + (gutter + 2 + maxCols) * ADVANCE);
  const height = 2 * PAD + tokens.length * LINE_HEIGHT;
  const root = element(
    'div',
    { display: 'flex', flexDirection: 'column', width, height, padding: PAD, backgroundColor: bg, fontFamily: 'DejaVu Sans Mono', fontSize: FONT_SIZE, lineHeight: `${LINE_HEIGHT}px` },
    lines,
  );
  const svg = await satori(root, { width, height, fonts: [{ name: 'DejaVu Sans Mono', data: font, weight: 400, style: 'normal' }] });
  const resvg = new Resvg(svg, { font: { loadSystemFonts: false } });
  const image = resvg.render();
  const png = image.asPng();
  image.free();
  resvg.free();
  return png;
}

for (const inp of inputs) {
  const code = readFileSync(inp.file, 'utf8');
  let png = await render(code, inp.language); // two warm-ups: the JIT, and the wasm (run with --no-liftoff)
  png = await render(code, inp.language);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    png = await render(code, inp.language);
    times.push(performance.now() - t0);
  }
  const out = path.join(outDir, `shiki-${inp.name}.png`);
  writeFileSync(out, png);
  const { width, height } = pngInfo(png);
  console.log(JSON.stringify({
    tool: 'shiki', input: inp.name, runs, median_ms: median(times), min_ms: Math.min(...times), times,
    png_bytes: png.length, width, height, output: out,
    version: `shiki ${version('shiki')}, satori ${version('satori')}, @resvg/resvg-wasm ${version('@resvg/resvg-wasm')}`,
  }));
}
