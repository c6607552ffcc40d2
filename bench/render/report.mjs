// Turns one run's results into bench/results/render.md.
// usage: node bench/render/report.mjs META.json RESULTS.jsonl OUT.md
import { readFileSync, writeFileSync } from 'node:fs';

const [metaFile, resultsFile, outFile] = process.argv.slice(2);
const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
// One line per tool, input and round; rounds are merged by pooling their timed runs.
const results = [];
for (const line of readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean)) {
  const r = JSON.parse(line);
  if (r.refused) {
    if (!results.some((x) => x.tool === r.tool && x.input === r.input)) results.push(r);
    continue;
  }
  const prev = results.find((x) => x.tool === r.tool && x.input === r.input);
  if (!prev) {
    results.push({ ...r, times: [...r.times], setups: r.setup_ms === undefined ? [] : [r.setup_ms] });
    continue;
  }
  prev.times.push(...r.times);
  if (r.setup_ms !== undefined) prev.setups.push(r.setup_ms);
  Object.assign(prev, { png_bytes: r.png_bytes, width: r.width, height: r.height, output: r.output });
  if (r.wasm_memory_bytes) prev.wasm_memory_bytes = Math.max(prev.wasm_memory_bytes ?? 0, r.wasm_memory_bytes);
}
for (const r of results) {
  if (r.refused) continue;
  const s = [...r.times].sort((a, b) => a - b);
  const m = s.length >> 1;
  r.runs = s.length;
  r.median_ms = s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  r.min_ms = s[0];
  if (r.setups.length) r.setup_ms = r.setups.sort((a, b) => a - b)[r.setups.length >> 1];
}
const get = (tool, input) => results.find((r) => r.tool === tool && r.input === input && !r.refused);
const refusal = (tool, input) => results.find((r) => r.tool === tool && r.input === input && r.refused)?.refused;
const oursPending = !results.some((r) => r.tool === 'ours');
const anyRefused = results.some((r) => r.refused);

const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}x` : oursPending ? 'pending' : 'n/a');
const kb = (n) => n.toLocaleString('en-US');
const mb = (n) => (n ? `${(n / 1048576).toFixed(1)} MB` : '');

const TOOLS = [
  ['ours', 'ours: render.wasm (bot default: window + shadow)'],
  ['ours-plain', 'ours: render.wasm (--no-window --no-shadow)'],
  ['pygments', 'Pygments ImageFormatter + Pillow'],
  ['shiki', 'shiki + satori + resvg-wasm'],
];

let md = `# Render benchmark: code -> PNG

