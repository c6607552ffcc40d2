#!/usr/bin/env node
// The README's grid of themes: one small sample per theme drawn by our own render module
// (build/wasm/modules/render.wasm, the one the Worker ships, through host/cli), titled with the
// theme's name, laid out in a grid with sharp (a dev dependency already used by the bench).
//
//   make wasm && node scripts/theme_grid.mjs [--out docs/images/themes.png] [--columns 5]
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { ROOT, loadRenderModule, callRender } from '../host/cli/render.mjs';

const { values } = parseArgs({ options: {
  out: { type: 'string', default: path.join(ROOT, 'docs/images/themes.png') },
  columns: { type: 'string', default: '5' },
} });

const SAMPLE = `@dataclass
class Point:
    x: float = 0.0  # metres

    def scaled(self, k: int) -> "Point":
        return Point(self.x * k)
`;

const mod = await loadRenderModule();
const listed = await mod.call({ kind: 'fetch', request: { method: 'GET', url: 'http://cli/render/themes',
  path: '/render/themes', query: '', headers: {} } }, new Uint8Array(), {});
const { themes } = JSON.parse(new TextDecoder().decode(listed.body));

const tiles = [];
for (const t of themes) {
  const r = await callRender(mod, { code: SAMPLE, filename: 'point.py', title: t.name, theme: t.name,
    font_size: 13, shadow: false, line_numbers: false });
  if (r.status !== 200) throw new Error(`${t.name}: ${r.status} ${new TextDecoder().decode(r.body)}`);
  const png = Buffer.from(r.body);
  const { width, height } = await sharp(png).metadata();
  tiles.push({ png, width, height });
}

const columns = Number(values.columns);
const gap = 12;
const cellW = Math.max(...tiles.map((t) => t.width));
const cellH = Math.max(...tiles.map((t) => t.height));
const rows = Math.ceil(tiles.length / columns);
const width = columns * cellW + (columns + 1) * gap;
const height = rows * cellH + (rows + 1) * gap;
const composite = tiles.map((t, i) => ({ input: t.png,
  left: gap + (i % columns) * (cellW + gap), top: gap + Math.floor(i / columns) * (cellH + gap) }));
await sharp({ create: { width, height, channels: 3, background: '#8a8f98' } })
  .composite(composite).png({ palette: true, colours: 256, compressionLevel: 9 }).toFile(values.out);
console.log(`${values.out}: ${themes.length} themes, ${width}x${height}`);