Recorded by \`bench/render/run.sh\`; do not edit by hand (re-run instead).

- Date: ${meta.date}
- Command: \`${meta.command}\` (from the repository root; ${meta.runs} timed runs per input and tool, in ${meta.rounds} interleaved rounds of ${meta.runs / meta.rounds} runs after two warm-ups each: ours, Pygments, shiki stack, ours, ..., so that other load on the machine falls on every tool alike)
- Machine: ${meta.nproc} CPUs, ${meta.cpu}; ${meta.os}
- Load average before / after the run: ${meta.load_before} / ${meta.load_after} (other work on the machine shows up as spread between median and min)
- Node ${meta.node}; Python ${meta.python} (\`/usr/bin/python3\`, Debian packages)
- Peers: ${meta.versions.pygments ?? '?'}; ${meta.versions.shiki ?? '?'}
- Ours: \`build/wasm/modules/render.wasm\`, ${kb(meta.wasm_bytes)} bytes raw, ${kb(meta.wasm_gzip_bytes)} bytes \`gzip -9\`${meta.wasm_sha256 ? ` (sha256 ${meta.wasm_sha256.slice(0, 16)}...)` : ''}; git ${meta.git}
${meta.font_files.length ? `- Font files shipped beside it: ${meta.font_files.map((f) => `${f.path} ${kb(f.bytes)} B raw / ${kb(f.gzip_bytes)} B gzip -9`).join('; ')}` : '- No font files are shipped beside the module: its fonts are embedded in render.wasm, so the wasm size above includes them'}

All tools: theme monokai, font size 14 px, line numbers on, 1x scale, PNG. Fonts: Pygments and the shiki stack
use DejaVu Sans Mono (\`/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf\`); ours uses the monospace font
embedded in render.wasm at build time (\`${meta.ours_font}\`, CMake's RENDER_MONO_FONT), the one the bot ships.
Times are in-process wall-clock per image (median, and min), not process start-up:
ours is one \`FunctionModule.call\` (request JSON in, PNG out) on one instance under Node 20 (no JSPI needed);
Pygments is one \`highlight(code, lexer, formatter)\` measured with \`time.perf_counter\`, with a new
\`ImageFormatter\` per image made outside the timing (Pygments 2.14's ImageFormatter keeps its drawables across
calls, so a reused one redraws all earlier images: slower each call and wrong pixels; making one costs
${meta.inputs.map((i) => get('pygments', i.name)?.setup_ms).filter((x) => x !== undefined).map((x) => ms(x)).join(' / ')} ms
per input (font look-up through fc-list), which the Pygments column leaves out in its favour);
the shiki stack is highlight -> satori SVG (text as paths) -> resvg-wasm PNG, measured with \`performance.now\`.
One-time set-up (compiling wasm, loading grammars and fonts) is outside the timing for every tool; both Node
tools run with \`node --no-liftoff\`, so every wasm module (ours, and shiki's Oniguruma, satori's yoga and
resvg for the peer) runs optimised code from the first call, as in a warm Worker isolate, instead of tiering up
during the timed runs.
Ours runs with wrangler.toml's [vars] as its settings, as the Worker does.
The images differ in decoration: Pygments and the shiki stack draw a bare code block, ours by default adds
the window frame and shadow the bot sends; the "plain" row turns those off.

${(() => {
  const busiest = Math.max(...[meta.load_before, meta.load_after].map((l) => Number(String(l).split(' ')[0])));
  return busiest > meta.nproc
    ? `\n**The machine was busy during this run** (1-minute load average up to ${busiest} on ${meta.nproc} CPUs): absolute\ntimes are inflated for every tool and the medians are noisy. The rounds interleave the tools so that the\nratios stay comparable, but re-run on a quiet machine before quoting milliseconds.\n`
    : '';
})()}
## Inputs

Taken at run time from files that Debian and npm packages install (nothing is committed); tabs expanded
to 8 columns (\`expand -t 8\`) so that every tool sees the same text. pl50 is a table-driven language
(Pygments' Perl rules, exported at build time and run by PCRE2 in render.wasm). cjk50 is py50 with a
Chinese, Japanese or Korean comment and an emoji on every other line (\`bench/render/cjk_sample.mjs\`):
ours draws them from the asset fonts (build/assets, loaded on the warm-up call, so the timed runs are a
warm isolate), the peers with DejaVu Sans Mono, which has no CJK or emoji glyphs (boxes), so their
cjk50 images are not the same picture.

| input | source | lines | from package | sha256 of the slice |
| --- | --- | --- | --- | --- |
${meta.inputs.map((i) => `| ${i.name} | \`${i.source}\` | ${i.from}-${i.to} (${i.lines} lines) | ${i.package} | \`${i.sha256.slice(0, 16)}\` |`).join('\n')}

## Results

Ours' "wasm memory" is the size of a fresh instance's linear memory after making that one image: the
peak the module needed for it (wasm memory only grows). The Worker's isolate has 128 MB in all.

| input | tool | median ms | min ms | PNG bytes | pixels | wasm memory |
| --- | --- | ---: | ---: | ---: | --- | ---: |
`;
for (const inp of meta.inputs) {
  for (const [tool, label] of TOOLS) {
    const r = get(tool, inp.name);
    const no = refusal(tool, inp.name);
    md += r
      ? `| ${inp.name} | ${label} | ${ms(r.median_ms)} | ${ms(r.min_ms)} | ${kb(r.png_bytes)} | ${r.width}x${r.height} | ${mb(r.wasm_memory_bytes)} |\n`
      : no
        ? `| ${inp.name} | ${label} | refused: ${no} | | | | |\n`
        : `| ${inp.name} | ${label} | pending | pending | pending | pending | |\n`;
  }
}

md += `
## Ratios (ours = the bot's default image)

Time ratios are of medians; "(min)" columns divide the fastest runs instead, which is less sensitive to other
work on the machine. The images are not the same size: ours draws taller lines and, by default, a window frame
and shadow margin, so it fills more pixels than Pygments for the same text (the "pixels" column).

| input | Pygments ms / ours | (min) | shiki stack ms / ours | (min) | PNG bytes ours / Pygments | PNG bytes ours / shiki | pixels ours / Pygments | plain: Pygments ms / ours | plain: PNG bytes ours / Pygments |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
`;
for (const inp of meta.inputs) {
  const o = get('ours', inp.name);
  const p = get('ours-plain', inp.name);
  const g = get('pygments', inp.name);
  const s = get('shiki', inp.name);
  md += `| ${inp.name} | ${ratio(g?.median_ms, o?.median_ms)} | ${ratio(g?.min_ms, o?.min_ms)} | ${ratio(s?.median_ms, o?.median_ms)} | ${ratio(s?.min_ms, o?.min_ms)} | ${ratio(o?.png_bytes, g?.png_bytes)} | ${ratio(o?.png_bytes, s?.png_bytes)} | ${ratio(o && o.width * o.height, g && g.width * g.height)} | ${ratio(g?.median_ms, p?.median_ms)} | ${ratio(p?.png_bytes, g?.png_bytes)} |\n`;
}

// The claims the product makes, checked against this run.
const small = meta.inputs[0].name;
const o50 = get('ours', small);
const g50 = get('pygments', small);
const verdict = (ok) => (ok === null ? 'PENDING' : ok ? 'MET' : 'NOT MET');
const pngChecks = meta.inputs.map((i) => [i.name, get('ours', i.name), get('ours-plain', i.name), get('pygments', i.name)]);
const pngOk = oursPending ? null : pngChecks.every(([, o, , g]) => !o || !g || o.png_bytes <= g.png_bytes);
const plainOk = oursPending ? null : pngChecks.every(([, , p, g]) => !p || !g || p.png_bytes <= g.png_bytes);
const sizes = (idx) => pngChecks.map((c) => `${c[0]}: ${c[idx] && c[3] ? `${kb(c[idx].png_bytes)} vs ${kb(c[3].png_bytes)}` : 'not rendered by ours'}`).join('; ');
const budget = 1_500_000;
const big = meta.inputs[meta.inputs.length - 1].name;
const oBig = get('ours', big);
const shipped = meta.wasm_gzip_bytes + meta.font_files.reduce((a, f) => a + f.gzip_bytes, 0);

md += `
## Targets the product claims

| target | this run | verdict |
| --- | --- | --- |
| >= 20x faster than Pygments on the 50-line file | ${o50 && g50 ? `${(g50.median_ms / o50.median_ms).toFixed(1)}x (${ms(g50.median_ms)} ms vs ${ms(o50.median_ms)} ms; of mins ${(g50.min_ms / o50.min_ms).toFixed(1)}x)` : 'pending'} | ${verdict(o50 && g50 ? g50.median_ms / o50.median_ms >= 20 : null)} |
| <= 10 ms median for the 50-line file at 1x | ${o50 ? `${ms(o50.median_ms)} ms (min ${ms(o50.min_ms)} ms)` : 'pending'} | ${verdict(o50 ? o50.median_ms <= 10 : null)} |
| PNG no larger than Pygments' at the same font size (every input ours renders, bot default) | ${oursPending ? 'pending' : sizes(1)} | ${verdict(pngOk)} |
| same, without window and shadow | ${oursPending ? 'pending' : sizes(2)} | ${verdict(plainOk)} |
| render .wasm plus fonts <= 1.5 MB (1,500,000 B) gzipped | ${kb(shipped)} B gzip -9 | ${verdict(shipped <= budget)} |
${['pl50', 'cjk50'].filter((n) => meta.inputs.some((i) => i.name === n)).map((n) => { const o = get('ours', n); return `| <= 10 ms median for the ${n} file at 1x (${n === 'pl50' ? 'a table-driven language' : 'CJK and emoji comments'}) | ${o ? `${ms(o.median_ms)} ms (min ${ms(o.min_ms)} ms)` : 'pending'} | ${verdict(o ? o.median_ms <= 10 : null)} |\n`; }).join('')}| the ${big} file renders, in well under 64 MB of wasm memory (the Worker has 128 MB) | ${oBig ? `${oBig.width}x${oBig.height} px, peak wasm memory ${mb(oBig.wasm_memory_bytes) || '?'}` : refusal('ours', big) ?? 'pending'} | ${verdict(oursPending ? null : !!oBig && (oBig.wasm_memory_bytes ?? Infinity) < 64 * 1048576)} |
`;
if (anyRefused) {
  md += `
**Refused inputs**: ${results.filter((r) => r.refused).map((r) => `${r.tool} on ${r.input}: ${r.refused}`).join('; ')}.
The shipped module (with wrangler.toml's settings) will not make that image at all, so there is no time or size
for it; the peers' rows show what they take to make it.
`;
}
if (oursPending) {
  md += `
**Ours is pending**: when this run was made, render.wasm had no \`POST /render\` route yet
(${meta.ours_status}). Re-run \`${meta.command}\` once \`cmake --build build/wasm\` produces a module that answers.
`;
}
writeFileSync(outFile, md);
console.log(md);
